package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.testkit.ProbeOutput;
import org.xennet.testkit.XenProbes;

/**
 * Every grant offset, size and constant of this module against a C probe compiled with the real
 * {@code grant_table.h} (names as in the project's ABI reference).
 */
class GrantAbiTest
{
    private static ProbeOutput probe;

    @BeforeAll
    static void runProbe()
    {
        probe = XenProbes.run(XenProbes.GRANT);
    }

    @Test
    void shouldMatchGrantEntryV1Layout()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct grant_entry_v1)", (long)GrantEntryV1Descriptor.LENGTH);
        expected.put("offsetof(struct grant_entry_v1,flags)", (long)GrantEntryV1Descriptor.FLAGS_OFFSET);
        expected.put("sizeof(struct grant_entry_v1.flags)", 2L);
        expected.put("offsetof(struct grant_entry_v1,domid)", (long)GrantEntryV1Descriptor.DOMID_OFFSET);
        expected.put("sizeof(struct grant_entry_v1.domid)", 2L);
        expected.put("offsetof(struct grant_entry_v1,frame)", (long)GrantEntryV1Descriptor.FRAME_OFFSET);
        expected.put("sizeof(struct grant_entry_v1.frame)", 4L);
        expected.put("entries_per_4k_page(v1)", (long)GrantEntryV1Descriptor.ENTRIES_PER_FRAME);
        expected.put("max_v1_frame(UINT32_MAX)", GrantConstants.MAX_V1_FRAME);
        expected.put("sizeof(grant_ref_t)", 4L);
        expected.put("sizeof(domid_t)", 2L);
        assertProbe(expected);
        // the CAS word {flags, domid} must be the aligned first 4 bytes
        assertEquals(0, probe.get("alignof(struct grant_entry_v1)") % 4);
        assertEquals(GrantEntryV1Descriptor.HEADER_WORD_OFFSET, GrantEntryV1Descriptor.FLAGS_OFFSET);
        assertEquals(GrantEntryV1Descriptor.DOMID_OFFSET, GrantEntryV1Descriptor.FLAGS_OFFSET + 2);
    }

    @Test
    void shouldMatchGrantEntryV2Layout()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        final String u = "union grant_entry_v2";
        expected.put("sizeof(" + u + ")", (long)GrantEntryV2Descriptor.LENGTH);
        expected.put("sizeof(struct grant_entry_header)", (long)GrantEntryV2Descriptor.HEADER_LENGTH);
        expected.put("offsetof(struct grant_entry_header,flags)", (long)GrantEntryV2Descriptor.FLAGS_OFFSET);
        expected.put("offsetof(struct grant_entry_header,domid)", (long)GrantEntryV2Descriptor.DOMID_OFFSET);
        expected.put("offsetof(" + u + ",hdr)", (long)GrantEntryV2Descriptor.HEADER_WORD_OFFSET);
        expected.put("sizeof(" + u + ".hdr)", (long)GrantEntryV2Descriptor.HEADER_LENGTH);
        expected.put("offsetof(" + u + ",hdr.flags)", (long)GrantEntryV2Descriptor.FLAGS_OFFSET);
        expected.put("sizeof(" + u + ".hdr.flags)", 2L);
        expected.put("offsetof(" + u + ",hdr.domid)", (long)GrantEntryV2Descriptor.DOMID_OFFSET);
        expected.put("sizeof(" + u + ".hdr.domid)", 2L);
        expected.put("offsetof(" + u + ",full_page.hdr)", 0L);
        expected.put("offsetof(" + u + ",full_page.pad0)", (long)GrantEntryV2Descriptor.FULL_PAGE_PAD0_OFFSET);
        expected.put("sizeof(" + u + ".full_page.pad0)", 4L);
        expected.put("offsetof(" + u + ",full_page.frame)", (long)GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET);
        expected.put("sizeof(" + u + ".full_page.frame)", 8L);
        expected.put("offsetof(" + u + ",sub_page.page_off)", (long)GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET);
        expected.put("sizeof(" + u + ".sub_page.page_off)", 2L);
        expected.put("offsetof(" + u + ",sub_page.length)", (long)GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET);
        expected.put("sizeof(" + u + ".sub_page.length)", 2L);
        expected.put("offsetof(" + u + ",sub_page.frame)", (long)GrantEntryV2Descriptor.SUB_PAGE_FRAME_OFFSET);
        expected.put("sizeof(" + u + ".sub_page.frame)", 8L);
        expected.put("sizeof(" + u + ".transitive)", (long)GrantEntryV2Descriptor.TRANSITIVE_LENGTH);
        expected.put("offsetof(" + u + ",transitive.trans_domid)",
            (long)GrantEntryV2Descriptor.TRANSITIVE_DOMID_OFFSET);
        expected.put("sizeof(" + u + ".transitive.trans_domid)", 2L);
        expected.put("offsetof(" + u + ",transitive.pad0)", (long)GrantEntryV2Descriptor.TRANSITIVE_PAD0_OFFSET);
        expected.put("offsetof(" + u + ",transitive.gref)", (long)GrantEntryV2Descriptor.TRANSITIVE_GREF_OFFSET);
        expected.put("sizeof(" + u + ".transitive.gref)", 4L);
        expected.put("sizeof(" + u + ".__spacer)", (long)GrantEntryV2Descriptor.LENGTH);
        expected.put("sizeof(grant_status_t)", (long)GrantEntryV2Descriptor.STATUS_LENGTH);
        expected.put("entries_per_4k_page(v2)", (long)GrantEntryV2Descriptor.ENTRIES_PER_FRAME);
        expected.put("status_entries_per_4k_page(v2)", (long)GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME);
        assertProbe(expected);
        // the u64 frame must be naturally aligned inside an 8-aligned entry for single-copy atomicity
        assertEquals(0, probe.get("alignof(" + u + ")") % 8);
        assertEquals(0, GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET % 8);
    }

    @Test
    void shouldMatchGtfFlags()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("GTF_invalid", (long)GrantFlags.INVALID);
        expected.put("GTF_permit_access", (long)GrantFlags.PERMIT_ACCESS);
        expected.put("GTF_accept_transfer", (long)GrantFlags.ACCEPT_TRANSFER);
        expected.put("GTF_transitive", (long)GrantFlags.TRANSITIVE);
        expected.put("GTF_type_mask", (long)GrantFlags.TYPE_MASK);
        expected.put("_GTF_readonly", (long)GrantFlags.READONLY_BIT);
        expected.put("GTF_readonly", (long)GrantFlags.READONLY);
        expected.put("_GTF_reading", (long)GrantFlags.READING_BIT);
        expected.put("GTF_reading", (long)GrantFlags.READING);
        expected.put("_GTF_writing", (long)GrantFlags.WRITING_BIT);
        expected.put("GTF_writing", (long)GrantFlags.WRITING);
        expected.put("_GTF_PWT", (long)GrantFlags.PWT_BIT);
        expected.put("GTF_PWT", (long)GrantFlags.PWT);
        expected.put("_GTF_PCD", (long)GrantFlags.PCD_BIT);
        expected.put("GTF_PCD", (long)GrantFlags.PCD);
        expected.put("_GTF_PAT", (long)GrantFlags.PAT_BIT);
        expected.put("GTF_PAT", (long)GrantFlags.PAT);
        expected.put("_GTF_sub_page", (long)GrantFlags.SUB_PAGE_BIT);
        expected.put("GTF_sub_page", (long)GrantFlags.SUB_PAGE);
        expected.put("_GTF_transfer_committed", (long)GrantFlags.TRANSFER_COMMITTED_BIT);
        expected.put("GTF_transfer_committed", (long)GrantFlags.TRANSFER_COMMITTED);
        expected.put("_GTF_transfer_completed", (long)GrantFlags.TRANSFER_COMPLETED_BIT);
        expected.put("GTF_transfer_completed", (long)GrantFlags.TRANSFER_COMPLETED);
        assertProbe(expected);
        assertEquals(probe.get("GTF_reading") | probe.get("GTF_writing"), GrantFlags.IN_USE_MASK);
    }

    @Test
    void shouldMatchReservedEntriesAndDomidSelf()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("GNTTAB_NR_RESERVED_ENTRIES", (long)GrantConstants.NR_RESERVED_ENTRIES);
        expected.put("GNTTAB_RESERVED_CONSOLE", (long)GrantConstants.RESERVED_CONSOLE);
        expected.put("GNTTAB_RESERVED_XENSTORE", (long)GrantConstants.RESERVED_XENSTORE);
        expected.put("DOMID_SELF", (long)GrantConstants.DOMID_SELF);
        expected.put("__HYPERVISOR_grant_table_op", (long)GrantConstants.HYPERVISOR_GRANT_TABLE_OP);
        assertProbe(expected);
    }

    @Test
    void shouldMatchGnttabOps()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("GNTTABOP_map_grant_ref", (long)GrantConstants.GNTTABOP_MAP_GRANT_REF);
        expected.put("GNTTABOP_unmap_grant_ref", (long)GrantConstants.GNTTABOP_UNMAP_GRANT_REF);
        expected.put("GNTTABOP_setup_table", (long)GrantConstants.GNTTABOP_SETUP_TABLE);
        expected.put("GNTTABOP_dump_table", (long)GrantConstants.GNTTABOP_DUMP_TABLE);
        expected.put("GNTTABOP_transfer", (long)GrantConstants.GNTTABOP_TRANSFER);
        expected.put("GNTTABOP_copy", (long)GrantConstants.GNTTABOP_COPY);
        expected.put("GNTTABOP_query_size", (long)GrantConstants.GNTTABOP_QUERY_SIZE);
        expected.put("GNTTABOP_unmap_and_replace", (long)GrantConstants.GNTTABOP_UNMAP_AND_REPLACE);
        expected.put("GNTTABOP_set_version", (long)GrantConstants.GNTTABOP_SET_VERSION);
        expected.put("GNTTABOP_get_status_frames", (long)GrantConstants.GNTTABOP_GET_STATUS_FRAMES);
        expected.put("GNTTABOP_get_version", (long)GrantConstants.GNTTABOP_GET_VERSION);
        expected.put("GNTTABOP_swap_grant_ref", (long)GrantConstants.GNTTABOP_SWAP_GRANT_REF);
        expected.put("GNTTABOP_cache_flush", (long)GrantConstants.GNTTABOP_CACHE_FLUSH);
        assertProbe(expected);
    }

    @Test
    void shouldMatchGnttabHypercallArgumentStructs()
    {
        final Map<String, Long> expected = new LinkedHashMap<>();
        String s = "struct gnttab_query_size";
        expected.put("sizeof(" + s + ")", (long)GnttabQuerySizeDescriptor.LENGTH);
        expected.put("offsetof(" + s + ",dom)", (long)GnttabQuerySizeDescriptor.DOM_OFFSET);
        expected.put("sizeof(" + s + ".dom)", 2L);
        expected.put("offsetof(" + s + ",nr_frames)", (long)GnttabQuerySizeDescriptor.NR_FRAMES_OFFSET);
        expected.put("sizeof(" + s + ".nr_frames)", 4L);
        expected.put("offsetof(" + s + ",max_nr_frames)", (long)GnttabQuerySizeDescriptor.MAX_NR_FRAMES_OFFSET);
        expected.put("sizeof(" + s + ".max_nr_frames)", 4L);
        expected.put("offsetof(" + s + ",status)", (long)GnttabQuerySizeDescriptor.STATUS_OFFSET);
        expected.put("sizeof(" + s + ".status)", 2L);
        s = "struct gnttab_set_version";
        expected.put("sizeof(" + s + ")", (long)GnttabSetVersionDescriptor.LENGTH);
        expected.put("offsetof(" + s + ",version)", (long)GnttabSetVersionDescriptor.VERSION_OFFSET);
        expected.put("sizeof(" + s + ".version)", 4L);
        s = "struct gnttab_get_version";
        expected.put("sizeof(" + s + ")", (long)GnttabGetVersionDescriptor.LENGTH);
        expected.put("offsetof(" + s + ",dom)", (long)GnttabGetVersionDescriptor.DOM_OFFSET);
        expected.put("offsetof(" + s + ",pad)", (long)GnttabGetVersionDescriptor.PAD_OFFSET);
        expected.put("offsetof(" + s + ",version)", (long)GnttabGetVersionDescriptor.VERSION_OFFSET);
        expected.put("sizeof(" + s + ".version)", 4L);
        s = "struct gnttab_get_status_frames";
        expected.put("sizeof(" + s + ")", (long)GnttabGetStatusFramesDescriptor.LENGTH);
        expected.put("offsetof(" + s + ",nr_frames)", (long)GnttabGetStatusFramesDescriptor.NR_FRAMES_OFFSET);
        expected.put("offsetof(" + s + ",dom)", (long)GnttabGetStatusFramesDescriptor.DOM_OFFSET);
        expected.put("offsetof(" + s + ",status)", (long)GnttabGetStatusFramesDescriptor.STATUS_OFFSET);
        expected.put("sizeof(" + s + ".status)", 2L);
        expected.put("offsetof(" + s + ",frame_list)", (long)GnttabGetStatusFramesDescriptor.FRAME_LIST_OFFSET);
        expected.put("sizeof(" + s + ".frame_list)", 8L);
        s = "struct gnttab_setup_table";
        expected.put("sizeof(" + s + ")", (long)GnttabSetupTableDescriptor.LENGTH);
        expected.put("offsetof(" + s + ",dom)", (long)GnttabSetupTableDescriptor.DOM_OFFSET);
        expected.put("offsetof(" + s + ",nr_frames)", (long)GnttabSetupTableDescriptor.NR_FRAMES_OFFSET);
        expected.put("offsetof(" + s + ",status)", (long)GnttabSetupTableDescriptor.STATUS_OFFSET);
        expected.put("offsetof(" + s + ",frame_list)", (long)GnttabSetupTableDescriptor.FRAME_LIST_OFFSET);
        expected.put("sizeof(" + s + ".frame_list)", 8L);
        assertProbe(expected);
    }

    @Test
    void shouldMatchGntstCodesAndNames()
    {
        final int[] codes =
        {
            GrantConstants.GNTST_OKAY, GrantConstants.GNTST_GENERAL_ERROR, GrantConstants.GNTST_BAD_DOMAIN,
            GrantConstants.GNTST_BAD_GNTREF, GrantConstants.GNTST_BAD_HANDLE, GrantConstants.GNTST_BAD_VIRT_ADDR,
            GrantConstants.GNTST_BAD_DEV_ADDR, GrantConstants.GNTST_NO_DEVICE_SPACE,
            GrantConstants.GNTST_PERMISSION_DENIED, GrantConstants.GNTST_BAD_PAGE, GrantConstants.GNTST_BAD_COPY_ARG,
            GrantConstants.GNTST_ADDRESS_TOO_BIG, GrantConstants.GNTST_EAGAIN, GrantConstants.GNTST_NO_SPACE
        };
        int checked = 0;
        for (final int code : codes)
        {
            // the name helper must give exactly the header's spelling, and the probe its value
            final String name = GrantConstants.gntstString(code);
            assertEquals(code, probe.get(name), name);
            checked++;
        }
        assertEquals(14, checked);
        assertTrue(GrantConstants.gntstString(-14).startsWith("GNTST_unknown"));
        assertTrue(GrantConstants.gntstString(1).startsWith("GNTST_unknown"));
    }

    private static void assertProbe(final Map<String, Long> expected)
    {
        for (final Map.Entry<String, Long> entry : expected.entrySet())
        {
            assertEquals(probe.get(entry.getKey()), entry.getValue(), entry.getKey());
        }
    }
}
