/*
 * A hostile netfront over a shared device file (xennet_shm.h): after the backend attached, it rewrites the header's
 * layout fields (ring and guest regions far outside the file, rings.pages huge, ring_first_frame wrapped), then
 * publishes a generation with a bad ring ref and a port nobody holds, and says Connected. It waits up to 2 s for
 * the backend to answer, prints "backend_state N", restores the header and leaves (Closed), so that a correct
 * frontend can use the file next. A backend must neither crash nor connect.
 *
 * usage: shm_c_hostile_frontend FILE
 */
#include "shm_common.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        DIE("usage: shm_c_hostile_frontend FILE");
    struct xennet_shm_header *h = shm_map(argv[1]);
    shm_claim(h, &h->frontend_pid, "frontend");
    if (await_state(&h->backend_state, XenbusStateInitWait, 30))
        DIE("no backend in InitWait: backend_state=%u", h->backend_state);
    const struct xennet_shm_header saved = *h;

    h->rings.offset = 1ull << 40;
    h->rings.pages = 0xffffffffu;
    h->guest.offset = 1ull << 40;
    h->grant_frames.offset = 1ull << 40;
    h->events.offset = 1ull << 40;
    h->ring_first_frame = ~0ull;
    h->guest_first_frame = ~0ull - 1;
    h->tx_ring_ref = 0xfffffff0u;
    h->rx_ring_ref = 8;
    h->tx_event_port = 77;
    h->rx_event_port = 0;
    __atomic_store_n(&h->generation, h->generation + 1, __ATOMIC_RELEASE);
    store_state(&h->frontend_state, XenbusStateConnected);

    uint64_t deadline = now_ns() + 2000000000ull;
    while (now_ns() < deadline && load_state(&h->backend_state) != XenbusStateConnected)
        sched_yield();
    printf("backend_state %u\n", load_state(&h->backend_state));

    store_state(&h->frontend_state, XenbusStateClosed);
    h->rings = saved.rings;
    h->guest = saved.guest;
    h->grant_frames = saved.grant_frames;
    h->events = saved.events;
    h->ring_first_frame = saved.ring_first_frame;
    h->guest_first_frame = saved.guest_first_frame;
    return 0;
}
