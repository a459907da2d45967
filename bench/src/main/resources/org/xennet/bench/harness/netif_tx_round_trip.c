/*
 * C anchor for xennet's ring benchmarks: a request -> response round trip over one netif TX shared ring,
 * written with Xen's own io/ring.h macros (DEFINE_RING_TYPES(netif_tx, ...) from io/netif.h).
 *
 * Shape (the same as NetifTxRingRoundTripBenchmark): a front thread writes `batch` netif_tx_requests,
 * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, then consumes `batch` responses, using RING_FINAL_CHECK_FOR_RESPONSES
 * before it waits; a back thread copies each request (RING_COPY_REQUEST), writes a response into the slot,
 * RING_PUSH_RESPONSES_AND_CHECK_NOTIFY, and RING_FINAL_CHECK_FOR_REQUESTS before it waits. Event channels
 * are not simulated: a "notify" is only counted. Every wait is a bounded backoff: spin (pause), then
 * sched_yield, then nanosleep from min-park doubling to max-park, as Agrona's BackoffIdleStrategy does.
 *
 * Usage: netif_tx_round_trip [-d durationMs] [-w warmupMs] [-n repetitions] [-i backoff|busy|yield]
 *                            [-s maxSpins] [-y maxYields] batch...
 * Output, one line per repetition:
 *   RESULT batch=B rep=R messages=M nanos=N msgs_per_sec=X notifies=K ring_full=F poll_empty=E
 * A message is one request whose response came back (one request + one response through the ring).
 */
#include "xen_barriers.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

#define PAGE_LENGTH 4096

enum idle_kind { IDLE_BACKOFF, IDLE_BUSY, IDLE_YIELD, IDLE_PARK };

struct idle
{
    enum idle_kind kind;
    long max_spins;
    long max_yields;
    long min_park_ns;
    long max_park_ns;
    long spins;
    long yields;
    long park_ns;
};

static struct idle idle_template = { IDLE_BACKOFF, 100, 1000, 1000, 100000, 0, 0, 0 };

static void idle_reset(struct idle *idle)
{
    idle->spins = 0;
    idle->yields = 0;
    idle->park_ns = idle->min_park_ns;
}

/* One wait step with no work seen; the caller resets on progress. */
static void idle_wait(struct idle *idle)
{
    switch (idle->kind)
    {
    case IDLE_BUSY:
        __builtin_ia32_pause();
        return;
    case IDLE_YIELD:
        sched_yield();
        return;
    case IDLE_PARK:
    {
        struct timespec ts = { 0, 50000 }; /* BenchIdle.PARK_NS */
        nanosleep(&ts, NULL);
        return;
    }
    case IDLE_BACKOFF:
        if (idle->spins < idle->max_spins)
        {
            idle->spins++;
            __builtin_ia32_pause();
        }
        else if (idle->yields < idle->max_yields)
        {
            idle->yields++;
            sched_yield();
        }
        else
        {
            struct timespec ts = { 0, idle->park_ns };
            nanosleep(&ts, NULL);
            idle->park_ns = idle->park_ns * 2 > idle->max_park_ns ? idle->max_park_ns : idle->park_ns * 2;
        }
        return;
    }
}

struct run
{
    struct netif_tx_sring *sring;
    int stop;                       /* written by front, read by back with __atomic loads */
    unsigned long long back_poll_empty;
    unsigned long long back_notifies;
    char pad[64];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *back_main(void *arg)
{
    struct run *run = arg;
    netif_tx_back_ring_t back;
    struct idle idle = idle_template;
    unsigned long long poll_empty = 0;
    unsigned long long notifies = 0;
    BACK_RING_INIT(&back, run->sring, PAGE_LENGTH);
    idle_reset(&idle);
    while (!__atomic_load_n(&run->stop, __ATOMIC_RELAXED))
    {
        RING_IDX rp = back.sring->req_prod;
        RING_IDX cons;
        int work = 0;
        int more;
        int notify;
        xen_rmb(); /* see requests /after/ reading req_prod */
        if (RING_REQUEST_PROD_OVERFLOW(&back, rp))
        {
            fprintf(stderr, "ill-behaved front: req_prod=%u rsp_prod_pvt=%u\n", rp, back.rsp_prod_pvt);
            exit(3);
        }
        for (cons = back.req_cons; cons != rp && !RING_REQUEST_CONS_OVERFLOW(&back, cons); cons++)
        {
            struct netif_tx_request req;
            struct netif_tx_response *rsp;
            RING_COPY_REQUEST(&back, cons, &req);
            rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->status = req.size > 0 ? NETIF_RSP_OKAY : NETIF_RSP_ERROR;
            back.rsp_prod_pvt++;
            work++;
        }
        back.req_cons = cons;
        if (work > 0)
        {
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
            notifies += notify;
            idle_reset(&idle);
            continue;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        if (!more)
        {
            poll_empty++;
            idle_wait(&idle);
        }
    }
    run->back_poll_empty = poll_empty;
    run->back_notifies = notifies;
    return NULL;
}

static int run_once(int batch, uint64_t duration_ns, int rep, int print)
{
    struct run run;
    pthread_t back_thread;
    netif_tx_front_ring_t front;
    struct idle idle = idle_template;
    unsigned long long messages = 0, notifies = 0, ring_full = 0, poll_empty = 0, rounds = 0;
    uint64_t start, end, deadline;
    int status;

    memset(&run, 0, sizeof(run));
    run.sring = aligned_alloc(PAGE_LENGTH, PAGE_LENGTH);
    if (run.sring == NULL)
    {
        fprintf(stderr, "aligned_alloc failed\n");
        return 1;
    }
    memset(run.sring, 0, PAGE_LENGTH);
    SHARED_RING_INIT(run.sring);
    FRONT_RING_INIT(&front, run.sring, PAGE_LENGTH);
    if (batch < 1 || (unsigned)batch > RING_SIZE(&front))
    {
        fprintf(stderr, "batch must be 1..%u: batch=%d\n", RING_SIZE(&front), batch);
        return 2;
    }
    status = pthread_create(&back_thread, NULL, back_main, &run);
    if (status != 0)
    {
        fprintf(stderr, "pthread_create: %s\n", strerror(status));
        return 1;
    }
    idle_reset(&idle);
    start = now_ns();
    deadline = start + duration_ns;
    end = start;
    for (;;)
    {
        int i;
        int received = 0;
        int notify;
        for (i = 0; i < batch; i++)
        {
            struct netif_tx_request *req;
            while (RING_FULL(&front))
            {
                ring_full++;     /* cannot happen with batch <= RING_SIZE; counted like the Java side */
                idle_wait(&idle);
            }
            req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->gref = (grant_ref_t)(8 + i);
            req->offset = 0;
            req->flags = 0;
            req->id = (uint16_t)i;
            req->size = 60;
            front.req_prod_pvt++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
        notifies += notify;
        idle_reset(&idle);
        while (received < batch)
        {
            RING_IDX rp = front.sring->rsp_prod;
            RING_IDX cons;
            int more;
            xen_rmb(); /* see responses /after/ reading rsp_prod */
            for (cons = front.rsp_cons; cons != rp; cons++)
            {
                struct netif_tx_response rsp;
                RING_COPY_RESPONSE(&front, cons, &rsp);
                if (rsp.status != NETIF_RSP_OKAY || rsp.id >= (uint16_t)batch)
                {
                    fprintf(stderr, "bad response: id=%u status=%d\n", rsp.id, rsp.status);
                    exit(3);
                }
                received++;
            }
            front.rsp_cons = cons;
            if (received < batch)
            {
                RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
                if (!more)
                {
                    poll_empty++;
                    idle_wait(&idle);
                }
            }
            else
            {
                idle_reset(&idle);
            }
        }
        messages += (unsigned long long)batch;
        rounds++;
        /* read the clock about every 256 messages so it stays out of the batch-1 round trip */
        if ((rounds * (unsigned long long)batch & 255) < (unsigned long long)batch)
        {
            end = now_ns();
            if (end >= deadline)
            {
                break;
            }
        }
    }
    __atomic_store_n(&run.stop, 1, __ATOMIC_RELAXED);
    pthread_join(back_thread, NULL);
    if (print)
    {
        const double nanos = (double)(end - start);
        printf("RESULT batch=%d rep=%d messages=%llu nanos=%llu msgs_per_sec=%.1f notifies=%llu ring_full=%llu "
            "poll_empty=%llu\n", batch, rep, messages, (unsigned long long)(end - start),
            messages * 1e9 / nanos, notifies + run.back_notifies, ring_full, poll_empty + run.back_poll_empty);
        fflush(stdout);
    }
    free(run.sring);
    return 0;
}

int main(int argc, char **argv)
{
    long duration_ms = 1000;
    long warmup_ms = 300;
    int repetitions = 5;
    int opt;
    int i;
    while ((opt = getopt(argc, argv, "d:w:n:i:s:y:")) != -1)
    {
        switch (opt)
        {
        case 'd': duration_ms = atol(optarg); break;
        case 'w': warmup_ms = atol(optarg); break;
        case 'n': repetitions = atoi(optarg); break;
        case 's': idle_template.max_spins = atol(optarg); break;
        case 'y': idle_template.max_yields = atol(optarg); break;
        case 'i':
            if (strcmp(optarg, "backoff") == 0) idle_template.kind = IDLE_BACKOFF;
            else if (strcmp(optarg, "busy-spin") == 0) idle_template.kind = IDLE_BUSY;
            else if (strcmp(optarg, "yield") == 0) idle_template.kind = IDLE_YIELD;
            else if (strcmp(optarg, "park") == 0) idle_template.kind = IDLE_PARK;
            else { fprintf(stderr, "unknown idle strategy: idle=%s\n", optarg); return 2; }
            break;
        default:
            fprintf(stderr, "usage: %s [-d ms] [-w ms] [-n reps] [-i backoff|busy|yield] [-s spins] [-y yields] "
                "batch...\n", argv[0]);
            return 2;
        }
    }
    if (optind >= argc || duration_ms <= 0 || warmup_ms < 0 || repetitions <= 0)
    {
        fprintf(stderr, "need batch sizes and positive duration/repetitions: durationMs=%ld reps=%d\n",
            duration_ms, repetitions);
        return 2;
    }
    printf("RING size=%u slot=%zu\n", (unsigned)__RING_SIZE((struct netif_tx_sring *)0, PAGE_LENGTH),
        sizeof(union netif_tx_sring_entry));
    for (i = optind; i < argc; i++)
    {
        const int batch = atoi(argv[i]);
        int rep;
        int status;
        if (warmup_ms > 0 && (status = run_once(batch, (uint64_t)warmup_ms * 1000000ull, -1, 0)) != 0)
        {
            return status;
        }
        for (rep = 0; rep < repetitions; rep++)
        {
            if ((status = run_once(batch, (uint64_t)duration_ms * 1000000ull, rep, 1)) != 0)
            {
                return status;
            }
        }
    }
    return 0;
}
