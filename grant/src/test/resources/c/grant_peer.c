/*
 * Differential peer for xennet's GrantTableV1/V2: performs a script of permit/end (and peer mark) operations
 * on grant frames through the real header structs (grant_entry_v1_t, union grant_entry_v2, grant_status_t),
 * the way Linux and iPXE write them, and prints each result code, then the frames in hex.
 *
 * stdin:  "<version 1|2> <frames>" then one op per line:
 *   P ref domid frame ro              permit full-page access
 *   S ref domid frame off len ro      permit sub-page access (v2)
 *   T ref domid tdomid tgref ro       permit transitive access (v2)
 *   E ref                             end access
 *   M ref bits / U ref bits           peer sets / clears reading|writing (v1 flags, v2 status)
 * Result codes are xennet's GrantResult values.
 */
#include <xen/xen.h>
#include <xen/grant_table.h>

#define OK 0
#define FRAME_OUT_OF_RANGE -1
#define BAD_REF -2
#define NOT_SUPPORTED -3
#define STILL_IN_USE -4
#define BAD_ARGUMENT -6
#define ALREADY_GRANTED -7

static int version;
static long long entries;
static grant_entry_v1_t *v1;
static union grant_entry_v2 *v2;
static grant_status_t *status;

static int grantable(long long ref, long long domid)
{
    if (ref < 0 || ref >= entries)
    {
        return BAD_REF;
    }
    if (domid < 0 || domid > 0xffff)
    {
        return BAD_ARGUMENT;
    }
    uint16_t flags = version == 1 ? v1[ref].flags : v2[ref].hdr.flags;
    if (flags & GTF_type_mask)
    {
        return ALREADY_GRANTED;
    }
    uint16_t busy = version == 1 ? flags : status[ref];
    if (busy & (GTF_reading | GTF_writing))
    {
        return STILL_IN_USE;
    }
    return OK;
}

static int permit(long long ref, long long domid, unsigned long long frame, int ro)
{
    int rc;
    if (version == 1)
    {
        if (ref < 0 || ref >= entries)
        {
            return BAD_REF;
        }
        if (domid < 0 || domid > 0xffff)
        {
            return BAD_ARGUMENT;
        }
        if (frame > 0xffffffffULL)
        {
            return FRAME_OUT_OF_RANGE; /* iPXE: -ERANGE before writing anything */
        }
        if ((rc = grantable(ref, domid)) != OK)
        {
            return rc;
        }
        v1[ref].frame = (uint32_t)frame;
        v1[ref].domid = (domid_t)domid;
        xen_wmb();
        v1[ref].flags = GTF_permit_access | (ro ? GTF_readonly : 0);
        return OK;
    }
    if ((rc = grantable(ref, domid)) != OK)
    {
        return rc;
    }
    v2[ref].full_page.pad0 = 0;
    v2[ref].full_page.frame = frame;
    v2[ref].hdr.domid = (domid_t)domid;
    xen_wmb();
    v2[ref].hdr.flags = GTF_permit_access | (ro ? GTF_readonly : 0);
    return OK;
}

static int sub_page(long long ref, long long domid, unsigned long long frame, long long off, long long len, int ro)
{
    int rc;
    if (version == 1)
    {
        return NOT_SUPPORTED;
    }
    if (off < 0 || len < 0 || off + len > 4096)
    {
        return (ref < 0 || ref >= entries) ? BAD_REF : BAD_ARGUMENT;
    }
    if ((rc = grantable(ref, domid)) != OK)
    {
        return rc;
    }
    v2[ref].sub_page.page_off = (uint16_t)off;
    v2[ref].sub_page.length = (uint16_t)len;
    v2[ref].sub_page.frame = frame;
    v2[ref].hdr.domid = (domid_t)domid;
    xen_wmb();
    v2[ref].hdr.flags = GTF_permit_access | GTF_sub_page | (ro ? GTF_readonly : 0);
    return OK;
}

static int transitive(long long ref, long long domid, long long tdomid, unsigned long long tgref, int ro)
{
    int rc;
    if (version == 1)
    {
        return NOT_SUPPORTED;
    }
    if (tdomid < 0 || tdomid > 0xffff)
    {
        return (ref < 0 || ref >= entries) ? BAD_REF : BAD_ARGUMENT;
    }
    if ((rc = grantable(ref, domid)) != OK)
    {
        return rc;
    }
    v2[ref].transitive.trans_domid = (domid_t)tdomid;
    v2[ref].transitive.pad0 = 0;
    v2[ref].transitive.gref = (grant_ref_t)tgref;
    v2[ref].__spacer[3] = 0;
    v2[ref].hdr.domid = (domid_t)domid;
    xen_wmb();
    v2[ref].hdr.flags = GTF_transitive | (ro ? GTF_readonly : 0);
    return OK;
}

static int end(long long ref)
{
    if (ref < 0 || ref >= entries)
    {
        return BAD_REF;
    }
    if (version == 1)
    {
        /* Linux gnttab_end_foreign_access_ref_v1 */
        uint16_t flags = v1[ref].flags;
        do
        {
            if (flags & (GTF_reading | GTF_writing))
            {
                return STILL_IN_USE;
            }
        }
        while (!__atomic_compare_exchange_n(&v1[ref].flags, &flags, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
        return OK;
    }
    /* Linux gnttab_end_foreign_access_ref_v2 */
    v2[ref].hdr.flags = 0;
    xen_mb();
    return (status[ref] & (GTF_reading | GTF_writing)) ? STILL_IN_USE : OK;
}

static int mark(long long ref, long long bits, int set)
{
    if (ref < 0 || ref >= entries)
    {
        return BAD_REF;
    }
    uint16_t *word = version == 1 ? &v1[ref].flags : &status[ref];
    *word = set ? (*word | bits) : (*word & ~bits);
    return OK;
}

static void dump(const char *name, const void *base, size_t length)
{
    const unsigned char *bytes = base;
    printf("%s ", name);
    for (size_t i = 0; i < length; i++)
    {
        printf("%02x", bytes[i]);
    }
    printf("\n");
}

int main(void)
{
    long long frames;
    if (scanf("%d %lld", &version, &frames) != 2 || (version != 1 && version != 2) || frames < 1)
    {
        fprintf(stderr, "bad header\n");
        return 2;
    }
    size_t length = (size_t)frames * 4096;
    void *table = aligned_alloc(4096, length);
    void *status_frames = aligned_alloc(4096, length);
    memset(table, 0, length);
    memset(status_frames, 0, length);
    v1 = table;
    v2 = table;
    status = status_frames;
    entries = version == 1 ? (long long)(length / sizeof(grant_entry_v1_t)) :
        (long long)(length / sizeof(union grant_entry_v2));

    char op[4];
    while (scanf("%3s", op) == 1)
    {
        long long ref, domid, off, len, tdomid, bits;
        unsigned long long frame, tgref;
        int ro, rc;
        switch (op[0])
        {
            case 'P':
                if (scanf("%lld %lld %llu %d", &ref, &domid, &frame, &ro) != 4) return 2;
                rc = permit(ref, domid, frame, ro);
                break;
            case 'S':
                if (scanf("%lld %lld %llu %lld %lld %d", &ref, &domid, &frame, &off, &len, &ro) != 6) return 2;
                rc = sub_page(ref, domid, frame, off, len, ro);
                break;
            case 'T':
                if (scanf("%lld %lld %lld %llu %d", &ref, &domid, &tdomid, &tgref, &ro) != 5) return 2;
                rc = transitive(ref, domid, tdomid, tgref, ro);
                break;
            case 'E':
                if (scanf("%lld", &ref) != 1) return 2;
                rc = end(ref);
                break;
            case 'M':
            case 'U':
                if (scanf("%lld %lld", &ref, &bits) != 2) return 2;
                rc = mark(ref, bits, op[0] == 'M');
                break;
            default:
                fprintf(stderr, "bad op %s\n", op);
                return 2;
        }
        printf("R %d\n", rc);
    }
    dump("FRAMES", table, length);
    if (version == 2)
    {
        dump("STATUS", status_frames, length);
    }
    return 0;
}
