/*
 * C latency anchors for xennet bench --latency: one request in flight, each round trip timed with
 * clock_gettime(CLOCK_MONOTONIC), as LatencyRunner does in Java.
 *   raw:  one cache line written by the sender (ping), one by the peer (pong), 128 bytes apart: the physical limit.
 *   ring: one netif_tx request through Xen's io/ring.h macros (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, the back
 *         end copies the request and answers, RING_PUSH_RESPONSES_AND_CHECK_NOTIFY), the response consumed.
 * Waits are busy (pause) or backoff (spin, sched_yield, nanosleep doubling), as the Java side's BenchIdle.
 *
 * Usage: latency -m raw|ring [-i busy|backoff] [-d durationMs] [-w warmupMs]
 * Output: "HIST <nanoseconds> <count>" per distinct value, then "DONE count=<n>".
 */
#include "xen_barriers.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

#define PAGE_LENGTH 4096
#define EXACT_NS 100000        /* values below 100 us are counted exactly */
#define MAX_OVERFLOW 1000000   /* larger values are kept one by one, up to this many */

static int busy = 1;

struct idle { long spins; long yields; long park_ns; };

static void idle_reset(struct idle *idle)
{
    idle->spins = 0;
    idle->yields = 0;
    idle->park_ns = 1000;
}

static void idle_wait(struct idle *idle)
{
    if (busy || idle->spins < 100)
    {
        idle->spins++;
        __builtin_ia32_pause();
    }
    else if (idle->yields < 1000)
    {
        idle->yields++;
        sched_yield();
    }
    else
    {
        struct timespec ts = { 0, idle->park_ns };
        nanosleep(&ts, NULL);
        idle->park_ns = idle->park_ns * 2 > 100000 ? 100000 : idle->park_ns * 2;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct shared
{
    volatile uint64_t ping __attribute__((aligned(128)));
    volatile uint64_t pong __attribute__((aligned(128)));
    struct netif_tx_sring *sring;
    int raw;
    int stop;
};

static void *peer_main(void *arg)
{
    struct shared *s = arg;
    struct idle idle;
    idle_reset(&idle);
    if (s->raw)
    {
        uint64_t answered = 0;
        while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
        {
            uint64_t ping = __atomic_load_n(&s->ping, __ATOMIC_ACQUIRE);
            if (ping != answered)
            {
                __atomic_store_n(&s->pong, ping, __ATOMIC_RELEASE);
                answered = ping;
                idle_reset(&idle);
            }
            else
            {
                idle_wait(&idle);
            }
        }
        return NULL;
    }
    netif_tx_back_ring_t back;
    BACK_RING_INIT(&back, s->sring, PAGE_LENGTH);
    while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
    {
        RING_IDX rp = back.sring->req_prod;
        int notify;
        xen_rmb(); /* see requests after reading req_prod */
        if (back.req_cons == rp)
        {
            idle_wait(&idle);
            continue;
        }
        while (back.req_cons != rp)
        {
            netif_tx_request_t req;
            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            netif_tx_response_t *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->status = NETIF_RSP_OKAY;
            back.rsp_prod_pvt++;
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
        (void)notify;
        idle_reset(&idle);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = "raw";
    long duration_ms = 1000;
    long warmup_ms = 200;
    int opt;
    while ((opt = getopt(argc, argv, "m:i:d:w:")) != -1)
    {
        switch (opt)
        {
        case 'm': mode = optarg; break;
        case 'i': busy = strcmp(optarg, "busy-spin") == 0; break;
        case 'd': duration_ms = atol(optarg); break;
        case 'w': warmup_ms = atol(optarg); break;
        default:
            fprintf(stderr, "usage: latency -m raw|ring [-i busy|backoff] [-d durationMs] [-w warmupMs]\n");
            return 2;
        }
    }
    static struct shared s;
    s.raw = strcmp(mode, "raw") == 0;
    if (!s.raw && strcmp(mode, "ring") != 0)
    {
        fprintf(stderr, "unknown mode: %s\n", mode);
        return 2;
    }
    s.sring = aligned_alloc(PAGE_LENGTH, PAGE_LENGTH);
    memset(s.sring, 0, PAGE_LENGTH);
    SHARED_RING_INIT(s.sring);
    netif_tx_front_ring_t front;
    FRONT_RING_INIT(&front, s.sring, PAGE_LENGTH);

    uint64_t *exact = calloc(EXACT_NS, sizeof(uint64_t));
    uint64_t *overflow = malloc(MAX_OVERFLOW * sizeof(uint64_t));
    long overflows = 0;
    pthread_t peer;
    if (pthread_create(&peer, NULL, peer_main, &s) != 0)
    {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    struct idle idle;
    idle_reset(&idle);
    uint64_t sequence = 0;
    uint64_t count = 0;
    const uint64_t start = now_ns();
    const uint64_t record_from = start + (uint64_t)warmup_ms * 1000000ull;
    const uint64_t end = record_from + (uint64_t)duration_ms * 1000000ull;
    uint64_t t0 = now_ns();
    while (t0 < end)
    {
        if (s.raw)
        {
            sequence++;
            __atomic_store_n(&s.ping, sequence, __ATOMIC_RELEASE);
            while (__atomic_load_n(&s.pong, __ATOMIC_ACQUIRE) != sequence)
            {
                idle_wait(&idle);
            }
        }
        else
        {
            int notify;
            netif_tx_request_t *req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->gref = 8;
            req->offset = 0;
            req->flags = 0;
            req->id = (uint16_t)(front.req_prod_pvt & 0xFF);
            req->size = 60;
            front.req_prod_pvt++;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
            (void)notify;
            for (;;)
            {
                RING_IDX rp = front.sring->rsp_prod;
                xen_rmb(); /* see responses after reading rsp_prod */
                if (front.rsp_cons != rp)
                {
                    front.rsp_cons = rp;
                    break;
                }
                idle_wait(&idle);
            }
        }
        idle_reset(&idle);
        const uint64_t t1 = now_ns();
        if (t0 >= record_from)
        {
            const uint64_t v = t1 - t0;
            if (v < EXACT_NS)
            {
                exact[v]++;
            }
            else if (overflows < MAX_OVERFLOW)
            {
                overflow[overflows++] = v;
            }
            count++;
        }
        t0 = t1;
    }
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
    pthread_join(peer, NULL);
    for (long v = 0; v < EXACT_NS; v++)
    {
        if (exact[v] != 0)
        {
            printf("HIST %ld %llu\n", v, (unsigned long long)exact[v]);
        }
    }
    for (long i = 0; i < overflows; i++)
    {
        printf("HIST %llu 1\n", (unsigned long long)overflow[i]);
    }
    printf("DONE count=%llu\n", (unsigned long long)count);
    return 0;
}
