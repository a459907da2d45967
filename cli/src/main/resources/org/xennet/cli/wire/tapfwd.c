/*
 * tapfwd: the C anchor of `xennet wire` -- forwards every frame between two TAP devices, nothing else.
 *
 *   tapfwd NAME_A NAME_B VNET SECONDS
 *
 * Creates (or attaches to) TAPs NAME_A and NAME_B in the current network namespace (IFF_TAP | IFF_NO_PI; with
 * VNET=1 also IFF_VNET_HDR, a 10-byte virtio_net_hdr and TUNSETOFFLOAD csum+TSO4/6, so 64 KiB GSO frames pass
 * through untouched), prints "ready", then forwards with poll()+read()+write() until SIGTERM or SECONDS pass
 * (alarm: every run is bounded). Exit 2 with a message on any setup failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_open(const char *name, int vnet)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
    {
        fprintf(stderr, "tapfwd: open /dev/net/tun: %s\n", strerror(errno));
        exit(2);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0)
    {
        fprintf(stderr, "tapfwd: TUNSETIFF %s: %s\n", name, strerror(errno));
        exit(2);
    }
    if (vnet)
    {
        int size = 10;
        if (ioctl(fd, TUNSETVNETHDRSZ, &size) != 0 ||
            ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) != 0)
        {
            fprintf(stderr, "tapfwd: offload on %s: %s\n", name, strerror(errno));
            exit(2);
        }
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 5)
    {
        fprintf(stderr, "usage: tapfwd NAME_A NAME_B VNET(0|1) SECONDS\n");
        return 2;
    }
    const int vnet = atoi(argv[3]);
    alarm((unsigned)atoi(argv[4])); /* default SIGALRM action ends the process: the run is bounded */
    int fds[2] = {tap_open(argv[1], vnet), tap_open(argv[2], vnet)};
    static unsigned char buffer[65536 + 64];
    printf("ready\n");
    fflush(stdout);
    struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    for (;;)
    {
        if (poll(p, 2, -1) < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            return 1;
        }
        for (int i = 0; i < 2; i++)
        {
            if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL))
            {
                return 1;
            }
            if (p[i].revents & POLLIN)
            {
                ssize_t n = read(fds[i], buffer, sizeof buffer);
                if (n > 0)
                {
                    (void)!write(fds[1 - i], buffer, (size_t)n); /* a refused frame is dropped, as a wire would */
                }
            }
        }
    }
}
