package org.xennet.core.shm;

/**
 * Layout of the shared device file's header page and event table: {@code struct xennet_shm_header} and
 * {@code struct xennet_shm_evtchn} of {@code xennet_shm.h} (shipped in the jar as
 * {@code /org/xennet/core/shm/xennet_shm.h}). Offsets are checked against that header compiled with gcc.
 * <pre>
 *   file:  page 0     events      grant frames   status frames   tx ring  rx ring   guest pages
 *          +--------+-----------+--------------+---------------+--------+--------+------ ... ------+
 *          | header | evtchn[32]| v1/v2 entries| v2 status     | sring  | sring  | page 0 .. n-1   |
 *          +--------+-----------+--------------+---------------+--------+--------+------ ... ------+
 *
 *   header (writer: [C] creator, [F] frontend, [B] backend):
 *   0       8       12      16              24      28  30  32              40              48
 *   +-------+-------+-------+---------------+-------+---+---+---------------+---------------+
 *   | magic |version|page_sz|  file_length  |gnt_ver|fdm|bdm|ring_first_frm |guest_first_frm|   [C]
 *   +-------+-------+-------+---------------+-------+---+---+---------------+---------------+
 *   48 events | 64 grant_frames | 80 status_frames | 96 rings | 112 guest    region: offset u64, pages u32, pad [C]
 *   128 generation [F] | 136 frontend_state [F] | 140 backend_state [B] | 144 tx_ring_ref [F] | 148 rx_ring_ref [F]
 *   152 frontend_pid [F] | 156 backend_pid [B] | 160 xenstore_path char[108] [C]
 *   268 tx_event_port [F] | 272 rx_event_port [F] | 276 pad | 280 end
 *
 *   event table: 32 x struct xennet_shm_evtchn (128 bytes; port p at p * 128, port 0 never allocated)
 *   0       4         8         12      16                  24       64                  72      128
 *   +-------+---------+---------+-------+-------------------+--------+-------------------+-------+
 *   | state |owner_pid|bound_pid| pad   | to_backend ev     |  pad   | to_frontend ev    |  pad  |
 *   +-------+---------+---------+-------+-------------------+--------+-------------------+-------+
 *   state [F: free->unbound->free, B: unbound->interdomain->unbound]; ev = {pending u32, count u32}
 * </pre>
 * Claims: a backend holds an fcntl write lock on the {@code backend_pid} word while it serves the file, a
 * frontend on the {@code frontend_pid} word (released by the kernel when the process dies).
 */
public final class ShmFileDescriptor
{
    /** {@code XENNET_SHM_MAGIC}: the bytes "XENNETSH" read as a little-endian u64. */
    public static final long MAGIC = 0x48534e454e4e4558L;
    /** {@code XENNET_SHM_VERSION}: the format version this code reads and writes. */
    public static final int VERSION = 2;
    /** {@code XENNET_SHM_PAGE_SIZE}. */
    public static final int PAGE_SIZE = 4096;
    /** {@code XENNET_SHM_XENSTORE_PATH_LENGTH}: room for the xenstore socket path incl. its NUL. */
    public static final int XENSTORE_PATH_LENGTH = 108;

    /** {@code struct xennet_shm_region}: byte offset (u64). */
    public static final int REGION_OFFSET_OFFSET = 0;
    /** {@code struct xennet_shm_region}: length in pages (u32). */
    public static final int REGION_PAGES_OFFSET = 8;
    /** {@code sizeof(struct xennet_shm_region)}. */
    public static final int REGION_LENGTH = 16;

    /** Magic (u64) [C]. */
    public static final int MAGIC_OFFSET = 0;
    /** Format version (u32) [C]. */
    public static final int VERSION_OFFSET = 8;
    /** Page size (u32) [C]. */
    public static final int PAGE_SIZE_OFFSET = 12;
    /** Total file length in bytes (u64) [C]. */
    public static final int FILE_LENGTH_OFFSET = 16;
    /** Grant table version, 1 or 2 (u32) [C]. */
    public static final int GRANT_VERSION_OFFSET = 24;
    /** Frontend domain id (u16) [C]. */
    public static final int FRONTEND_DOMID_OFFSET = 28;
    /** Backend domain id (u16) [C]. */
    public static final int BACKEND_DOMID_OFFSET = 30;
    /** Frame of the tx ring page (u64) [C]; the rx ring page is the next frame. */
    public static final int RING_FIRST_FRAME_OFFSET = 32;
    /** Frame of guest page 0 (u64) [C]. */
    public static final int GUEST_FIRST_FRAME_OFFSET = 40;
    /** Region: the event page [C]. */
    public static final int EVENTS_OFFSET = 48;
    /** Region: grant frames [C]. */
    public static final int GRANT_FRAMES_OFFSET = 64;
    /** Region: v2 status frames [C]. */
    public static final int STATUS_FRAMES_OFFSET = 80;
    /** Region: tx ring page then rx ring page [C]. */
    public static final int RINGS_OFFSET = 96;
    /** Region: the frontend's guest memory pages [C]. */
    public static final int GUEST_OFFSET = 112;
    /** Generation (u64) [F]: bumped on every frontend (re)connect. */
    public static final int GENERATION_OFFSET = 128;
    /** Frontend xenbus state code (u32) [F]. */
    public static final int FRONTEND_STATE_OFFSET = 136;
    /** Backend xenbus state code (u32) [B]. */
    public static final int BACKEND_STATE_OFFSET = 140;
    /** Grant ref of the tx ring page (u32) [F]. */
    public static final int TX_RING_REF_OFFSET = 144;
    /** Grant ref of the rx ring page (u32) [F]. */
    public static final int RX_RING_REF_OFFSET = 148;
    /** Frontend process id (u32) [F], informational. */
    public static final int FRONTEND_PID_OFFSET = 152;
    /** Backend process id (u32) [B], informational. */
    public static final int BACKEND_PID_OFFSET = 156;
    /** Xenstore socket path, NUL-terminated, empty when the in-file state words are the control plane [C]. */
    public static final int XENSTORE_PATH_OFFSET = 160;
    /** Frontend's tx event port (u32) [F], as {@code event-channel-tx}. */
    public static final int TX_EVENT_PORT_OFFSET = 268;
    /** Frontend's rx event port (u32) [F], as {@code event-channel-rx}. */
    public static final int RX_EVENT_PORT_OFFSET = 272;
    /** {@code sizeof(struct xennet_shm_header)}. */
    public static final int HEADER_LENGTH = 280;

    /** {@code struct xennet_shm_event}: pending flag (u32). */
    public static final int EVENT_PENDING_OFFSET = 0;
    /** {@code struct xennet_shm_event}: notifications sent (u32). */
    public static final int EVENT_COUNT_OFFSET = 4;
    /** {@code sizeof(struct xennet_shm_event)}. */
    public static final int EVENT_LENGTH = 8;

    /** {@code XENNET_SHM_EVTCHN_PORTS}: entries in the event table (port 0 is never allocated). */
    public static final int EVTCHN_PORTS = 32;
    /** {@code sizeof(struct xennet_shm_evtchn)}: two cache lines, one per direction. */
    public static final int EVTCHN_LENGTH = 128;
    /** {@code struct xennet_shm_evtchn}: state (u32), one of the {@code EVTCHN_STATE_*} codes. */
    public static final int EVTCHN_STATE_OFFSET = 0;
    /** {@code struct xennet_shm_evtchn}: pid of the frontend process that allocated the port (u32). */
    public static final int EVTCHN_OWNER_PID_OFFSET = 4;
    /** {@code struct xennet_shm_evtchn}: pid of the backend process that bound it (u32), informational. */
    public static final int EVTCHN_BOUND_PID_OFFSET = 8;
    /** {@code struct xennet_shm_evtchn}: the frontend-to-backend {@code struct xennet_shm_event}. */
    public static final int EVTCHN_TO_BACKEND_OFFSET = 16;
    /** {@code struct xennet_shm_evtchn}: the backend-to-frontend {@code struct xennet_shm_event}. */
    public static final int EVTCHN_TO_FRONTEND_OFFSET = 64;
    /** {@code XENNET_SHM_EVTCHN_FREE}: nobody holds the port. */
    public static final int EVTCHN_STATE_FREE = 0;
    /** {@code XENNET_SHM_EVTCHN_UNBOUND}: allocated by the frontend for the backend ({@code alloc_unbound}). */
    public static final int EVTCHN_STATE_UNBOUND = 1;
    /** {@code XENNET_SHM_EVTCHN_INTERDOMAIN}: bound by the backend ({@code bind_interdomain}). */
    public static final int EVTCHN_STATE_INTERDOMAIN = 2;

    /** Ring pages in the rings region (tx, rx). */
    public static final int RING_PAGES = 2;

    private ShmFileDescriptor()
    {
    }
}
