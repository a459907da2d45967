package org.xennet.cli.layout;

import java.util.ArrayList;
import java.util.List;

import org.xennet.cli.layout.LayoutCatalog.Constant;
import org.xennet.cli.layout.LayoutCatalog.Field;
import org.xennet.cli.layout.LayoutCatalog.Struct;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.xenstore.XsMessageType;
import org.xennet.xenstore.XsWire;
import org.xennet.grant.GnttabGetStatusFramesDescriptor;
import org.xennet.grant.GnttabGetVersionDescriptor;
import org.xennet.grant.GnttabQuerySizeDescriptor;
import org.xennet.grant.GnttabSetVersionDescriptor;
import org.xennet.grant.GnttabSetupTableDescriptor;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.rings.netif.NetifExtraInfoDescriptor;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.rings.netif.NetifRxRequestDescriptor;
import org.xennet.rings.netif.NetifRxResponseDescriptor;
import org.xennet.rings.netif.NetifRxRing;
import org.xennet.rings.netif.NetifTxFlags;
import org.xennet.rings.netif.NetifTxRequestDescriptor;
import org.xennet.rings.netif.NetifTxResponseDescriptor;
import org.xennet.rings.netif.NetifTxRing;

/**
 * Builds the {@link LayoutCatalog} from the descriptor classes: the single place that names xennet's
 * Java constants with their C spelling.
 */
final class XenLayouts
{
    private static final int U16 = 2;
    private static final int U32 = 4;
    private static final int U64 = 8;

    private XenLayouts()
    {
    }

    static LayoutCatalog catalog()
    {
        final List<Struct> structs = new ArrayList<>();
        final List<Constant> constants = new ArrayList<>();
        netif(structs, constants);
        grant(structs, constants);
        grantHypercalls(structs);
        xenstore(structs, constants);
        return new LayoutCatalog(structs, constants);
    }

    private static void netif(final List<Struct> structs, final List<Constant> constants)
    {
        structs.add(new Struct("struct netif_tx_request", NetifTxRequestDescriptor.LENGTH, U32, List.of(
            new Field("gref", NetifTxRequestDescriptor.GREF_OFFSET, U32),
            new Field("offset", NetifTxRequestDescriptor.OFFSET_OFFSET, U16),
            new Field("flags", NetifTxRequestDescriptor.FLAGS_OFFSET, U16),
            new Field("id", NetifTxRequestDescriptor.ID_OFFSET, U16),
            new Field("size", NetifTxRequestDescriptor.SIZE_OFFSET, U16)),
            "tx slot request; size is the packet total in the first fragment"));
        structs.add(new Struct("struct netif_tx_response", NetifTxResponseDescriptor.LENGTH, U16, List.of(
            new Field("id", NetifTxResponseDescriptor.ID_OFFSET, U16),
            new Field("status", NetifTxResponseDescriptor.STATUS_OFFSET, U16)),
            "status is signed: NETIF_RSP_*"));
        structs.add(new Struct("struct netif_rx_request", NetifRxRequestDescriptor.LENGTH, U32, List.of(
            new Field("id", NetifRxRequestDescriptor.ID_OFFSET, U16),
            new Field("pad", NetifRxRequestDescriptor.PAD_OFFSET, U16),
            new Field("gref", NetifRxRequestDescriptor.GREF_OFFSET, U32)),
            "rx buffer posted by the frontend"));
        structs.add(new Struct("struct netif_rx_response", NetifRxResponseDescriptor.LENGTH, U16, List.of(
            new Field("id", NetifRxResponseDescriptor.ID_OFFSET, U16),
            new Field("offset", NetifRxResponseDescriptor.OFFSET_OFFSET, U16),
            new Field("flags", NetifRxResponseDescriptor.FLAGS_OFFSET, U16),
            new Field("status", NetifRxResponseDescriptor.STATUS_OFFSET, U16)),
            "status < 0 is NETIF_RSP_*, else the fragment's byte count"));
        final int hashValue = NetifExtraInfoDescriptor.HASH_VALUE_OFFSET;
        structs.add(new Struct("struct netif_extra_info", NetifExtraInfoDescriptor.LENGTH, U16, List.of(
            new Field("type", NetifExtraInfoDescriptor.TYPE_OFFSET, 1),
            new Field("flags", NetifExtraInfoDescriptor.FLAGS_OFFSET, 1),
            new Field("u", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH),
            new Field("u.gso", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH),
            new Field("u.gso.size", NetifExtraInfoDescriptor.GSO_SIZE_OFFSET, U16),
            new Field("u.gso.type", NetifExtraInfoDescriptor.GSO_TYPE_OFFSET, 1),
            new Field("u.gso.pad", NetifExtraInfoDescriptor.GSO_PAD_OFFSET, 1),
            new Field("u.gso.features", NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET, U16),
            new Field("u.mcast", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH),
            new Field("u.mcast.addr", NetifExtraInfoDescriptor.MCAST_ADDR_OFFSET,
                NetifExtraInfoDescriptor.MCAST_ADDR_LENGTH),
            new Field("u.hash", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH),
            new Field("u.hash.type", NetifExtraInfoDescriptor.HASH_TYPE_OFFSET, 1),
            new Field("u.hash.algorithm", NetifExtraInfoDescriptor.HASH_ALGORITHM_OFFSET, 1),
            new Field("u.hash.value", hashValue, NetifExtraInfoDescriptor.HASH_VALUE_LENGTH),
            new Field("u.pad", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH)),
            "fits an 8-octet rx slot; in a tx slot the last 4 octets are unused"));
        structs.add(sring("struct netif_tx_sring", NetifTxRing.SLOT_LENGTH));
        structs.add(sring("struct netif_rx_sring", NetifRxRing.SLOT_LENGTH));

        constants.add(new Constant("ring", "__CONST_RING_SIZE(netif_tx,4096)",
            SharedRingDescriptor.ringSize(SharedRingDescriptor.PAGE_LENGTH, NetifTxRing.SLOT_LENGTH)));
        constants.add(new Constant("ring", "__CONST_RING_SIZE(netif_rx,4096)",
            SharedRingDescriptor.ringSize(SharedRingDescriptor.PAGE_LENGTH, NetifRxRing.SLOT_LENGTH)));
        constants.add(new Constant("ring", "RING_SIZE(netif_tx_front_ring@4096)", NetifTxRing.SIZE));
        constants.add(new Constant("ring", "RING_SIZE(netif_rx_front_ring@4096)", NetifRxRing.SIZE));
        flag(constants, "netif", "NETTXF_csum_blank", NetifTxFlags.CSUM_BLANK_BIT);
        flag(constants, "netif", "NETTXF_data_validated", NetifTxFlags.DATA_VALIDATED_BIT);
        flag(constants, "netif", "NETTXF_more_data", NetifTxFlags.MORE_DATA_BIT);
        flag(constants, "netif", "NETTXF_extra_info", NetifTxFlags.EXTRA_INFO_BIT);
        flag(constants, "netif", "NETRXF_data_validated", NetifRxFlags.DATA_VALIDATED_BIT);
        flag(constants, "netif", "NETRXF_csum_blank", NetifRxFlags.CSUM_BLANK_BIT);
        flag(constants, "netif", "NETRXF_more_data", NetifRxFlags.MORE_DATA_BIT);
        flag(constants, "netif", "NETRXF_extra_info", NetifRxFlags.EXTRA_INFO_BIT);
        flag(constants, "netif", "NETRXF_gso_prefix", NetifRxFlags.GSO_PREFIX_BIT);
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_NONE", NetifConstants.EXTRA_TYPE_NONE));
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_GSO", NetifConstants.EXTRA_TYPE_GSO));
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_MCAST_ADD", NetifConstants.EXTRA_TYPE_MCAST_ADD));
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_MCAST_DEL", NetifConstants.EXTRA_TYPE_MCAST_DEL));
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_HASH", NetifConstants.EXTRA_TYPE_HASH));
        constants.add(new Constant("netif", "XEN_NETIF_EXTRA_TYPE_MAX", NetifConstants.EXTRA_TYPE_MAX));
        flag(constants, "netif", "XEN_NETIF_EXTRA_FLAG_MORE", NetifConstants.EXTRA_FLAG_MORE_BIT);
        constants.add(new Constant("netif", "XEN_NETIF_GSO_TYPE_NONE", NetifConstants.GSO_TYPE_NONE));
        constants.add(new Constant("netif", "XEN_NETIF_GSO_TYPE_TCPV4", NetifConstants.GSO_TYPE_TCPV4));
        constants.add(new Constant("netif", "XEN_NETIF_GSO_TYPE_TCPV6", NetifConstants.GSO_TYPE_TCPV6));
        constants.add(new Constant("netif", "NETIF_RSP_DROPPED", NetifResponseStatus.DROPPED));
        constants.add(new Constant("netif", "NETIF_RSP_ERROR", NetifResponseStatus.ERROR));
        constants.add(new Constant("netif", "NETIF_RSP_OKAY", NetifResponseStatus.OKAY));
        constants.add(new Constant("netif", "NETIF_RSP_NULL", NetifResponseStatus.NULL));
        constants.add(new Constant("netif", "XEN_NETIF_NR_SLOTS_MIN", NetifConstants.NR_SLOTS_MIN));
        constants.add(new Constant("netif", "XEN_NETIF_MAX_TX_SIZE", NetifConstants.MAX_TX_SIZE));
    }

    private static Struct sring(final String name, final int slotLength)
    {
        // ring.h declares ring[1], so sizeof is the header plus one slot; slots always start at RING_OFFSET.
        return new Struct(name, SharedRingDescriptor.RING_OFFSET + slotLength, U32, List.of(
            new Field("req_prod", SharedRingDescriptor.REQ_PROD_OFFSET, U32),
            new Field("req_event", SharedRingDescriptor.REQ_EVENT_OFFSET, U32),
            new Field("rsp_prod", SharedRingDescriptor.RSP_PROD_OFFSET, U32),
            new Field("rsp_event", SharedRingDescriptor.RSP_EVENT_OFFSET, U32),
            new Field("pvt", SharedRingDescriptor.PVT_OFFSET, SharedRingDescriptor.PVT_LENGTH),
            new Field("pvt.netif.smartpoll_active", SharedRingDescriptor.PVT_OFFSET, 1),
            new Field("pvt.pvt_pad", SharedRingDescriptor.PVT_OFFSET, SharedRingDescriptor.PVT_LENGTH),
            new Field("__pad", SharedRingDescriptor.PAD_OFFSET, SharedRingDescriptor.PAD_LENGTH),
            new Field("ring", SharedRingDescriptor.RING_OFFSET, -1),
            new Field("ring[0]", -1, slotLength)),
            "one 4 KiB page; ring[] holds " + SharedRingDescriptor.ringSize(SharedRingDescriptor.PAGE_LENGTH,
            slotLength) + " slots of " + slotLength + " octets from offset 64");
    }

    private static void grant(final List<Struct> structs, final List<Constant> constants)
    {
        structs.add(new Struct("struct grant_entry_v1", GrantEntryV1Descriptor.LENGTH, U32, List.of(
            new Field("flags", GrantEntryV1Descriptor.FLAGS_OFFSET, U16),
            new Field("domid", GrantEntryV1Descriptor.DOMID_OFFSET, U16),
            new Field("frame", GrantEntryV1Descriptor.FRAME_OFFSET, U32)),
            GrantEntryV1Descriptor.ENTRIES_PER_FRAME + " per 4 KiB frame; frame is 32-bit"));
        structs.add(new Struct("struct grant_entry_header", GrantEntryV2Descriptor.HEADER_LENGTH, 0, List.of(
            new Field("flags", GrantEntryV2Descriptor.FLAGS_OFFSET, U16),
            new Field("domid", GrantEntryV2Descriptor.DOMID_OFFSET, U16)),
            "first 4 octets of every v2 entry"));
        final int h = GrantEntryV2Descriptor.HEADER_LENGTH;
        final int len = GrantEntryV2Descriptor.LENGTH;
        structs.add(new Struct("union grant_entry_v2", len, U64, List.of(
            new Field("hdr", 0, h),
            new Field("hdr.flags", GrantEntryV2Descriptor.FLAGS_OFFSET, U16),
            new Field("hdr.domid", GrantEntryV2Descriptor.DOMID_OFFSET, U16),
            new Field("full_page", 0, len),
            new Field("full_page.hdr", 0, h),
            new Field("full_page.pad0", GrantEntryV2Descriptor.FULL_PAGE_PAD0_OFFSET, U32),
            new Field("full_page.frame", GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET, U64),
            new Field("sub_page", 0, len),
            new Field("sub_page.hdr", 0, h),
            new Field("sub_page.page_off", GrantEntryV2Descriptor.SUB_PAGE_PAGE_OFF_OFFSET, U16),
            new Field("sub_page.length", GrantEntryV2Descriptor.SUB_PAGE_LENGTH_OFFSET, U16),
            new Field("sub_page.frame", GrantEntryV2Descriptor.SUB_PAGE_FRAME_OFFSET, U64),
            new Field("transitive", 0, GrantEntryV2Descriptor.TRANSITIVE_LENGTH),
            new Field("transitive.hdr", 0, h),
            new Field("transitive.trans_domid", GrantEntryV2Descriptor.TRANSITIVE_DOMID_OFFSET, U16),
            new Field("transitive.pad0", GrantEntryV2Descriptor.TRANSITIVE_PAD0_OFFSET, U16),
            new Field("transitive.gref", GrantEntryV2Descriptor.TRANSITIVE_GREF_OFFSET, U32),
            new Field("__spacer", 0, len)),
            GrantEntryV2Descriptor.ENTRIES_PER_FRAME + " per 4 KiB frame; frame is 64-bit"));

        constants.add(new Constant("grant_table", "sizeof(grant_status_t)", GrantEntryV2Descriptor.STATUS_LENGTH));
        constants.add(new Constant("grant_table", "entries_per_4k_page(v1)", GrantEntryV1Descriptor.ENTRIES_PER_FRAME));
        constants.add(new Constant("grant_table", "entries_per_4k_page(v2)", GrantEntryV2Descriptor.ENTRIES_PER_FRAME));
        constants.add(new Constant("grant_table", "status_entries_per_4k_page(v2)",
            GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME));
        constants.add(new Constant("grant_table", "max_v1_frame(UINT32_MAX)", GrantConstants.MAX_V1_FRAME));
        constants.add(new Constant("grant_table", "GTF_invalid", GrantFlags.INVALID));
        constants.add(new Constant("grant_table", "GTF_permit_access", GrantFlags.PERMIT_ACCESS));
        constants.add(new Constant("grant_table", "GTF_accept_transfer", GrantFlags.ACCEPT_TRANSFER));
        constants.add(new Constant("grant_table", "GTF_transitive", GrantFlags.TRANSITIVE));
        constants.add(new Constant("grant_table", "GTF_type_mask", GrantFlags.TYPE_MASK));
        flag(constants, "grant_table", "GTF_readonly", GrantFlags.READONLY_BIT);
        flag(constants, "grant_table", "GTF_reading", GrantFlags.READING_BIT);
        flag(constants, "grant_table", "GTF_writing", GrantFlags.WRITING_BIT);
        flag(constants, "grant_table", "GTF_PWT", GrantFlags.PWT_BIT);
        flag(constants, "grant_table", "GTF_PCD", GrantFlags.PCD_BIT);
        flag(constants, "grant_table", "GTF_PAT", GrantFlags.PAT_BIT);
        flag(constants, "grant_table", "GTF_sub_page", GrantFlags.SUB_PAGE_BIT);
        flag(constants, "grant_table", "GTF_transfer_committed", GrantFlags.TRANSFER_COMMITTED_BIT);
        flag(constants, "grant_table", "GTF_transfer_completed", GrantFlags.TRANSFER_COMPLETED_BIT);
        constants.add(new Constant("grant_table", "GNTTAB_NR_RESERVED_ENTRIES", GrantConstants.NR_RESERVED_ENTRIES));
        constants.add(new Constant("grant_table", "GNTTAB_RESERVED_CONSOLE", GrantConstants.RESERVED_CONSOLE));
        constants.add(new Constant("grant_table", "GNTTAB_RESERVED_XENSTORE", GrantConstants.RESERVED_XENSTORE));
        constants.add(new Constant("grant_table", "DOMID_SELF", GrantConstants.DOMID_SELF));
        constants.add(new Constant("grant_table", "__HYPERVISOR_grant_table_op",
            GrantConstants.HYPERVISOR_GRANT_TABLE_OP));
        final String[] ops = {"map_grant_ref", "unmap_grant_ref", "setup_table", "dump_table", "transfer", "copy",
            "query_size", "unmap_and_replace", "set_version", "get_status_frames", "get_version", "swap_grant_ref",
            "cache_flush"};
        final int[] opValues = {GrantConstants.GNTTABOP_MAP_GRANT_REF, GrantConstants.GNTTABOP_UNMAP_GRANT_REF,
            GrantConstants.GNTTABOP_SETUP_TABLE, GrantConstants.GNTTABOP_DUMP_TABLE, GrantConstants.GNTTABOP_TRANSFER,
            GrantConstants.GNTTABOP_COPY, GrantConstants.GNTTABOP_QUERY_SIZE, GrantConstants.GNTTABOP_UNMAP_AND_REPLACE,
            GrantConstants.GNTTABOP_SET_VERSION, GrantConstants.GNTTABOP_GET_STATUS_FRAMES,
            GrantConstants.GNTTABOP_GET_VERSION, GrantConstants.GNTTABOP_SWAP_GRANT_REF,
            GrantConstants.GNTTABOP_CACHE_FLUSH};
        for (int i = 0; i < ops.length; i++)
        {
            constants.add(new Constant("grant_table", "GNTTABOP_" + ops[i], opValues[i]));
        }
        final String[] status = {"okay", "general_error", "bad_domain", "bad_gntref", "bad_handle", "bad_virt_addr",
            "bad_dev_addr", "no_device_space", "permission_denied", "bad_page", "bad_copy_arg", "address_too_big",
            "eagain", "no_space"};
        final int[] statusValues = {GrantConstants.GNTST_OKAY, GrantConstants.GNTST_GENERAL_ERROR,
            GrantConstants.GNTST_BAD_DOMAIN, GrantConstants.GNTST_BAD_GNTREF, GrantConstants.GNTST_BAD_HANDLE,
            GrantConstants.GNTST_BAD_VIRT_ADDR, GrantConstants.GNTST_BAD_DEV_ADDR, GrantConstants.GNTST_NO_DEVICE_SPACE,
            GrantConstants.GNTST_PERMISSION_DENIED, GrantConstants.GNTST_BAD_PAGE, GrantConstants.GNTST_BAD_COPY_ARG,
            GrantConstants.GNTST_ADDRESS_TOO_BIG, GrantConstants.GNTST_EAGAIN, GrantConstants.GNTST_NO_SPACE};
        for (int i = 0; i < status.length; i++)
        {
            constants.add(new Constant("grant_table", "GNTST_" + status[i], statusValues[i]));
        }
    }

    private static void grantHypercalls(final List<Struct> structs)
    {
        structs.add(new Struct("struct gnttab_query_size", GnttabQuerySizeDescriptor.LENGTH, 0, List.of(
            new Field("dom", GnttabQuerySizeDescriptor.DOM_OFFSET, U16),
            new Field("nr_frames", GnttabQuerySizeDescriptor.NR_FRAMES_OFFSET, U32),
            new Field("max_nr_frames", GnttabQuerySizeDescriptor.MAX_NR_FRAMES_OFFSET, U32),
            new Field("status", GnttabQuerySizeDescriptor.STATUS_OFFSET, U16)),
            "GNTTABOP_query_size argument"));
        structs.add(new Struct("struct gnttab_set_version", GnttabSetVersionDescriptor.LENGTH, 0, List.of(
            new Field("version", GnttabSetVersionDescriptor.VERSION_OFFSET, U32)),
            "GNTTABOP_set_version argument (in/out)"));
        structs.add(new Struct("struct gnttab_get_version", GnttabGetVersionDescriptor.LENGTH, 0, List.of(
            new Field("dom", GnttabGetVersionDescriptor.DOM_OFFSET, U16),
            new Field("pad", GnttabGetVersionDescriptor.PAD_OFFSET, U16),
            new Field("version", GnttabGetVersionDescriptor.VERSION_OFFSET, U32)),
            "GNTTABOP_get_version argument"));
        structs.add(new Struct("struct gnttab_get_status_frames", GnttabGetStatusFramesDescriptor.LENGTH, 0, List.of(
            new Field("nr_frames", GnttabGetStatusFramesDescriptor.NR_FRAMES_OFFSET, U32),
            new Field("dom", GnttabGetStatusFramesDescriptor.DOM_OFFSET, U16),
            new Field("status", GnttabGetStatusFramesDescriptor.STATUS_OFFSET, U16),
            new Field("frame_list", GnttabGetStatusFramesDescriptor.FRAME_LIST_OFFSET, U64)),
            "GNTTABOP_get_status_frames argument (LP64)"));
        structs.add(new Struct("struct gnttab_setup_table", GnttabSetupTableDescriptor.LENGTH, 0, List.of(
            new Field("dom", GnttabSetupTableDescriptor.DOM_OFFSET, U16),
            new Field("nr_frames", GnttabSetupTableDescriptor.NR_FRAMES_OFFSET, U32),
            new Field("status", GnttabSetupTableDescriptor.STATUS_OFFSET, U16),
            new Field("frame_list", GnttabSetupTableDescriptor.FRAME_LIST_OFFSET, U64)),
            "GNTTABOP_setup_table argument (LP64)"));
    }

    private static void xenstore(final List<Struct> structs, final List<Constant> constants)
    {
        structs.add(new Struct("struct xsd_sockmsg", XsWire.HEADER_LENGTH, 0, List.of(
            new Field("type", XsWire.TYPE_OFFSET, U32),
            new Field("req_id", XsWire.REQ_ID_OFFSET, U32),
            new Field("tx_id", XsWire.TX_ID_OFFSET, U32),
            new Field("len", XsWire.LEN_OFFSET, U32)),
            "xenstore wire header; the payload follows"));
        for (final XenbusState state : XenbusState.values())
        {
            constants.add(new Constant("xenbus", state.cName(), state.code()));
        }
        final String[] types = {"CONTROL", "DEBUG", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
            "TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM",
            "SET_PERMS", "WATCH_EVENT", "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "RESET_WATCHES",
            "DIRECTORY_PART", "TYPE_COUNT", "INVALID"};
        final int[] typeValues = {XsMessageType.CONTROL, XsMessageType.DEBUG, XsMessageType.DIRECTORY,
            XsMessageType.READ, XsMessageType.GET_PERMS, XsMessageType.WATCH, XsMessageType.UNWATCH,
            XsMessageType.TRANSACTION_START, XsMessageType.TRANSACTION_END, XsMessageType.INTRODUCE,
            XsMessageType.RELEASE, XsMessageType.GET_DOMAIN_PATH, XsMessageType.WRITE, XsMessageType.MKDIR,
            XsMessageType.RM, XsMessageType.SET_PERMS, XsMessageType.WATCH_EVENT, XsMessageType.ERROR,
            XsMessageType.IS_DOMAIN_INTRODUCED, XsMessageType.RESUME, XsMessageType.SET_TARGET,
            XsMessageType.RESET_WATCHES, XsMessageType.DIRECTORY_PART, XsMessageType.TYPE_COUNT,
            XsMessageType.INVALID};
        for (int i = 0; i < types.length; i++)
        {
            constants.add(new Constant("xs_wire", "XS_" + types[i], typeValues[i]));
        }
        constants.add(new Constant("xs_wire", "XS_WATCH_PATH", XsWire.WATCH_PATH));
        constants.add(new Constant("xs_wire", "XS_WATCH_TOKEN", XsWire.WATCH_TOKEN));
        constants.add(new Constant("xs_wire", "XENSTORE_RING_SIZE", XsWire.RING_SIZE));
        constants.add(new Constant("xs_wire", "XENSTORE_PAYLOAD_MAX", XsWire.PAYLOAD_MAX));
        constants.add(new Constant("xs_wire", "XENSTORE_ABS_PATH_MAX", XsWire.ABS_PATH_MAX));
        constants.add(new Constant("xs_wire", "XENSTORE_REL_PATH_MAX", XsWire.REL_PATH_MAX));
    }

    /** A flag as ring.h/netif.h/grant_table.h define it: the bit number {@code _NAME} and the mask {@code NAME}. */
    private static void flag(final List<Constant> constants, final String group, final String name, final int bit)
    {
        constants.add(new Constant(group, "_" + name, bit));
        constants.add(new Constant(group, name, 1L << bit));
    }
}
