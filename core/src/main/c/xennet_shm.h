/*
 * xennet_shm.h - layout of xennet's shared device file (format version 1).
 *
 * One memory-mapped file (by default under /dev/shm) holds everything a netfront and a netback share:
 *
 *   page 0                       struct xennet_shm_header  (magic, version, regions, domids, control plane)
 *   header.events.offset         struct xennet_shm_events  (one event word per direction)
 *   header.grant_frames.offset   grant frames: grant_entry_v1_t[] or grant_entry_v2_t[] (xen/grant_table.h)
 *   header.status_frames.offset  v2 status frames: grant_status_t[] (unused with grant version 1)
 *   header.rings.offset          two ring pages: tx (netif_tx_sring) then rx (netif_rx_sring), xen/io/netif.h
 *   header.guest.offset          the frontend's guest memory pages (packets, rx buffers)
 *
 * Use it with Xen's own headers: xen/io/ring.h, xen/io/netif.h, xen/grant_table.h (Debian libxen-dev).
 * Every region starts on a 4096-byte page boundary. All fields are little-endian (the Xen ABI on x86).
 *
 * Frames: the ring pages have frame numbers ring_first_frame + 0 (tx) and + 1 (rx); guest page p has frame
 * guest_first_frame + p. A grant entry names a frame; xennet_shm_frame_offset() turns it into a file offset.
 * There is no hypervisor: a backend "grant-copies" by validating the grant entry (type permit_access, domid =
 * backend_domid, not read-only for writes, v2 sub-page bounds) and then reading/writing the page in the file.
 *
 * Control plane: when xenstore_path is non-empty, a xenstore server (xs_wire over that UNIX socket) carries the
 * xenbus handshake of a vif, devid 0 by default: /local/domain/<frontend_domid>/device/vif/<devid> and
 * /local/domain/<backend_domid>/backend/vif/<frontend_domid>/<devid>, created by the backend side (the toolstack
 * step) when missing; tx-ring-ref, rx-ring-ref and event-channel-tx/rx (ports 1 and 2, both relayed through the
 * event words below) as in xen/io/netif.h; the state words and generation are then unused. Otherwise the in-file
 * state words below stand in for xenstore's "state" nodes:
 *   frontend_state / backend_state hold enum xenbus_state codes (xen/io/xenbus.h); each end writes only its own.
 *   Handshake: backend writes InitWait(2). Frontend initialises and grants both rings, writes tx_ring_ref and
 *   rx_ring_ref, increments generation, then writes Connected(4). The backend maps the rings of that
 *   generation and writes Connected(4). A backend that finds the frontend Connected at a generation it did not
 *   connect to from the start (e.g. after a backend restart) waits for the frontend to reset: the frontend moves
 *   to Closing(5), ends its grants, re-initialises the rings, bumps generation and writes Connected again.
 *   Closing: either end writes Closing(5) then Closed(6) when it detaches.
 *
 * Events: to notify, increment count and then store pending = 1 (release); to consume, exchange pending with 0.
 * A notification is a wake-up hint only, as an event channel is: both ends re-check the rings after consuming.
 */
#ifndef XENNET_SHM_H
#define XENNET_SHM_H

#include <stdint.h>

#define XENNET_SHM_MAGIC        0x48534e454e4e4558ULL  /* "XENNETSH" as little-endian bytes */
#define XENNET_SHM_VERSION      1
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
 *   152 frontend_pid | 156 backend_pid | 160 xenstore_path[108] | 268 pad -> 272
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
    struct xennet_shm_region events;       /* [C] 1 page: struct xennet_shm_events */
    struct xennet_shm_region grant_frames; /* [C] grant entries */
    struct xennet_shm_region status_frames;/* [C] v2 grant_status_t entries */
    struct xennet_shm_region rings;        /* [C] 2 pages: tx sring, rx sring */
    struct xennet_shm_region guest;        /* [C] guest memory pages */
    uint64_t generation;                   /* [F] bumped on every frontend (re)connect */
    uint32_t frontend_state;               /* [F] enum xenbus_state */
    uint32_t backend_state;                /* [B] enum xenbus_state */
    uint32_t tx_ring_ref;                  /* [F] grant ref of the tx ring page */
    uint32_t rx_ring_ref;                  /* [F] grant ref of the rx ring page */
    uint32_t frontend_pid;                 /* [F] informational */
    uint32_t backend_pid;                  /* [B] informational */
    char xenstore_path[XENNET_SHM_XENSTORE_PATH_LENGTH]; /* [C] xenstore socket, NUL-terminated; "" = none */
    uint32_t pad;                          /* zero */
};

/* One direction of an event channel. */
struct xennet_shm_event {
    uint32_t pending;       /* 1 = notified and not yet consumed */
    uint32_t count;         /* notifications sent (wraps) */
};

/* The event page: one word per direction, each on its own cache line. */
#define XENNET_SHM_EVENT_TO_BACKEND_OFFSET   0    /* frontend -> backend (tx and rx requests) */
#define XENNET_SHM_EVENT_TO_FRONTEND_OFFSET  64   /* backend -> frontend (tx and rx responses) */

/* Address of a region's first byte in a mapping of the file. */
#define XENNET_SHM_REGION(base, hdr, region) ((void *)((char *)(base) + (hdr)->region.offset))

/* Address of an event word. */
#define XENNET_SHM_EVENT(base, hdr, which) \
    ((struct xennet_shm_event *)((char *)XENNET_SHM_REGION(base, hdr, events) + XENNET_SHM_EVENT_##which##_OFFSET))

/* File offset of a frame's page, or -1 when the frame is not in the file. */
static inline int64_t xennet_shm_frame_offset(const struct xennet_shm_header *hdr, uint64_t frame)
{
    if (frame - hdr->ring_first_frame < hdr->rings.pages)
        return (int64_t)(hdr->rings.offset + (frame - hdr->ring_first_frame) * XENNET_SHM_PAGE_SIZE);
    if (frame - hdr->guest_first_frame < hdr->guest.pages)
        return (int64_t)(hdr->guest.offset + (frame - hdr->guest_first_frame) * XENNET_SHM_PAGE_SIZE);
    return -1;
}

/* Sends an event: count first, then pending with release order (the peer sees our ring writes first). */
static inline void xennet_shm_notify(struct xennet_shm_event *ev)
{
    __atomic_fetch_add(&ev->count, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&ev->pending, 1, __ATOMIC_RELEASE);
}

/* Consumes an event: returns 1 when one was pending. */
static inline int xennet_shm_consume(struct xennet_shm_event *ev)
{
    if (__atomic_load_n(&ev->pending, __ATOMIC_ACQUIRE) == 0)
        return 0;
    return __atomic_exchange_n(&ev->pending, 0, __ATOMIC_ACQ_REL) != 0;
}

#endif /* XENNET_SHM_H */
