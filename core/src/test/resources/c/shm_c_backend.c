/*
 * A netback written against Xen's ring.h/netif.h/grant_table.h and xennet_shm.h: serves a shared device file in
 * loopback, echoing every tx packet into the frontend's next rx buffer. Its "grant copy" validates the grant
 * entry (xen/grant_table.h) and then copies the page in the file: the file is the shared memory. Runs until the
 * frontend leaves Connected; prints "NAME VALUE" lines.
 *
 * usage: shm_c_backend FILE
 */
#include "shm_common.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        DIE("usage: shm_c_backend FILE");
    struct xennet_shm_header *h = shm_map(argv[1]);
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    int notify_tx, notify_rx, more;

    /* Handshake: claim, InitWait, then bind the ports and map the rings of the frontend's generation. */
    shm_claim(h, &h->backend_pid, "backend");
    store_state(&h->backend_state, XenbusStateInitWait);
    if (await_state(&h->frontend_state, XenbusStateConnected, 30))
        DIE("no frontend: frontend_state=%u", h->frontend_state);
    const uint64_t generation = __atomic_load_n(&h->generation, __ATOMIC_ACQUIRE);
    const uint32_t tx_port = h->tx_event_port, rx_port = h->rx_event_port; /* read once */
    struct xennet_shm_evtchn *tx_ev = xennet_shm_bind(h, h, tx_port, getpid(), pid_alive);
    struct xennet_shm_evtchn *rx_ev = tx_port == rx_port ? tx_ev : xennet_shm_bind(h, h, rx_port, getpid(), pid_alive);
    if (tx_ev == NULL || rx_ev == NULL)
        DIE("bad event channel: tx_event_port=%u, rx_event_port=%u", tx_port, rx_port);
    netif_tx_sring_t *txs = (netif_tx_sring_t *)granted_page(h, h->tx_ring_ref, 1);
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)granted_page(h, h->rx_ring_ref, 1);
    if (txs == NULL || rxs == NULL)
        DIE("bad ring grant: tx_ring_ref=%u, rx_ring_ref=%u", h->tx_ring_ref, h->rx_ring_ref);
    BACK_RING_INIT(&tx, txs, XENNET_SHM_PAGE_SIZE);
    BACK_RING_INIT(&rx, rxs, XENNET_SHM_PAGE_SIZE);
    store_state(&h->backend_state, XenbusStateConnected);
    xennet_shm_notify(rx_ev, &rx_ev->to_frontend);

    uint64_t packets = 0, bytes = 0, errors = 0;
    uint64_t last_progress = now_ns();
    while (load_state(&h->frontend_state) == XenbusStateConnected &&
           __atomic_load_n(&h->generation, __ATOMIC_ACQUIRE) == generation) {
        int work = 0;
        RING_IDX rp = tx.sring->req_prod;
        xen_rmb(); /* see requests before reading them */
        if (RING_REQUEST_PROD_OVERFLOW(&tx, rp))
            DIE("tx req_prod overflow: req_prod=%u", rp);
        while (tx.req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(&tx, tx.req_cons)) {
            RING_IDX rx_rp = rx.sring->req_prod;
            xen_rmb();
            if (RING_REQUEST_PROD_OVERFLOW(&rx, rx_rp))
                DIE("rx req_prod overflow: req_prod=%u", rx_rp);
            if (rx.req_cons == rx_rp)
                break; /* no rx buffer posted: the packet waits */
            netif_tx_request_t req;
            netif_rx_request_t rreq;
            RING_COPY_REQUEST(&tx, tx.req_cons, &req); /* read once, then validate the copy */
            tx.req_cons++;
            if (req.flags & NETTXF_more_data)
                DIE("chained tx requests are not handled by this peer: id=%u", req.id);
            RING_COPY_REQUEST(&rx, rx.req_cons, &rreq);
            rx.req_cons++;
            const char *src = granted_page(h, req.gref, 0);
            char *dst = granted_page(h, rreq.gref, 1);
            int16_t status = NETIF_RSP_OKAY;
            netif_rx_response_t *rrsp = RING_GET_RESPONSE(&rx, rx.rsp_prod_pvt++);
            rrsp->id = rreq.id;
            rrsp->offset = 0;
            rrsp->flags = 0;
            if (src == NULL || dst == NULL || req.size == 0 || req.offset + req.size > XENNET_SHM_PAGE_SIZE) {
                status = NETIF_RSP_ERROR;
                rrsp->status = NETIF_RSP_ERROR;
                errors++;
            } else {
                memcpy(dst, src + req.offset, req.size);
                rrsp->status = req.size;
                packets++;
                bytes += req.size;
            }
            netif_tx_response_t *rsp = RING_GET_RESPONSE(&tx, tx.rsp_prod_pvt++);
            rsp->id = req.id;
            rsp->status = status;
            work++;
        }
        /* rx first: the echo is visible before the frontend learns its tx packet completed */
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&rx, notify_rx);
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&tx, notify_tx);
        if (notify_rx)
            xennet_shm_notify(rx_ev, &rx_ev->to_frontend);
        if (notify_tx)
            xennet_shm_notify(tx_ev, &tx_ev->to_frontend);
        if (work) {
            last_progress = now_ns();
            continue;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&tx, more);
        if (!more) {
            if (now_ns() - last_progress > 30000000000ull)
                DIE("no requests for 30 s");
            xennet_shm_consume(&tx_ev->to_backend);
            xennet_shm_consume(&rx_ev->to_backend);
            sched_yield();
        }
    }
    store_state(&h->backend_state, XenbusStateClosing);
    xennet_shm_unbind(rx_ev);
    xennet_shm_unbind(tx_ev);
    printf("packets %llu\nbytes %llu\nerrors %llu\n",
           (unsigned long long)packets, (unsigned long long)bytes, (unsigned long long)errors);
    store_state(&h->backend_state, XenbusStateClosed);
    return 0;
}
