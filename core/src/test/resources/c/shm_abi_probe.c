/* Prints the layout of xennet_shm.h as "NAME VALUE" lines; with a file argument, also reads its header. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "xennet_shm.h"

#define OFF(f) printf("offsetof(struct xennet_shm_header,%s) %zu\n", #f, offsetof(struct xennet_shm_header, f))

int main(int argc, char **argv)
{
    OFF(magic); OFF(version); OFF(page_size); OFF(file_length); OFF(grant_version); OFF(frontend_domid);
    OFF(backend_domid); OFF(ring_first_frame); OFF(guest_first_frame); OFF(events); OFF(grant_frames);
    OFF(status_frames); OFF(rings); OFF(guest); OFF(generation); OFF(frontend_state); OFF(backend_state);
    OFF(tx_ring_ref); OFF(rx_ring_ref); OFF(frontend_pid); OFF(backend_pid); OFF(xenstore_path);
    OFF(tx_event_port); OFF(rx_event_port);
    printf("sizeof(struct xennet_shm_header) %zu\n", sizeof(struct xennet_shm_header));
    printf("offsetof(struct xennet_shm_region,offset) %zu\n", offsetof(struct xennet_shm_region, offset));
    printf("offsetof(struct xennet_shm_region,pages) %zu\n", offsetof(struct xennet_shm_region, pages));
    printf("sizeof(struct xennet_shm_region) %zu\n", sizeof(struct xennet_shm_region));
    printf("offsetof(struct xennet_shm_event,pending) %zu\n", offsetof(struct xennet_shm_event, pending));
    printf("offsetof(struct xennet_shm_event,count) %zu\n", offsetof(struct xennet_shm_event, count));
    printf("sizeof(struct xennet_shm_event) %zu\n", sizeof(struct xennet_shm_event));
    printf("XENNET_SHM_MAGIC %llu\n", (unsigned long long)XENNET_SHM_MAGIC);
    printf("XENNET_SHM_VERSION %d\n", XENNET_SHM_VERSION);
    printf("XENNET_SHM_PAGE_SIZE %d\n", XENNET_SHM_PAGE_SIZE);
    printf("XENNET_SHM_XENSTORE_PATH_LENGTH %d\n", XENNET_SHM_XENSTORE_PATH_LENGTH);
    printf("offsetof(struct xennet_shm_evtchn,state) %zu\n", offsetof(struct xennet_shm_evtchn, state));
    printf("offsetof(struct xennet_shm_evtchn,owner_pid) %zu\n", offsetof(struct xennet_shm_evtchn, owner_pid));
    printf("offsetof(struct xennet_shm_evtchn,bound_pid) %zu\n", offsetof(struct xennet_shm_evtchn, bound_pid));
    printf("offsetof(struct xennet_shm_evtchn,to_backend) %zu\n", offsetof(struct xennet_shm_evtchn, to_backend));
    printf("offsetof(struct xennet_shm_evtchn,to_frontend) %zu\n", offsetof(struct xennet_shm_evtchn, to_frontend));
    printf("sizeof(struct xennet_shm_evtchn) %zu\n", sizeof(struct xennet_shm_evtchn));
    printf("XENNET_SHM_EVTCHN_PORTS %d\n", XENNET_SHM_EVTCHN_PORTS);
    printf("XENNET_SHM_EVTCHN_FREE %d\n", XENNET_SHM_EVTCHN_FREE);
    printf("XENNET_SHM_EVTCHN_UNBOUND %d\n", XENNET_SHM_EVTCHN_UNBOUND);
    printf("XENNET_SHM_EVTCHN_INTERDOMAIN %d\n", XENNET_SHM_EVTCHN_INTERDOMAIN);
    if (argc > 1) {
        int fd = open(argv[1], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
        const struct xennet_shm_header *h = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (h == MAP_FAILED) { perror("mmap"); return 1; }
        printf("file.magic %llu\n", (unsigned long long)h->magic);
        printf("file.file_length %llu\n", (unsigned long long)h->file_length);
        printf("file.grant_version %u\n", h->grant_version);
        printf("file.frontend_domid %u\n", h->frontend_domid);
        printf("file.backend_domid %u\n", h->backend_domid);
        printf("file.ring_first_frame %llu\n", (unsigned long long)h->ring_first_frame);
        printf("file.guest_first_frame %llu\n", (unsigned long long)h->guest_first_frame);
        printf("file.grant_frames.offset %llu\n", (unsigned long long)h->grant_frames.offset);
        printf("file.grant_frames.pages %u\n", h->grant_frames.pages);
        printf("file.rings.offset %llu\n", (unsigned long long)h->rings.offset);
        printf("file.guest.offset %llu\n", (unsigned long long)h->guest.offset);
        printf("file.guest.pages %u\n", h->guest.pages);
        printf("file.frame_offset(guest_first_frame+3) %lld\n",
               (long long)xennet_shm_frame_offset(h, h->guest_first_frame + 3));
        printf("file.frame_offset(ring_first_frame+1) %lld\n",
               (long long)xennet_shm_frame_offset(h, h->ring_first_frame + 1));
        printf("file.frame_offset(unmapped) %lld\n", (long long)xennet_shm_frame_offset(h, h->ring_first_frame + 2));
        printf("file.xenstore_path_length %zu\n", strlen(h->xenstore_path));
    }
    return 0;
}
