/*
 * ABI probe for xennet's grant module: prints "NAME VALUE" lines, names spelled as in
 * docs/xen-abi-reference.txt, values taken from Debian's libxen-dev grant_table.h.
 */
#include <stddef.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define P(name, value) printf("%s %lld\n", name, (long long)(value))
#define SIZE(t) P("sizeof(" #t ")", sizeof(t))
#define ALIGN(t) P("alignof(" #t ")", _Alignof(t))
#define OFF(t, f) P("offsetof(" #t "," #f ")", offsetof(t, f))
#define FSIZE(t, f) P("sizeof(" #t "." #f ")", sizeof(((t *)0)->f))
#define FIELD(t, f) do { OFF(t, f); FSIZE(t, f); } while (0)
#define CONST(c) P(#c, c)

int main(void)
{
    SIZE(grant_ref_t);
    SIZE(domid_t);
    SIZE(grant_status_t);

    SIZE(struct grant_entry_v1);
    ALIGN(struct grant_entry_v1);
    FIELD(struct grant_entry_v1, flags);
    FIELD(struct grant_entry_v1, domid);
    FIELD(struct grant_entry_v1, frame);

    SIZE(struct grant_entry_header);
    FIELD(struct grant_entry_header, flags);
    FIELD(struct grant_entry_header, domid);

    SIZE(union grant_entry_v2);
    ALIGN(union grant_entry_v2);
    FIELD(union grant_entry_v2, hdr);
    FIELD(union grant_entry_v2, hdr.flags);
    FIELD(union grant_entry_v2, hdr.domid);
    FIELD(union grant_entry_v2, full_page);
    FIELD(union grant_entry_v2, full_page.hdr);
    FIELD(union grant_entry_v2, full_page.pad0);
    FIELD(union grant_entry_v2, full_page.frame);
    FIELD(union grant_entry_v2, sub_page);
    FIELD(union grant_entry_v2, sub_page.hdr);
    FIELD(union grant_entry_v2, sub_page.page_off);
    FIELD(union grant_entry_v2, sub_page.length);
    FIELD(union grant_entry_v2, sub_page.frame);
    FIELD(union grant_entry_v2, transitive);
    FIELD(union grant_entry_v2, transitive.hdr);
    FIELD(union grant_entry_v2, transitive.trans_domid);
    FIELD(union grant_entry_v2, transitive.pad0);
    FIELD(union grant_entry_v2, transitive.gref);
    FIELD(union grant_entry_v2, __spacer);

    P("entries_per_4k_page(v1)", 4096 / sizeof(struct grant_entry_v1));
    P("entries_per_4k_page(v2)", 4096 / sizeof(union grant_entry_v2));
    P("status_entries_per_4k_page(v2)", 4096 / sizeof(grant_status_t));
    P("max_v1_frame(UINT32_MAX)", (uint32_t)~(((struct grant_entry_v1 *)0)->frame & 0));

    CONST(GTF_invalid);
    CONST(GTF_permit_access);
    CONST(GTF_accept_transfer);
    CONST(GTF_transitive);
    CONST(GTF_type_mask);
    CONST(_GTF_readonly);
    CONST(GTF_readonly);
    CONST(_GTF_reading);
    CONST(GTF_reading);
    CONST(_GTF_writing);
    CONST(GTF_writing);
    CONST(_GTF_PWT);
    CONST(GTF_PWT);
    CONST(_GTF_PCD);
    CONST(GTF_PCD);
    CONST(_GTF_PAT);
    CONST(GTF_PAT);
    CONST(_GTF_sub_page);
    CONST(GTF_sub_page);
    CONST(_GTF_transfer_committed);
    CONST(GTF_transfer_committed);
    CONST(_GTF_transfer_completed);
    CONST(GTF_transfer_completed);

    CONST(GNTTAB_NR_RESERVED_ENTRIES);
    CONST(GNTTAB_RESERVED_CONSOLE);
    CONST(GNTTAB_RESERVED_XENSTORE);
    CONST(DOMID_SELF);
    CONST(__HYPERVISOR_grant_table_op);

    CONST(GNTTABOP_map_grant_ref);
    CONST(GNTTABOP_unmap_grant_ref);
    CONST(GNTTABOP_setup_table);
    CONST(GNTTABOP_dump_table);
    CONST(GNTTABOP_transfer);
    CONST(GNTTABOP_copy);
    CONST(GNTTABOP_query_size);
    CONST(GNTTABOP_unmap_and_replace);
    CONST(GNTTABOP_set_version);
    CONST(GNTTABOP_get_status_frames);
    CONST(GNTTABOP_get_version);
    CONST(GNTTABOP_swap_grant_ref);
    CONST(GNTTABOP_cache_flush);

    SIZE(struct gnttab_query_size);
    FIELD(struct gnttab_query_size, dom);
    FIELD(struct gnttab_query_size, nr_frames);
    FIELD(struct gnttab_query_size, max_nr_frames);
    FIELD(struct gnttab_query_size, status);
    SIZE(struct gnttab_set_version);
    FIELD(struct gnttab_set_version, version);
    SIZE(struct gnttab_get_version);
    FIELD(struct gnttab_get_version, dom);
    FIELD(struct gnttab_get_version, pad);
    FIELD(struct gnttab_get_version, version);
    SIZE(struct gnttab_get_status_frames);
    FIELD(struct gnttab_get_status_frames, nr_frames);
    FIELD(struct gnttab_get_status_frames, dom);
    FIELD(struct gnttab_get_status_frames, status);
    FIELD(struct gnttab_get_status_frames, frame_list);
    SIZE(struct gnttab_setup_table);
    FIELD(struct gnttab_setup_table, dom);
    FIELD(struct gnttab_setup_table, nr_frames);
    FIELD(struct gnttab_setup_table, status);
    FIELD(struct gnttab_setup_table, frame_list);

    CONST(GNTST_okay);
    CONST(GNTST_general_error);
    CONST(GNTST_bad_domain);
    CONST(GNTST_bad_gntref);
    CONST(GNTST_bad_handle);
    CONST(GNTST_bad_virt_addr);
    CONST(GNTST_bad_dev_addr);
    CONST(GNTST_no_device_space);
    CONST(GNTST_permission_denied);
    CONST(GNTST_bad_page);
    CONST(GNTST_bad_copy_arg);
    CONST(GNTST_address_too_big);
    CONST(GNTST_eagain);
    CONST(GNTST_no_space);
    return 0;
}
