/*
 * Differential peer for xennet's rings: runs scripts of ring operations with Xen's own io/ring.h macros
 * (DEFINE_RING_TYPES of netif_tx, from xen/io/netif.h) on one page, and prints every result, the private
 * indices, the header bytes and a hash of the whole page after each step; the whole page in hex at "end".
 * The Java test interprets the same scripts with FrontRing/BackRing and compares the output line by line.
 *
 * One operation per stdin line; numbers in decimal or 0x-hex (u32):
 *   fill B | sinit | finit | binit | fattach I | battach I | poke OFF V
 *   req GREF OFFSET FLAGS ID SIZE   (write request at req_prod_pvt, then req_prod_pvt++)
 *   rsp ID STATUS                   (write response at rsp_prod_pvt, then rsp_prod_pvt++)
 *   push_req | push_req_notify | push_rsp | push_rsp_notify
 *   free_req | full | unc_rsp | unc_req | final_rsp | final_req
 *   take_req | take_rsp             (RING_COPY_* at req_cons / rsp_cons, then ++)
 *   req_cons_ovf I | req_prod_ovf I | rsp_prod_ovf I | get_req I | get_rsp I
 *   end                             (dump the page, reset the private ring structs for the next script)
 */
#include <stddef.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

#define PAGE 4096

static unsigned char *page;
static netif_tx_sring_t *sring;
static netif_tx_front_ring_t front;
static netif_tx_back_ring_t back;

static uint64_t fnv1a(void)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < PAGE; i++)
    {
        h ^= page[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void hex(const unsigned char *p, int n)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++)
    {
        putchar(digits[p[i] >> 4]);
        putchar(digits[p[i] & 15]);
    }
}

static uint32_t arg(char **save)
{
    char *tok = strtok_r(NULL, " \t\r\n", save);
    if (tok == NULL)
    {
        fprintf(stderr, "missing argument\n");
        exit(2);
    }
    return (uint32_t)strtoull(tok, NULL, 0);
}

int main(void)
{
    static char line[512];
    static char out[256];
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    page = aligned_alloc(PAGE, PAGE);
    memset(page, 0, PAGE);
    sring = (netif_tx_sring_t *)page;

    while (fgets(line, sizeof(line), stdin) != NULL)
    {
        char *save = NULL;
        line[strcspn(line, "\r\n")] = '\0';
        char copy[512];
        strcpy(copy, line);
        const char *op = strtok_r(copy, " \t", &save);
        if (op == NULL)
        {
            continue;
        }
        strcpy(out, "-");
        if (!strcmp(op, "fill"))
        {
            memset(page, (int)arg(&save), PAGE);
        }
        else if (!strcmp(op, "sinit"))
        {
            SHARED_RING_INIT(sring);
        }
        else if (!strcmp(op, "finit"))
        {
            FRONT_RING_INIT(&front, sring, PAGE);
        }
        else if (!strcmp(op, "binit"))
        {
            BACK_RING_INIT(&back, sring, PAGE);
        }
        else if (!strcmp(op, "fattach"))
        {
            RING_IDX i = arg(&save);
            FRONT_RING_ATTACH(&front, sring, i, PAGE);
        }
        else if (!strcmp(op, "battach"))
        {
            RING_IDX i = arg(&save);
            BACK_RING_ATTACH(&back, sring, i, PAGE);
        }
        else if (!strcmp(op, "poke"))
        {
            uint32_t off = arg(&save);
            uint32_t v = arg(&save);
            memcpy(page + (off & (PAGE - 4) & ~3u), &v, 4);
        }
        else if (!strcmp(op, "req"))
        {
            netif_tx_request_t *req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->gref = arg(&save);
            req->offset = (uint16_t)arg(&save);
            req->flags = (uint16_t)arg(&save);
            req->id = (uint16_t)arg(&save);
            req->size = (uint16_t)arg(&save);
            front.req_prod_pvt++;
        }
        else if (!strcmp(op, "rsp"))
        {
            netif_tx_response_t *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = (uint16_t)arg(&save);
            rsp->status = (int16_t)arg(&save);
            back.rsp_prod_pvt++;
        }
        else if (!strcmp(op, "push_req"))
        {
            RING_PUSH_REQUESTS(&front);
        }
        else if (!strcmp(op, "push_req_notify"))
        {
            int notify;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
            sprintf(out, "%d", notify);
        }
        else if (!strcmp(op, "push_rsp"))
        {
            RING_PUSH_RESPONSES(&back);
        }
        else if (!strcmp(op, "push_rsp_notify"))
        {
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
            sprintf(out, "%d", notify);
        }
        else if (!strcmp(op, "free_req"))
        {
            sprintf(out, "%u", (unsigned)RING_FREE_REQUESTS(&front));
        }
        else if (!strcmp(op, "full"))
        {
            sprintf(out, "%d", RING_FULL(&front) ? 1 : 0);
        }
        else if (!strcmp(op, "unc_rsp"))
        {
            sprintf(out, "%u", (unsigned)RING_HAS_UNCONSUMED_RESPONSES(&front));
        }
        else if (!strcmp(op, "unc_req"))
        {
            sprintf(out, "%u", (unsigned)RING_HAS_UNCONSUMED_REQUESTS(&back));
        }
        else if (!strcmp(op, "final_rsp"))
        {
            unsigned work;
            RING_FINAL_CHECK_FOR_RESPONSES(&front, work);
            sprintf(out, "%u", work);
        }
        else if (!strcmp(op, "final_req"))
        {
            unsigned work;
            RING_FINAL_CHECK_FOR_REQUESTS(&back, work);
            sprintf(out, "%u", work);
        }
        else if (!strcmp(op, "take_req"))
        {
            netif_tx_request_t req;
            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            sprintf(out, "%u %u %u %u %u", (unsigned)req.gref, req.offset, req.flags, req.id, req.size);
        }
        else if (!strcmp(op, "take_rsp"))
        {
            netif_tx_response_t rsp;
            RING_COPY_RESPONSE(&front, front.rsp_cons, &rsp);
            front.rsp_cons++;
            sprintf(out, "%u %d", rsp.id, rsp.status);
        }
        else if (!strcmp(op, "req_cons_ovf"))
        {
            RING_IDX i = arg(&save);
            sprintf(out, "%d", RING_REQUEST_CONS_OVERFLOW(&back, i) ? 1 : 0);
        }
        else if (!strcmp(op, "req_prod_ovf"))
        {
            RING_IDX i = arg(&save);
            sprintf(out, "%d", RING_REQUEST_PROD_OVERFLOW(&back, i) ? 1 : 0);
        }
        else if (!strcmp(op, "rsp_prod_ovf"))
        {
            RING_IDX i = arg(&save);
            sprintf(out, "%d", RING_RESPONSE_PROD_OVERFLOW(&front, i) ? 1 : 0);
        }
        else if (!strcmp(op, "get_req"))
        {
            RING_IDX i = arg(&save);
            sprintf(out, "%ld", (long)((unsigned char *)RING_GET_REQUEST(&front, i) - page));
        }
        else if (!strcmp(op, "get_rsp"))
        {
            RING_IDX i = arg(&save);
            sprintf(out, "%ld", (long)((unsigned char *)RING_GET_RESPONSE(&back, i) - page));
        }
        else if (!strcmp(op, "end"))
        {
            printf("end ");
            hex(page, PAGE);
            putchar('\n');
            /* the next script starts from fresh private state, like a new Java FrontRing/BackRing */
            memset(&front, 0, sizeof(front));
            memset(&back, 0, sizeof(back));
            continue;
        }
        else
        {
            fprintf(stderr, "unknown op: %s\n", line);
            return 2;
        }
        printf("%s => %s | f=%u,%u b=%u,%u | hdr=", line, out, (unsigned)front.req_prod_pvt,
            (unsigned)front.rsp_cons, (unsigned)back.rsp_prod_pvt, (unsigned)back.req_cons);
        hex(page, 16);
        printf(" | page=%016llx\n", (unsigned long long)fnv1a());
    }
    fflush(stdout);
    return 0;
}
