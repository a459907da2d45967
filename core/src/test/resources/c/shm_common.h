/*
 * Helpers shared by the C peers in xennet's interop tests: map and check a shared device file (xennet_shm.h),
 * write and check grant entries (xen/grant_table.h), wait on state words, and the test packet pattern.
 */
#ifndef XENNET_SHM_COMMON_H
#define XENNET_SHM_COMMON_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include "xennet_shm.h"

#define DIE(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int shm_fd = -1; /* kept open: the claim lock lives as long as the descriptor */

/* Claims the file for one role: an fcntl write lock on that role's pid word (backend_pid or frontend_pid). */
static inline void shm_claim(struct xennet_shm_header *h, uint32_t *pid_word, const char *role)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                          .l_start = (off_t)((char *)pid_word - (char *)h), .l_len = 4 };
    if (fcntl(shm_fd, F_SETLK, &lock) != 0)
        DIE("shared device file already served by another %s: %s_pid=%u", role, role, *pid_word);
    *pid_word = (uint32_t)getpid();
}

/* Maps the file (waiting up to 30 s for it to appear) and checks the header fields this program relies on (never trust the file). */
static inline struct xennet_shm_header *shm_map(const char *path)
{
    int fd = open(path, O_RDWR);
    for (uint64_t deadline = now_ns() + 30000000000ull; fd < 0 && now_ns() < deadline; fd = open(path, O_RDWR))
        usleep(10000); /* the peer creates the file (under a temporary name, then renamed): wait for it */
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        DIE("cannot open %s", path);
    if (st.st_size < XENNET_SHM_PAGE_SIZE)
        DIE("truncated file: file_length=%lld", (long long)st.st_size);
    struct xennet_shm_header *h = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    shm_fd = fd;
    if (h == MAP_FAILED)
        DIE("mmap failed");
    if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != XENNET_SHM_MAGIC)
        DIE("bad magic=0x%llx", (unsigned long long)h->magic);
    if (h->version != XENNET_SHM_VERSION || h->page_size != XENNET_SHM_PAGE_SIZE)
        DIE("bad version=%u or page_size=%u", h->version, h->page_size);
    if (h->file_length != (uint64_t)st.st_size)
        DIE("bad file_length=%llu, actual=%lld", (unsigned long long)h->file_length, (long long)st.st_size);
    const struct xennet_shm_region *r[] = { &h->events, &h->grant_frames, &h->status_frames, &h->rings, &h->guest };
    for (unsigned i = 0; i < 5; i++)
        if (r[i]->offset % XENNET_SHM_PAGE_SIZE || r[i]->offset + (uint64_t)r[i]->pages * 4096 > h->file_length)
            DIE("region %u out of bounds", i);
    if (h->rings.pages != 2 || h->events.pages != 1 || (h->grant_version != 1 && h->grant_version != 2))
        DIE("bad rings.pages=%u, events.pages=%u or grant_version=%u", h->rings.pages, h->events.pages,
            h->grant_version);
    return h;
}

/* Whether a process lives (the owner of an event port). */
static inline int pid_alive(uint32_t pid)
{
    return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static inline uint32_t load_state(const uint32_t *word)
{
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void store_state(uint32_t *word, uint32_t state)
{
    __atomic_store_n(word, state, __ATOMIC_RELEASE);
}

/* Waits until *word == state; 0 on success, -1 after timeout_s seconds. */
static inline int await_state(const uint32_t *word, uint32_t state, unsigned timeout_s)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000ull;
    while (load_state(word) != state) {
        if (now_ns() > deadline)
            return -1;
        sched_yield();
    }
    return 0;
}

/* Number of grant entries in the file's grant frames. */
static inline uint32_t grant_entries(const struct xennet_shm_header *h)
{
    return h->grant_frames.pages * (h->grant_version == 1 ? 4096 / sizeof(grant_entry_v1_t)
                                                          : 4096 / sizeof(grant_entry_v2_t));
}

/* gnttab_grant_foreign_access: frame and domid first, then the flags (the peer checks flags first). */
static inline void grant_access(struct xennet_shm_header *h, grant_ref_t ref, uint64_t frame, int readonly)
{
    char *frames = XENNET_SHM_REGION(h, h, grant_frames);
    uint16_t flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
    if (h->grant_version == 1) {
        grant_entry_v1_t *e = (grant_entry_v1_t *)frames + ref;
        e->frame = (uint32_t)frame;
        e->domid = h->backend_domid;
        __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
    } else {
        grant_entry_v2_t *e = (grant_entry_v2_t *)frames + ref;
        e->full_page.frame = frame;
        e->hdr.domid = h->backend_domid;
        __atomic_store_n(&e->hdr.flags, flags, __ATOMIC_RELEASE);
    }
}

/*
 * The hypervisor's side of a grant copy: checks that ref grants a full page to backend_domid (writable when
 * writing) and returns the page's address in the file, or NULL.
 */
static inline char *granted_page(struct xennet_shm_header *h, grant_ref_t ref, int write)
{
    if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= grant_entries(h))
        return NULL;
    char *frames = XENNET_SHM_REGION(h, h, grant_frames);
    uint16_t flags, domid;
    uint64_t frame;
    if (h->grant_version == 1) {
        grant_entry_v1_t *e = (grant_entry_v1_t *)frames + ref;
        flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
        domid = e->domid;
        frame = e->frame;
    } else {
        grant_entry_v2_t *e = (grant_entry_v2_t *)frames + ref;
        flags = __atomic_load_n(&e->hdr.flags, __ATOMIC_ACQUIRE);
        domid = e->hdr.domid;
        frame = e->full_page.frame;
    }
    if ((flags & GTF_type_mask) != GTF_permit_access || (flags & GTF_sub_page) || domid != h->backend_domid ||
        (write && (flags & GTF_readonly)))
        return NULL;
    int64_t offset = xennet_shm_frame_offset(h, frame);
    return offset < 0 ? NULL : (char *)h + offset;
}

/* The test stream: packet seq has this length and carries seq (u64) then (seq * 31 + i) bytes. */
static inline int packet_length(uint64_t seq, int min, int max)
{
    return min + (int)((seq * 7919) % (uint64_t)(max - min + 1));
}

static inline void packet_fill(char *p, uint64_t seq, int length)
{
    memcpy(p, &seq, 8);
    for (int i = 8; i < length; i++)
        p[i] = (char)(seq * 31 + i);
}

static inline int packet_check(const char *p, uint64_t seq, int length)
{
    for (int i = 8; i < length; i++)
        if (p[i] != (char)(seq * 31 + i))
            return 0;
    return 1;
}

#endif
