package org.xennet.rings.netif;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;

class NetifDescriptorTest
{
    private static final String TX_REQ = "struct netif_tx_request";
    private static final String TX_RSP = "struct netif_tx_response";
    private static final String RX_REQ = "struct netif_rx_request";
    private static final String RX_RSP = "struct netif_rx_response";
    private static final String EXTRA = "struct netif_extra_info";

    private static ProbeOutput probe;

    @BeforeAll
    static void compileProbe()
    {
        final CProgram program = CProgram.compileResources(NetifDescriptorTest.class, List.of("/c/ring_abi_probe.c"));
        probe = ProbeOutput.parse(program.runForOutput());
    }

    @Test
    void shouldMatchTxRequestLayout()
    {
        assertEquals(probe.get("sizeof(" + TX_REQ + ")"), NetifTxRequestDescriptor.LENGTH);
        assertField(TX_REQ, "gref", NetifTxRequestDescriptor.GREF_OFFSET, 4);
        assertField(TX_REQ, "offset", NetifTxRequestDescriptor.OFFSET_OFFSET, 2);
        assertField(TX_REQ, "flags", NetifTxRequestDescriptor.FLAGS_OFFSET, 2);
        assertField(TX_REQ, "id", NetifTxRequestDescriptor.ID_OFFSET, 2);
        assertField(TX_REQ, "size", NetifTxRequestDescriptor.SIZE_OFFSET, 2);
    }

    @Test
    void shouldMatchTxResponseLayout()
    {
        assertEquals(probe.get("sizeof(" + TX_RSP + ")"), NetifTxResponseDescriptor.LENGTH);
        assertField(TX_RSP, "id", NetifTxResponseDescriptor.ID_OFFSET, 2);
        assertField(TX_RSP, "status", NetifTxResponseDescriptor.STATUS_OFFSET, 2);
    }

    @Test
    void shouldMatchRxRequestLayout()
    {
        assertEquals(probe.get("sizeof(" + RX_REQ + ")"), NetifRxRequestDescriptor.LENGTH);
        assertField(RX_REQ, "id", NetifRxRequestDescriptor.ID_OFFSET, 2);
        assertField(RX_REQ, "pad", NetifRxRequestDescriptor.PAD_OFFSET, 2);
        assertField(RX_REQ, "gref", NetifRxRequestDescriptor.GREF_OFFSET, 4);
    }

    @Test
    void shouldMatchRxResponseLayout()
    {
        assertEquals(probe.get("sizeof(" + RX_RSP + ")"), NetifRxResponseDescriptor.LENGTH);
        assertField(RX_RSP, "id", NetifRxResponseDescriptor.ID_OFFSET, 2);
        assertField(RX_RSP, "offset", NetifRxResponseDescriptor.OFFSET_OFFSET, 2);
        assertField(RX_RSP, "flags", NetifRxResponseDescriptor.FLAGS_OFFSET, 2);
        assertField(RX_RSP, "status", NetifRxResponseDescriptor.STATUS_OFFSET, 2);
    }

    @Test
    void shouldMatchExtraInfoLayout()
    {
        assertEquals(probe.get("sizeof(" + EXTRA + ")"), NetifExtraInfoDescriptor.LENGTH);
        assertField(EXTRA, "type", NetifExtraInfoDescriptor.TYPE_OFFSET, 1);
        assertField(EXTRA, "flags", NetifExtraInfoDescriptor.FLAGS_OFFSET, 1);
        assertField(EXTRA, "u", NetifExtraInfoDescriptor.U_OFFSET, NetifExtraInfoDescriptor.U_LENGTH);
        assertField(EXTRA, "u.gso.size", NetifExtraInfoDescriptor.GSO_SIZE_OFFSET, 2);
        assertField(EXTRA, "u.gso.type", NetifExtraInfoDescriptor.GSO_TYPE_OFFSET, 1);
        assertField(EXTRA, "u.gso.pad", NetifExtraInfoDescriptor.GSO_PAD_OFFSET, 1);
        assertField(EXTRA, "u.gso.features", NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET, 2);
        assertField(EXTRA, "u.mcast.addr", NetifExtraInfoDescriptor.MCAST_ADDR_OFFSET,
            NetifExtraInfoDescriptor.MCAST_ADDR_LENGTH);
        assertField(EXTRA, "u.hash.type", NetifExtraInfoDescriptor.HASH_TYPE_OFFSET, 1);
        assertField(EXTRA, "u.hash.algorithm", NetifExtraInfoDescriptor.HASH_ALGORITHM_OFFSET, 1);
        assertField(EXTRA, "u.hash.value", NetifExtraInfoDescriptor.HASH_VALUE_OFFSET,
            NetifExtraInfoDescriptor.HASH_VALUE_LENGTH);
    }

    @Test
    void shouldMatchRingSlotLengthsAndSizes()
    {
        assertEquals(probe.get("sizeof(union netif_tx_sring_entry)"), NetifTxRing.SLOT_LENGTH);
        assertEquals(probe.get("sizeof(struct netif_tx_sring.ring[0])"), NetifTxRing.SLOT_LENGTH);
        assertEquals(probe.get("sizeof(union netif_rx_sring_entry)"), NetifRxRing.SLOT_LENGTH);
        assertEquals(probe.get("sizeof(struct netif_rx_sring.ring[0])"), NetifRxRing.SLOT_LENGTH);
        assertEquals(probe.get("__CONST_RING_SIZE(netif_tx,4096)"), NetifTxRing.SIZE);
        assertEquals(probe.get("__CONST_RING_SIZE(netif_rx,4096)"), NetifRxRing.SIZE);
        assertEquals(probe.get("offsetof(struct netif_tx_sring,ring)"), SharedRingDescriptor.RING_OFFSET);
        assertEquals(probe.get("offsetof(struct netif_rx_sring,ring)"), SharedRingDescriptor.RING_OFFSET);
    }

    @Test
    void shouldMatchTxFlags()
    {
        assertConst("_NETTXF_csum_blank", NetifTxFlags.CSUM_BLANK_BIT);
        assertConst("NETTXF_csum_blank", NetifTxFlags.CSUM_BLANK);
        assertConst("_NETTXF_data_validated", NetifTxFlags.DATA_VALIDATED_BIT);
        assertConst("NETTXF_data_validated", NetifTxFlags.DATA_VALIDATED);
        assertConst("_NETTXF_more_data", NetifTxFlags.MORE_DATA_BIT);
        assertConst("NETTXF_more_data", NetifTxFlags.MORE_DATA);
        assertConst("_NETTXF_extra_info", NetifTxFlags.EXTRA_INFO_BIT);
        assertConst("NETTXF_extra_info", NetifTxFlags.EXTRA_INFO);
    }

    @Test
    void shouldMatchRxFlags()
    {
        assertConst("_NETRXF_data_validated", NetifRxFlags.DATA_VALIDATED_BIT);
        assertConst("NETRXF_data_validated", NetifRxFlags.DATA_VALIDATED);
        assertConst("_NETRXF_csum_blank", NetifRxFlags.CSUM_BLANK_BIT);
        assertConst("NETRXF_csum_blank", NetifRxFlags.CSUM_BLANK);
        assertConst("_NETRXF_more_data", NetifRxFlags.MORE_DATA_BIT);
        assertConst("NETRXF_more_data", NetifRxFlags.MORE_DATA);
        assertConst("_NETRXF_extra_info", NetifRxFlags.EXTRA_INFO_BIT);
        assertConst("NETRXF_extra_info", NetifRxFlags.EXTRA_INFO);
        assertConst("_NETRXF_gso_prefix", NetifRxFlags.GSO_PREFIX_BIT);
        assertConst("NETRXF_gso_prefix", NetifRxFlags.GSO_PREFIX);
    }

    @Test
    void shouldMatchResponseStatusAndNetifConstants()
    {
        assertConst("NETIF_RSP_DROPPED", NetifResponseStatus.DROPPED);
        assertConst("NETIF_RSP_ERROR", NetifResponseStatus.ERROR);
        assertConst("NETIF_RSP_OKAY", NetifResponseStatus.OKAY);
        assertConst("NETIF_RSP_NULL", NetifResponseStatus.NULL);
        assertConst("XEN_NETIF_NR_SLOTS_MIN", NetifConstants.NR_SLOTS_MIN);
        assertConst("XEN_NETIF_MAX_TX_SIZE", NetifConstants.MAX_TX_SIZE);
        assertConst("XEN_NETIF_EXTRA_TYPE_NONE", NetifConstants.EXTRA_TYPE_NONE);
        assertConst("XEN_NETIF_EXTRA_TYPE_GSO", NetifConstants.EXTRA_TYPE_GSO);
        assertConst("XEN_NETIF_EXTRA_TYPE_MCAST_ADD", NetifConstants.EXTRA_TYPE_MCAST_ADD);
        assertConst("XEN_NETIF_EXTRA_TYPE_MCAST_DEL", NetifConstants.EXTRA_TYPE_MCAST_DEL);
        assertConst("XEN_NETIF_EXTRA_TYPE_HASH", NetifConstants.EXTRA_TYPE_HASH);
        assertConst("XEN_NETIF_EXTRA_TYPE_MAX", NetifConstants.EXTRA_TYPE_MAX);
        assertConst("_XEN_NETIF_EXTRA_FLAG_MORE", NetifConstants.EXTRA_FLAG_MORE_BIT);
        assertConst("XEN_NETIF_EXTRA_FLAG_MORE", NetifConstants.EXTRA_FLAG_MORE);
        assertConst("XEN_NETIF_GSO_TYPE_NONE", NetifConstants.GSO_TYPE_NONE);
        assertConst("XEN_NETIF_GSO_TYPE_TCPV4", NetifConstants.GSO_TYPE_TCPV4);
        assertConst("XEN_NETIF_GSO_TYPE_TCPV6", NetifConstants.GSO_TYPE_TCPV6);
    }

    private static void assertConst(final String name, final int value)
    {
        assertEquals(probe.get(name), value, name);
    }

    private static void assertField(final String struct, final String field, final int offset, final int length)
    {
        assertEquals(probe.get("offsetof(" + struct + "," + field + ")"), offset, struct + "." + field);
        assertEquals(probe.get("sizeof(" + struct + "." + field + ")"), length, struct + "." + field);
    }
}
