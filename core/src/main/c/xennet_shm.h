/*
 * xennet_shm.h - layout of xennet's shared device file (format version 2).
 *
 * One memory-mapped file (by default under /dev/shm) holds everything a netfront and a netback share:
 *
 *   page 0                       struct xennet_shm_header  (magic, version, regions, domids, control plane)
 *   header.events.offset         struct xennet_shm_evtchn[32]  (the event table: ports, one per channel)
 *   header.grant_frames.offset   grant frames: grant_entry_v1_t[] or grant_entry_v2_t[] (xen/grant_table.h)
 *   header.status_frames.offset  v2 status frames: grant_status_t[] (unused with grant version 1)
 *   header.rings.offset          two spare ring pages a frontend may use (any granted frame may hold a ring)
 *   header.guest.offset          the frontend's guest memory pages (packets, rx buffers)
 *
 * Use it with Xen's own headers: xen/io/ring.h, xen/io/netif.h, xen/grant_table.h (Debian libxen-dev).
 * Every region starts on a 4096-byte page boundary. All fields are little-endian (the Xen ABI on x86).
 *
 * Frames: the two ring-region pages have frame numbers ring_first_frame + 0 and + 1; guest page p has frame
 * guest_first_frame + p. A grant entry names a frame; xennet_shm_frame_offset() turns it into a file offset. Rings
 * are found only through tx_ring_ref/rx_ring_ref: they may be granted from any frame in the file (a ring-region
 * page or an ordinary guest page), exactly as a real netfront grants pages of its own memory.
 * There is no hypervisor: a backend "grant-copies" by validating the grant entry (type permit_access, domid =
 * backend_domid, not read-only for writes, v2 sub-page bounds) and then reading/writing the page in the file.
 *
 * Control plane: when xenstore_path is non-empty, a xenstore server (xs_wire over that UNIX socket) carries the
 * xenbus handshake of a vif, devid 0 by default: /local/domain/<frontend_domid>/device/vif/<devid> and
 * /local/domain/<backend_domid>/backend/vif/<frontend_domid>/<devid>, created by the backend side (the toolstack
 * step) when missing; tx-ring-ref, rx-ring-ref and event-channel-tx/rx (ports of the event table below) as in
 * xen/io/netif.h; the state words, ring refs, ports and generation of the header are then unused. Otherwise the
 * in-file words below stand in for xenstore's nodes:
 *   frontend_state / backend_state hold enum xenbus_state codes (xen/io/xenbus.h); each end writes only its own.
 *   Handshake: backend writes InitWait(2). Frontend allocates two ports (xennet_shm_alloc_unbound), initialises
 *   and grants both rings, writes tx_ring_ref, rx_ring_ref, tx_event_port and rx_event_port, increments
 *   generation, then writes Connected(4). The backend binds both ports (xennet_shm_bind), maps the rings of that
 *   generation through their grants and writes Connected(4); a generation whose ports do not bind or whose rings
 *   do not map is skipped and the backend stays in InitWait(2) for the next one. A backend that finds the frontend Connected at a generation it did not
 *   connect to from the start (e.g. after a backend restart) waits for the frontend to reset: the frontend moves
 *   to Closing(5), ends its grants, re-initialises the rings, bumps generation and writes Connected again.
 *   Closing: either end writes Closing(5) then Closed(6) when it detaches.
 *
 * Events: a table of 32 ports (port 0 is never allocated), each a struct xennet_shm_evtchn. The frontend allocates
 * a port per connection (EVTCHNOP_alloc_unbound: FREE -> UNBOUND, owner_pid = its pid) and frees it when the
 * connection ends (-> FREE); the backend binds the port the frontend published (EVTCHNOP_bind_interdomain:
 * UNBOUND -> INTERDOMAIN, only while owner_pid is a live process) and unbinds it when it disconnects
 * (-> UNBOUND). A port nobody holds never binds, so stale ports of a dead frontend cannot connect anyone; a new
 * frontend frees ports whose owner is dead. To notify on a bound port, increment count and then store
 * pending = 1 (release); on an unbound port the event is dropped, as Xen drops it. To consume, exchange pending
 * with 0. A notification is a wake-up hint only: both ends re-check the rings after consuming.
 *
 * Claims: the backend serving the file holds an fcntl write lock (F_SETLK) on the 4 bytes of backend_pid, the
 * frontend on frontend_pid; a second backend (or frontend) finds the lock taken and must refuse to start. The
 * kernel drops a lock when its process dies, so a restarted end can claim the file again. A frontend that claims a
 * file whose frontend_pid names another process ends every grant that process left before granting anything.
 *
 * Version 1 (two fixed event words, rings only in the ring region) is not read: it is refused by its version.
 */
#ifndef XENNET_SHM_H
#define XENNET_SHM_H

#include <stdint.h>

#define XENNET_SHM_MAGIC        0x48534e454e4e4558ULL  /* "XENNETSH" as little-endian bytes */
#define XENNET_SHM_VERSION      2
#define XENNET_SHM_PAGE_SIZE    4096
#define XENNET_SHM_XENSTORE_PATH_LENGTH 108            /* sizeof(sockaddr_un.sun_path) */

/* One region of the file: a run of whole pages. */
struct xennet_shm_region {
    uint64_t offset;        /* byte offset in the file, a multiple of XENNET_SHM_PAGE_SIZE */
    uint32_t pages;         /* length in pages */
    uint32_t pad;           /* zero */
};

/*
 * The header page.  [C] written once by the end that creates the file, [F] by the frontend, [B] by the backend.
 *
 *   0       8       12      16              24      28  30  32              40              48
 *   +-------+-------+-------+---------------+-------+---+---+---------------+---------------+
 *   | magic |version|page_sz|  file_length  |gnt_ver|fdm|bdm|ring_first_frm |guest_first_frm|
 *   +-------+-------+-------+---------------+-------+---+---+---------------+---------------+
 *   48 events | 64 grant_frames | 80 status_frames | 96 rings | 112 guest  (16 bytes each)
 *   128 generation | 136 frontend_state | 140 backend_state | 144 tx_ring_ref | 148 rx_ring_ref
 *   152 frontend_pid | 156 backend_pid | 160 xenstore_path[108] | 268 tx_event_port | 272 rx_event_port
 *   276 pad -> 280
 */
struct xennet_shm_header {
    uint64_t magic;                        /* [C] XENNET_SHM_MAGIC */
    uint32_t version;                      /* [C] XENNET_SHM_VERSION */
    uint32_t page_size;                    /* [C] XENNET_SHM_PAGE_SIZE */
    uint64_t file_length;                  /* [C] total bytes; must equal the file's size */
    uint32_t grant_version;                /* [C] 1 (grant_entry_v1_t) or 2 (grant_entry_v2_t + status) */
    uint16_t frontend_domid;               /* [C] the granting domain */
    uint16_t backend_domid;                /* [C] the domain grants are made to */
    uint64_t ring_first_frame;             /* [C] frame of the tx ring page; rx ring is +1 */
    uint64_t guest_first_frame;            /* [C] frame of guest page 0 */
    struct xennet_shm_region events;       /* [C] 1 page: struct xennet_shm_evtchn[XENNET_SHM_EVTCHN_PORTS] */
    struct xennet_shm_region grant_frames; /* [C] grant entries */
    struct xennet_shm_region status_frames;/* [C] v2 grant_status_t entries */
    struct xennet_shm_region rings;        /* [C] 2 spare pages for rings (frames ring_first_frame + 0, 1) */
    struct xennet_shm_region guest;        /* [C] guest memory pages */
    uint64_t generation;                   /* [F] bumped on every frontend (re)connect */
    uint32_t frontend_state;               /* [F] enum xenbus_state */
    uint32_t backend_state;                /* [B] enum xenbus_state */
    uint32_t tx_ring_ref;                  /* [F] grant ref of the tx ring page */
    uint32_t rx_ring_ref;                  /* [F] grant ref of the rx ring page */
    uint32_t frontend_pid;                 /* [F] the frontend's process; its claim lock covers these 4 bytes */
    uint32_t backend_pid;                  /* [B] the backend's process; its claim lock covers these 4 bytes */
    char xenstore_path[XENNET_SHM_XENSTORE_PATH_LENGTH]; /* [C] xenstore socket, NUL-terminated; "" = none */
    uint32_t tx_event_port;                /* [F] port of the tx event channel (event-channel-tx) */
    uint32_t rx_event_port;                /* [F] port of the rx event channel (may equal tx: one channel) */
    uint32_t pad;                          /* zero */
};

/* One direction of an event channel. */
struct xennet_shm_event {
    uint32_t pending;       /* 1 = notified and not yet consumed */
    uint32_t count;         /* notifications sent (wraps) */
};

#define XENNET_SHM_EVTCHN_PORTS        32   /* entries in the event table page; port 0 is never allocated */
#define XENNET_SHM_EVTCHN_FREE         0    /* nobody holds the port */
#define XENNET_SHM_EVTCHN_UNBOUND      1    /* allocated by the frontend (owner_pid) for the backend */
#define XENNET_SHM_EVTCHN_INTERDOMAIN  2    /* bound by the backend (bound_pid) */

/* One port of the event table: two cache lines, one per direction. */
struct xennet_shm_evtchn {
    uint32_t state;                     /* [F] FREE <-> UNBOUND, [B] UNBOUND <-> INTERDOMAIN */
    uint32_t owner_pid;                 /* [F] the frontend process holding the port */
    uint32_t bound_pid;                 /* [B] the backend process that bound it */
    uint32_t pad0;
    struct xennet_shm_event to_backend; /* [F] frontend -> backend */
    uint8_t pad1[40];
    struct xennet_shm_event to_frontend;/* [B] backend -> frontend */
    uint8_t pad2[56];
};

/* Address of a region's first byte in a mapping of the file. */
#define XENNET_SHM_REGION(base, hdr, region) ((void *)((char *)(base) + (hdr)->region.offset))

/* Address of a port's entry in the event table (port < XENNET_SHM_EVTCHN_PORTS, checked by the caller). */
#define XENNET_SHM_EVTCHN(base, hdr, port) \
    ((struct xennet_shm_evtchn *)XENNET_SHM_REGION(base, hdr, events) + (port))

/* File offset of a frame's page, or -1 when the frame is not in the file. */
static inline int64_t xennet_shm_frame_offset(const struct xennet_shm_header *hdr, uint64_t frame)
{
    if (frame - hdr->ring_first_frame < hdr->rings.pages)
        return (int64_t)(hdr->rings.offset + (frame - hdr->ring_first_frame) * XENNET_SHM_PAGE_SIZE);
    if (frame - hdr->guest_first_frame < hdr->guest.pages)
        return (int64_t)(hdr->guest.offset + (frame - hdr->guest_first_frame) * XENNET_SHM_PAGE_SIZE);
    return -1;
}

/*
 * Sends an event on a port: when it is bound, count first, then pending with release order (the peer sees our
 * ring writes first); on a port that is not bound the event is dropped. Returns 1 when sent.
 */
static inline int xennet_shm_notify(struct xennet_shm_evtchn *port, struct xennet_shm_event *ev)
{
    if (__atomic_load_n(&port->state, __ATOMIC_ACQUIRE) != XENNET_SHM_EVTCHN_INTERDOMAIN)
        return 0;
    __atomic_fetch_add(&ev->count, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&ev->pending, 1, __ATOMIC_RELEASE);
    return 1;
}

/* Consumes an event: returns 1 when one was pending. */
static inline int xennet_shm_consume(struct xennet_shm_event *ev)
{
    if (__atomic_load_n(&ev->pending, __ATOMIC_ACQUIRE) == 0)
        return 0;
    return __atomic_exchange_n(&ev->pending, 0, __ATOMIC_ACQ_REL) != 0;
}

/*
 * Frontend: EVTCHNOP_alloc_unbound. Takes the lowest free port for process pid; returns it, or 0 when the table is
 * full. The owner and cleared event words are stored before the state (the CAS is a full barrier).
 */
static inline uint32_t xennet_shm_alloc_unbound(void *base, const struct xennet_shm_header *hdr, uint32_t pid)
{
    for (uint32_t p = 1; p < XENNET_SHM_EVTCHN_PORTS; p++) {
        struct xennet_shm_evtchn *e = XENNET_SHM_EVTCHN(base, hdr, p);
        uint32_t expected = XENNET_SHM_EVTCHN_FREE;
        if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != XENNET_SHM_EVTCHN_FREE)
            continue;
        e->owner_pid = pid;
        e->bound_pid = 0;
        e->to_backend.pending = 0;
        e->to_frontend.pending = 0;
        if (__atomic_compare_exchange_n(&e->state, &expected, XENNET_SHM_EVTCHN_UNBOUND, 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return p;
    }
    return 0;
}

/* Frontend: EVTCHNOP_close of a port it allocated. */
static inline void xennet_shm_free_port(void *base, const struct xennet_shm_header *hdr, uint32_t port)
{
    if (port > 0 && port < XENNET_SHM_EVTCHN_PORTS)
        __atomic_store_n(&XENNET_SHM_EVTCHN(base, hdr, port)->state, XENNET_SHM_EVTCHN_FREE, __ATOMIC_RELEASE);
}

/*
 * Backend: EVTCHNOP_bind_interdomain to a port the frontend published (untrusted). owner_alive(pid) says whether
 * the owning process lives (e.g. kill(pid, 0) == 0 || errno == EPERM). Returns the entry, or NULL when the port is
 * out of range, not held unbound, or held by a dead process.
 */
static inline struct xennet_shm_evtchn *xennet_shm_bind(void *base, const struct xennet_shm_header *hdr,
                                                        uint32_t port, uint32_t pid, int (*owner_alive)(uint32_t))
{
    if (port == 0 || port >= XENNET_SHM_EVTCHN_PORTS)
        return NULL;
    struct xennet_shm_evtchn *e = XENNET_SHM_EVTCHN(base, hdr, port);
    uint32_t expected = XENNET_SHM_EVTCHN_UNBOUND;
    if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != XENNET_SHM_EVTCHN_UNBOUND || !owner_alive(e->owner_pid))
        return NULL;
    e->bound_pid = pid;
    if (!__atomic_compare_exchange_n(&e->state, &expected, XENNET_SHM_EVTCHN_INTERDOMAIN, 0,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return NULL;
    return e;
}

/* Backend: unbinds a port it bound (back to UNBOUND: the frontend still holds it). */
static inline void xennet_shm_unbind(struct xennet_shm_evtchn *e)
{
    uint32_t expected = XENNET_SHM_EVTCHN_INTERDOMAIN;
    __atomic_compare_exchange_n(&e->state, &expected, XENNET_SHM_EVTCHN_UNBOUND, 0,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#endif /* XENNET_SHM_H */
