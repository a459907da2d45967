/*
 * A netfront written against Xen's ring.h/netif.h/grant_table.h and xennet_shm.h: connects to the backend serving
 * a shared device file, sends COUNT packets and checks every echoed byte. Grants are persistent (each tx and rx
 * page is granted once). Prints "NAME VALUE" lines; exit 0 only when every packet was answered OKAY and echoed
 * intact exactly once.
 *
 * usage: shm_c_frontend FILE COUNT MIN_LENGTH MAX_LENGTH [ring|guest|xenbus-ipxe2014|xenbus-ipxe]
 *   ring  (default) grants the rings from the file's ring region; guest grants them from two ordinary guest pages
 *         (2 * IDS and 2 * IDS + 1), as a real netfront grants pages of its own memory.
 *   xenbus-ipxe2014 / xenbus-ipxe: the handshake goes through the xenstore named in the file's header instead of the
 *         state words, with Xen's own client tools (xenstore-read/-write of xenstore-utils, XENSTORED_PATH) and
 *         iPXE's key set: one event-channel and request-rx-copy (2014), plus feature-sg, feature-no-csum-offload
 *         and feature-rx-notify (current). Rings from the ring region, as in ring mode.
 */
#include "shm_common.h"

/* Path characters this program passes to a shell: the store's paths are [A-Za-z0-9/_-] (never trust the peer). */
static int xs_safe(const char *s)
{
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '/' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static void xs_write(const char *path, const char *value)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xenstore-write '%s' '%s'", path, value);
    if (!xs_safe(path) || !xs_safe(value) || system(cmd) != 0)
        DIE("xenstore-write %s %s failed", path, value);
}

/* xenstore-read PATH into out; 0 on success, -1 when the node is missing (or the tool failed). */
static int xs_read(const char *path, char *out, size_t n)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xenstore-read '%s' 2>/dev/null", path);
    if (!xs_safe(path))
        DIE("unsafe xenstore path %s", path);
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        DIE("popen xenstore-read failed");
    out[0] = 0;
    if (fgets(out, (int)n, f) == NULL)
        out[0] = 0;
    out[strcspn(out, "\n")] = 0;
    return pclose(f) == 0 ? 0 : -1;
}

/* Polls PATH (as iPXE polls the backend's state) until it reads want; 0 on success, -1 after timeout_s seconds. */
static int xs_await(const char *path, const char *want, unsigned timeout_s)
{
    char value[128];
    for (uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000ull; now_ns() < deadline; usleep(20000))
        if (xs_read(path, value, sizeof value) == 0 && strcmp(value, want) == 0)
            return 0;
    return -1;
}

#define IDS 256
#define TX_RING_REF 8
#define RX_RING_REF 9
#define TX_REF(id) (10 + (id))
#define RX_REF(id) (10 + IDS + (id))
#define RX_PAGE(id) (id)
#define TX_PAGE(id) (IDS + (id))

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6)
        DIE("usage: shm_c_frontend FILE COUNT MIN_LENGTH MAX_LENGTH [ring|guest|xenbus-ipxe2014|xenbus-ipxe]");
    const int rings_in_guest = argc == 6 && strcmp(argv[5], "guest") == 0;
    const int xenbus_2014 = argc == 6 && strcmp(argv[5], "xenbus-ipxe2014") == 0;
    const int xenbus = xenbus_2014 || (argc == 6 && strcmp(argv[5], "xenbus-ipxe") == 0);
    const uint64_t count = strtoull(argv[2], NULL, 10);
    const int min = atoi(argv[3]), max = atoi(argv[4]);
    struct xennet_shm_header *h = shm_map(argv[1]);
    if (h->guest.pages < 2 * IDS + (rings_in_guest ? 2 : 0) || grant_entries(h) < (uint32_t)RX_REF(IDS))
        DIE("file too small: guest.pages=%u", h->guest.pages);
    char *guest = XENNET_SHM_REGION(h, h, guest);
    uint64_t tx_ring_frame = h->ring_first_frame, rx_ring_frame = h->ring_first_frame + 1;
    netif_tx_sring_t *txs = XENNET_SHM_REGION(h, h, rings);
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)((char *)txs + XENNET_SHM_PAGE_SIZE);
    if (rings_in_guest) {
        tx_ring_frame = h->guest_first_frame + 2 * IDS;
        rx_ring_frame = tx_ring_frame + 1;
        txs = (netif_tx_sring_t *)(guest + 2 * IDS * XENNET_SHM_PAGE_SIZE);
        rxs = (netif_rx_sring_t *)(guest + (2 * IDS + 1) * XENNET_SHM_PAGE_SIZE);
    }
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    int notify;

    /*
     * Handshake: claim, backend waiting, ports allocated, rings initialised and granted, refs and ports published
     * (in the header's words, or as iPXE's netfront_open writes them to xenstore: one port for both rings).
     */
    char fe[96] = "", be[128] = "", key[160] = "", value[32];
    shm_claim(h, &h->frontend_pid, "frontend");
    if (xenbus) {
        if (h->xenstore_path[0] == 0 || memchr(h->xenstore_path, 0, sizeof h->xenstore_path) == NULL)
            DIE("no xenstore_path in the file header");
        setenv("XENSTORED_PATH", h->xenstore_path, 1);
        snprintf(fe, sizeof fe, "/local/domain/%u/device/vif/0", h->frontend_domid);
        snprintf(key, sizeof key, "%s/backend", fe);
        uint64_t deadline = now_ns() + 30000000000ull; /* the backend's toolstack step creates the vif */
        while (xs_read(key, be, sizeof be) != 0 && now_ns() < deadline)
            usleep(20000);
        if (be[0] == 0)
            DIE("no %s", key);
        snprintf(key, sizeof key, "%s/state", be);
        if (xs_await(key, "2", 30))
            DIE("no backend in InitWait: %s", key);
    } else {
        store_state(&h->frontend_state, XenbusStateInitialising);
        if (await_state(&h->backend_state, XenbusStateInitWait, 30))
            DIE("no backend in InitWait: backend_state=%u", h->backend_state);
    }
    SHARED_RING_INIT(txs);
    FRONT_RING_INIT(&tx, txs, XENNET_SHM_PAGE_SIZE);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&rx, rxs, XENNET_SHM_PAGE_SIZE);
    const uint32_t tx_port = xennet_shm_alloc_unbound(h, h, getpid());
    const uint32_t rx_port = xenbus ? tx_port : xennet_shm_alloc_unbound(h, h, getpid());
    if (tx_port == 0 || rx_port == 0)
        DIE("no free event channel port");
    struct xennet_shm_evtchn *tx_ev = XENNET_SHM_EVTCHN(h, h, tx_port), *rx_ev = XENNET_SHM_EVTCHN(h, h, rx_port);
    grant_access(h, TX_RING_REF, tx_ring_frame, 0);
    grant_access(h, RX_RING_REF, rx_ring_frame, 0);
    for (int id = 0; id < IDS; id++) {
        grant_access(h, TX_REF(id), h->guest_first_frame + TX_PAGE(id), 1);
        grant_access(h, RX_REF(id), h->guest_first_frame + RX_PAGE(id), 0);
        netif_rx_request_t *req = RING_GET_REQUEST(&rx, rx.req_prod_pvt++);
        req->id = id;
        req->gref = RX_REF(id);
    }
    RING_PUSH_REQUESTS(&rx);
    if (xenbus) {
        static const char *const flags[] = { "request-rx-copy", "feature-sg", "feature-no-csum-offload",
                                             "feature-rx-notify" };
        snprintf(key, sizeof key, "%s/tx-ring-ref", fe);
        snprintf(value, sizeof value, "%u", TX_RING_REF);
        xs_write(key, value);
        snprintf(key, sizeof key, "%s/rx-ring-ref", fe);
        snprintf(value, sizeof value, "%u", RX_RING_REF);
        xs_write(key, value);
        snprintf(key, sizeof key, "%s/event-channel", fe);
        snprintf(value, sizeof value, "%u", tx_port);
        xs_write(key, value);
        for (unsigned i = 0; i < (xenbus_2014 ? 1u : 4u); i++) {
            snprintf(key, sizeof key, "%s/%s", fe, flags[i]);
            xs_write(key, "1");
        }
        snprintf(key, sizeof key, "%s/state", fe);
        xs_write(key, "4");
        snprintf(key, sizeof key, "%s/state", be);
        if (xs_await(key, "4", 30))
            DIE("backend did not connect: %s", key);
    } else {
        h->tx_ring_ref = TX_RING_REF;
        h->rx_ring_ref = RX_RING_REF;
        h->tx_event_port = tx_port;
        h->rx_event_port = rx_port;
        __atomic_store_n(&h->generation, h->generation + 1, __ATOMIC_RELEASE);
        store_state(&h->frontend_state, XenbusStateConnected);
        if (await_state(&h->backend_state, XenbusStateConnected, 30))
            DIE("backend did not connect: backend_state=%u", h->backend_state);
    }

    /* Stream. */
    uint16_t free_ids[IDS];
    int nfree = IDS;
    uint8_t in_use[IDS] = {0};
    uint8_t *echoed = calloc(count + 1, 1);
    uint64_t sent = 0, ok = 0, failed = 0, echoes = 0, corrupt = 0, duplicates = 0;
    for (int i = 0; i < IDS; i++)
        free_ids[i] = IDS - 1 - i;
    uint64_t last_progress = now_ns();
    while (ok + failed < count || echoes < ok) {
        int progress = 0;
        while (sent < count && nfree > 0) {
            int id = free_ids[--nfree];
            int length = packet_length(sent, min, max);
            packet_fill(guest + TX_PAGE(id) * XENNET_SHM_PAGE_SIZE, sent, length);
            netif_tx_request_t *req = RING_GET_REQUEST(&tx, tx.req_prod_pvt++);
            req->gref = TX_REF(id);
            req->offset = 0;
            req->flags = 0;
            req->id = id;
            req->size = length;
            in_use[id] = 1;
            sent++;
            progress = 1;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tx, notify);
        if (notify)
            xennet_shm_notify(tx_ev, &tx_ev->to_backend);

        RING_IDX rp = tx.sring->rsp_prod;
        xen_rmb(); /* see responses before reading them */
        if (rp - tx.rsp_cons > RING_SIZE(&tx))
            DIE("tx rsp_prod overflow: rsp_prod=%u", rp);
        for (; tx.rsp_cons != rp; tx.rsp_cons++) {
            netif_tx_response_t rsp = *RING_GET_RESPONSE(&tx, tx.rsp_cons);
            if (rsp.id >= IDS || !in_use[rsp.id])
                DIE("bad tx response id=%u", rsp.id);
            in_use[rsp.id] = 0;
            if (rsp.status == NETIF_RSP_OKAY)
                ok++;
            else
                failed++;
            free_ids[nfree++] = rsp.id;
            progress = 1;
        }

        rp = rx.sring->rsp_prod;
        xen_rmb();
        if (rp - rx.rsp_cons > RING_SIZE(&rx))
            DIE("rx rsp_prod overflow: rsp_prod=%u", rp);
        for (; rx.rsp_cons != rp; rx.rsp_cons++) {
            netif_rx_response_t rsp = *RING_GET_RESPONSE(&rx, rx.rsp_cons);
            if (rsp.id >= IDS)
                DIE("bad rx response id=%u", rsp.id);
            const char *p = guest + RX_PAGE(rsp.id) * XENNET_SHM_PAGE_SIZE + rsp.offset;
            uint64_t seq;
            if (rsp.status < 8 || rsp.offset + rsp.status > XENNET_SHM_PAGE_SIZE || (rsp.flags & NETRXF_more_data))
                corrupt++;
            else if (memcpy(&seq, p, 8), seq >= sent || rsp.status != packet_length(seq, min, max) ||
                     !packet_check(p, seq, rsp.status))
                corrupt++;
            else if (echoed[seq]++)
                duplicates++;
            else
                echoes++;
            netif_rx_request_t *req = RING_GET_REQUEST(&rx, rx.req_prod_pvt++); /* repost the same buffer */
            req->id = rsp.id;
            req->gref = RX_REF(rsp.id);
            progress = 1;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rx, notify);
        if (notify)
            xennet_shm_notify(rx_ev, &rx_ev->to_backend);

        if (progress) {
            last_progress = now_ns();
        } else {
            if (now_ns() - last_progress > 10000000000ull) {
                fprintf(stderr, "no progress for 10 s\n");
                break;
            }
            xennet_shm_consume(&tx_ev->to_frontend);
            xennet_shm_consume(&rx_ev->to_frontend);
            sched_yield();
        }
    }
    snprintf(key, sizeof key, "%s/state", fe);
    if (xenbus)
        xs_write(key, "5");
    else
        store_state(&h->frontend_state, XenbusStateClosing);
    if (rx_port != tx_port)
        xennet_shm_free_port(h, h, rx_port);
    xennet_shm_free_port(h, h, tx_port);
    printf("sent %llu\nok %llu\nfailed %llu\nechoed %llu\ncorrupt %llu\nduplicates %llu\n",
           (unsigned long long)sent, (unsigned long long)ok, (unsigned long long)failed,
           (unsigned long long)echoes, (unsigned long long)corrupt, (unsigned long long)duplicates);
    if (xenbus)
        xs_write(key, "6");
    else
        store_state(&h->frontend_state, XenbusStateClosed);
    return ok == count && echoes == count && corrupt == 0 && duplicates == 0 ? 0 : 1;
}
