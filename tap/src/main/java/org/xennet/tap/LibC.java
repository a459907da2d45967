package org.xennet.tap;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls a TAP end needs, bound by JNA direct mapping (no proxies, no per-call allocation: buffers are
 * passed as native addresses). errno is read with {@link Native#getLastError()} right after a failing call.
 * Constants are Linux x86-64/aarch64 values from {@code <linux/if_tun.h>}, {@code <fcntl.h>}, {@code <errno.h>}.
 */
final class LibC
{
    static
    {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    /** {@code _IOW('T', 202, int)}. */
    static final long TUNSETIFF = 0x400454caL;
    /** {@code _IOW('T', 208, unsigned int)}. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;

    static final int IFF_TAP = 0x0002;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;

    /** {@code struct ifreq}: name[IFNAMSIZ] then a union whose first member is {@code short ifr_flags}. */
    static final int IFREQ_LENGTH = 40;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_FLAGS_OFFSET = 16;

    static final int CLONE_NEWNET = 0x40000000;

    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int EPERM = 1;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENODEV = 19;
    static final int ENXIO = 6;
    static final int EBADFD = 77;

    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;

    private LibC()
    {
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    static native int ioctl(int fd, long request, long argument);

    static native long read(int fd, long buffer, long count);

    static native long write(int fd, long buffer, long count);

    static native long writev(int fd, long iov, int iovcnt);

    static native long readv(int fd, long iov, int iovcnt);

    static native int ppoll(long fds, long nfds, long timeout, long sigmask);

    static native int setns(int fd, int nstype);

    static native int if_nametoindex(String name);

    static native String strerror(int errno);

    static native int geteuid();

    static native int eventfd(int initval, int flags);

    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** @return errno of the last failing call on this thread. */
    static int errno()
    {
        return Native.getLastError();
    }

    /** @return e.g. {@code "EBADFD (File descriptor in bad state)"}-like text for messages (cold path). */
    static String describe(final int errno)
    {
        return "errno " + errno + " (" + strerror(errno) + ")";
    }
}
