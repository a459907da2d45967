package org.xennet.core.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.netfront.TxClaim;
import org.xennet.core.offload.OffloadFeatures;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.PacketHeaders;
import org.xennet.core.offload.TestFrames;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.rings.netif.NetifResponseStatus;

/**
 * GSO and checksum offload through both rings: guest A's netfront transmits (tx ring, GSO extra slot,
 * csum_blank), A's netback hands the packet with its metadata to B's netback, which delivers it into B's rx ring
 * (GSO extra slot, NETRXF_csum_blank) or falls back to software for what B did not negotiate.
 */
class OffloadRingTest
{
    private static final int MSS = 1448;

    private Loopback loopback;
    private final Received received = new Received();

    @AfterEach
    void tearDown()
    {
        if (loopback != null)
        {
            loopback.close();
        }
    }

    private void open(final int grantVersion, final int featuresOfA, final int featuresOfB)
    {
        loopback = new Loopback(grantVersion, 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, loopback.open());
        loopback.a().front().backendFeatures(featuresOfA);
        loopback.a().back().frontendOffload(featuresOfA);
        loopback.b().front().backendFeatures(featuresOfB);
        loopback.b().back().frontendOffload(featuresOfB);
        assertTrue(loopback.b().front().refillRx() > 0);
    }

    /** Runs A's backend and B's receive until nothing moves; completes A's transmits. */
    private void pump()
    {
        final NetFront frontA = loopback.a().front();
        final NetFront frontB = loopback.b().front();
        final NetBack backA = loopback.a().back();
        for (int round = 0; round < 1000; round++)
        {
            final int tx = backA.pollTx(64);
            final int rx = frontB.pollRx(received, 1024);
            frontB.refillRx();
            final int done = frontA.pollTx(null, 1024);
            assertTrue(tx >= 0 && rx >= 0 && done >= 0, "tx=" + tx + " rx=" + rx + " done=" + done + " " + frontA +
                " " + frontB + " " + backA + " faultA=" + backA.fault());
            if (tx == 0 && rx == 0 && done == 0 && !backA.hasStagedPacket())
            {
                return;
            }
        }
        throw new AssertionError("pump did not settle");
    }

    private int putInApp(final byte[] frame)
    {
        final int offset = Loopback.appOffset(0) + 100; // not page aligned: one more fragment
        loopback.a().front().memory().buffer().putBytes(offset, frame);
        return offset;
    }

    private static OffloadInfo gso(final boolean v6)
    {
        return new OffloadInfo().gso(v6 ? NetifConstants.GSO_TYPE_TCPV6 : NetifConstants.GSO_TYPE_TCPV4, MSS)
            .partialCsum(TestFrames.ETH + (v6 ? 40 : 20), 16);
    }

    @ParameterizedTest(name = "grant v{0}, ipv6={1}")
    @CsvSource({"1,false", "1,true", "2,false", "2,true"})
    void shouldCarryA64KiBGsoFrameWithItsMetadataThroughBothRingsByteForByte(final int version, final boolean v6)
    {
        open(version, OffloadFeatures.ALL, OffloadFeatures.ALL);
        final byte[] frame = TestFrames.tcp(v6, 65_000 - 100, 7, true, 0x18);
        final NetFront frontA = loopback.a().front();
        final int slots = frontA.transmit(putInApp(frame), frame.length, gso(v6));
        final int pages = (100 + frame.length + 4095) / 4096;
        assertEquals(pages + 1, slots, "one slot per page touched, and the GSO extra");
        assertTrue(pages >= 16, "a 64 KiB frame spans 16+ slots: multi-slot (feature-sg)");
        pump();

        assertEquals(1, received.frames.size());
        assertArrayEquals(frame, received.frames.get(0));
        final OffloadInfo info = received.offload.get(0);
        assertEquals(v6 ? NetifConstants.GSO_TYPE_TCPV6 : NetifConstants.GSO_TYPE_TCPV4, info.gsoType());
        assertEquals(MSS, info.gsoSize());
        assertTrue(info.needsCsum());
        assertEquals(TestFrames.ETH + (v6 ? 40 : 20), info.csumStart());
        assertEquals(16, info.csumOffset());
        assertEquals(1, frontA.txGsoPackets());
        assertEquals(1, loopback.a().back().txGsoPackets());
        assertEquals(1, loopback.b().back().rxGsoPackets());
        assertEquals(1, loopback.b().front().rxGsoPackets());
        assertEquals(1, frontA.txPackets(), "the NULL response of the extra slot does not confuse completion");
        assertEquals(NetFrontConfigIds.ALL_FREE, frontA.txFreeIds());
        assertEquals(0, loopback.b().back().rxSegmentedFrames());
    }

    @ParameterizedTest(name = "grant v{0}")
    @CsvSource({"1", "2"})
    void shouldCarryBlankAndValidatedChecksumFlagsBothWays(final int version)
    {
        open(version, OffloadFeatures.ALL, OffloadFeatures.ALL);
        final byte[] blank = TestFrames.udp(false, 200, 1, true);
        final byte[] valid = TestFrames.tcp(true, 300, 2, false, 0x10);
        final NetFront frontA = loopback.a().front();
        assertEquals(1, frontA.transmit(putInApp(blank), blank.length,
            new OffloadInfo().partialCsum(TestFrames.ETH + 20, 6)));
        pump();
        assertEquals(1, frontA.transmit(putInApp(valid), valid.length, new OffloadInfo().flags(OffloadInfo.DATA_VALID)));
        pump();

        assertEquals(2, received.frames.size());
        assertArrayEquals(blank, received.frames.get(0));
        assertTrue(received.offload.get(0).needsCsum());
        assertEquals(TestFrames.ETH + 20, received.offload.get(0).csumStart());
        assertEquals(6, received.offload.get(0).csumOffset());
        assertArrayEquals(valid, received.frames.get(1));
        assertTrue(received.offload.get(1).dataValid());
        assertTrue(!received.offload.get(1).needsCsum());
        assertEquals(1, loopback.a().back().txCsumBlankPackets());
        assertEquals(1, loopback.b().front().rxCsumBlankPackets());
    }

    @ParameterizedTest(name = "grant v{0}, ipv6={1}")
    @CsvSource({"1,false", "2,true"})
    void shouldSegmentAndChecksumInSoftwareForAFrontendWithoutGso(final int version, final boolean v6)
    {
        open(version, OffloadFeatures.ALL, OffloadFeatures.SG); // B's frontend: no feature-gso-*
        final byte[] frame = TestFrames.tcp(v6, 30_000, 9, true, 0x18);
        assertTrue(loopback.a().front().transmit(putInApp(frame), frame.length, gso(v6)) > 0);
        pump();

        assertSegmentsOf(frame, v6);
        assertEquals(1, loopback.a().back().txGsoPackets(), "GSO on A's tx ring");
        assertEquals(1, loopback.b().back().rxSegmentedFrames());
        assertEquals(0, loopback.b().front().rxGsoPackets());
    }

    @ParameterizedTest(name = "grant v{0}, ipv6={1}")
    @CsvSource({"1,true", "2,false"})
    void shouldSegmentOnOfferForABackendWithoutGsoAndRefuseInPlaceTransmit(final int version, final boolean v6)
    {
        open(version, OffloadFeatures.SG | OffloadFeatures.IPV6_CSUM, OffloadFeatures.ALL); // A's backend: no GSO
        final byte[] frame = TestFrames.tcp(v6, 9_000, 4, true, 0x18);
        final NetFront frontA = loopback.a().front();
        assertEquals(NetFrontResult.OFFLOAD_NOT_NEGOTIATED, frontA.transmit(putInApp(frame), frame.length, gso(v6)));
        final int slots = frontA.offer(new UnsafeBuffer(frame), 0, frame.length, gso(v6), new TxClaim());
        assertEquals((9_000 + MSS - 1) / MSS, slots, "one slot per MSS-sized segment");
        pump();

        assertSegmentsOf(frame, v6);
        assertEquals(1, frontA.txSegmentedFrames());
        assertEquals(0, frontA.txGsoPackets());
    }

    @ParameterizedTest(name = "grant v{0}")
    @CsvSource({"1", "2"})
    void shouldCompleteBlankChecksumsForAFrontendWithoutChecksumOffload(final int version)
    {
        open(version, OffloadFeatures.ALL, OffloadFeatures.SG | OffloadFeatures.NO_CSUM);
        final byte[] blank = TestFrames.tcp(false, 700, 5, true, 0x18);
        assertEquals(1, loopback.a().front().transmit(putInApp(blank), blank.length,
            new OffloadInfo().partialCsum(TestFrames.ETH + 20, 16)));
        pump();

        assertEquals(1, received.frames.size());
        final byte[] got = received.frames.get(0);
        assertTrue(received.offload.get(0).isPlain(), "full checksum: no flags");
        assertEquals(TestFrames.expectedL4Checksum(blank), TestFrames.u16(got, TestFrames.ETH + 20 + 16));
        assertTrue(new PacketHeaders().verify(new UnsafeBuffer(got), 0, got.length));
        assertEquals(1, loopback.b().back().rxChecksumsCompleted());
    }

    private void assertSegmentsOf(final byte[] frame, final boolean v6)
    {
        final int header = TestFrames.ETH + (v6 ? 40 : 20) + 20;
        final int payload = frame.length - header;
        assertEquals((payload + MSS - 1) / MSS, received.frames.size());
        final ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        final PacketHeaders headers = new PacketHeaders();
        for (int i = 0; i < received.frames.size(); i++)
        {
            final byte[] s = received.frames.get(i);
            assertTrue(s.length <= header + MSS, "segment " + i + " length " + s.length);
            assertTrue(headers.verify(new UnsafeBuffer(s), 0, s.length), "checksums of segment " + i);
            assertEquals(TestFrames.expectedL4Checksum(s), TestFrames.u16(s, header - 20 + 16));
            assertTrue(received.offload.get(i).isPlain() || !received.offload.get(i).isGso());
            reassembled.write(s, header, s.length - header);
        }
        final byte[] original = new byte[payload];
        System.arraycopy(frame, header, original, 0, payload);
        assertArrayEquals(original, reassembled.toByteArray());
    }

    /** Copies every received frame and its metadata. */
    private static final class Received implements RxPacketHandler
    {
        final List<byte[]> frames = new ArrayList<>();
        final List<OffloadInfo> offload = new ArrayList<>();

        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length)
        {
            onPacket(buffer, offset, length, new OffloadInfo());
        }

        @Override
        public void onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo info)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            frames.add(copy);
            offload.add(new OffloadInfo().set(info));
        }
    }

    /** Loopback's netfronts use the maximum id count. */
    private static final class NetFrontConfigIds
    {
        static final int ALL_FREE = org.xennet.core.netfront.NetFrontConfig.MAX_IDS;
    }

    static
    {
        assert NetifResponseStatus.NULL != 0;
    }
}
