package org.xennet.core.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.rings.netif.NetifConstants;

class TcpSegmenterTest
{
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldComputeTheTextbookIpv4HeaderChecksum()
    {
        // The classic example header (checksum b861 stored at bytes 10..11).
        final byte[] header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0, 0,
            (byte)0xc0, (byte)0xa8, 0x00, 0x01, (byte)0xc0, (byte)0xa8, 0x00, (byte)0xc7};
        assertEquals(0xb861, InetChecksum.checksum(new UnsafeBuffer(header), 0, header.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 7, 100, 1449, 4097})
    void shouldMatchTheByteByByteChecksumForEveryLengthAndOffset(final int length)
    {
        final byte[] data = new byte[length + 8];
        new java.util.Random(length).nextBytes(data);
        for (int offset = 0; offset < 4; offset++)
        {
            assertEquals(TestFrames.referenceChecksum(data, offset, length, 0),
                InetChecksum.checksum(new UnsafeBuffer(data), offset, length), "offset=" + offset);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldCompleteABlankTcpChecksumAsTheReferenceComputesIt(final boolean v6)
    {
        final byte[] frame = TestFrames.tcp(v6, 1000, 11, true, 0x18);
        final int l4 = TestFrames.ETH + (v6 ? 40 : 20);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.clone());
        assertEquals(PacketHeaders.OK, headers.completeChecksum(buffer, 0, frame.length));
        final byte[] done = new byte[frame.length];
        buffer.getBytes(0, done);
        assertEquals(TestFrames.expectedL4Checksum(frame), TestFrames.u16(done, l4 + 16));
        assertTrue(headers.verify(buffer, 0, frame.length));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldCompleteABlankChecksumTheVirtioWayFromCsumStartAndOffset(final boolean v6)
    {
        final byte[] frame = TestFrames.udp(v6, 333, 5, true); // field holds the pseudo-header sum
        final int l4 = TestFrames.ETH + (v6 ? 40 : 20);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.clone());
        assertEquals(PacketHeaders.OK, PacketHeaders.completePartial(buffer, 0, frame.length, l4, 6));
        assertEquals(TestFrames.expectedL4Checksum(frame), buffer.getShort(l4 + 6, java.nio.ByteOrder.BIG_ENDIAN) &
            0xFFFF);
    }

    @Test
    void shouldLocateTheChecksumOfABlankPacketAndRewriteThePseudoHeaderSum()
    {
        final byte[] frame = TestFrames.tcp(false, 500, 3, true, 0x10);
        final byte[] garbled = frame.clone();
        garbled[TestFrames.ETH + 20 + 16] = 0x55; // a GSO sender may leave anything in the field
        final UnsafeBuffer buffer = new UnsafeBuffer(garbled);
        final OffloadInfo info = new OffloadInfo();
        assertEquals(PacketHeaders.OK, headers.checksumSetup(buffer, 0, garbled.length, info, true));
        assertEquals(TestFrames.ETH + 20, info.csumStart());
        assertEquals(16, info.csumOffset());
        assertTrue(info.needsCsum());
        assertArrayEquals(frame, garbled);
    }

    @Test
    void shouldRefuseFramesItCannotChecksum()
    {
        final byte[] frame = TestFrames.tcp(false, 100, 1, true, 0x10);
        final byte[] fragment = frame.clone();
        fragment[TestFrames.ETH + 6] = 0x20; // MF
        assertEquals(PacketHeaders.FRAGMENT, headers.parse(new UnsafeBuffer(fragment), 0, fragment.length));
        final byte[] arp = frame.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertEquals(PacketHeaders.NOT_IP, headers.parse(new UnsafeBuffer(arp), 0, arp.length));
        assertEquals(PacketHeaders.BAD_HEADER, headers.parse(new UnsafeBuffer(frame), 0, frame.length - 1));
        assertEquals(PacketHeaders.TRUNCATED, headers.parse(new UnsafeBuffer(frame), 0, 20));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSegmentAGsoFrameIntoMssSizedFramesThatReassembleByteEqual(final boolean v6)
    {
        final int mss = 1448;
        final int payload = 64_000 - 100;
        final byte[] frame = TestFrames.tcp(v6, payload, 42, true, 0x19); // FIN|PSH|ACK: only on the last
        final int header = TestFrames.ETH + (v6 ? 40 : 20) + 20;
        final OffloadInfo info = new OffloadInfo()
            .gso(v6 ? NetifConstants.GSO_TYPE_TCPV6 : NetifConstants.GSO_TYPE_TCPV4, mss)
            .partialCsum(header - 20, 16);
        final List<byte[]> segments = new ArrayList<>();
        final int expected = (payload + mss - 1) / mss;
        assertEquals(expected, segmenter.segmentCount(new UnsafeBuffer(frame), 0, frame.length, info));
        final int rc = segmenter.segment(new UnsafeBuffer(frame), 0, frame.length, info, (b, o, l) ->
        {
            final byte[] copy = new byte[l];
            b.getBytes(o, copy);
            segments.add(copy);
            return 0;
        });
        assertEquals(expected, rc);

        final ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        final int seq0 = java.nio.ByteBuffer.wrap(frame).getInt(header - 20 + 4);
        for (int i = 0; i < segments.size(); i++)
        {
            final byte[] s = segments.get(i);
            final boolean last = i == segments.size() - 1;
            assertEquals(last ? header + payload - (expected - 1) * mss : header + mss, s.length, "segment " + i);
            assertEquals(TestFrames.expectedL4Checksum(s), TestFrames.u16(s, header - 20 + 16), "tcp csum " + i);
            assertTrue(headers.verify(new UnsafeBuffer(s), 0, s.length), "verify " + i);
            assertEquals(seq0 + i * mss, java.nio.ByteBuffer.wrap(s).getInt(header - 20 + 4), "seq " + i);
            assertEquals(last ? 0x19 : 0x10, s[header - 20 + 13] & 0xFF, "flags " + i);
            if (v6)
            {
                assertEquals(s.length - TestFrames.ETH - 40, TestFrames.u16(s, TestFrames.ETH + 4));
            }
            else
            {
                assertEquals(s.length - TestFrames.ETH, TestFrames.u16(s, TestFrames.ETH + 2));
                assertEquals(0x1234 + i, TestFrames.u16(s, TestFrames.ETH + 4), "ip id " + i);
                assertEquals(0, TestFrames.referenceChecksum(s, TestFrames.ETH, 20, 0), "ip csum " + i);
            }
            for (int j = 0; j < header - 20; j++)
            {
                if (!(j >= TestFrames.ETH + 2 && j < TestFrames.ETH + 6) && !(j >= TestFrames.ETH + 10 &&
                    j < TestFrames.ETH + 12))
                {
                    assertEquals(frame[j], s[j], "header byte " + j + " of segment " + i);
                }
            }
            reassembled.write(s, header, s.length - header);
        }
        final byte[] original = new byte[payload];
        System.arraycopy(frame, header, original, 0, payload);
        assertArrayEquals(original, reassembled.toByteArray());
    }

    @Test
    void shouldStopWhereTheConsumerStopsAndReportIt()
    {
        final byte[] frame = TestFrames.tcp(false, 10_000, 1, true, 0x10);
        final OffloadInfo info = new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV4, 1000);
        final int[] seen = {0};
        final int rc = segmenter.segment(new UnsafeBuffer(frame), 0, frame.length, info,
            (b, o, l) -> ++seen[0] == 3 ? -3 : 0);
        assertEquals(-3, rc);
        assertEquals(3, seen[0]);
    }

    @Test
    void shouldRefuseAGsoTypeThatDoesNotMatchTheIpVersionOrAZeroMss()
    {
        final byte[] frame = TestFrames.tcp(false, 5000, 1, true, 0x10);
        assertEquals(TcpSegmenter.NOT_TCP, segmenter.segmentCount(new UnsafeBuffer(frame), 0, frame.length,
            new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV6, 1000)));
        assertEquals(TcpSegmenter.BAD_GSO_SIZE, segmenter.segmentCount(new UnsafeBuffer(frame), 0, frame.length,
            new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV4, 0)));
        final byte[] udp = TestFrames.udp(false, 5000, 1, true);
        assertEquals(TcpSegmenter.NOT_TCP, segmenter.segmentCount(new UnsafeBuffer(udp), 0, udp.length,
            new OffloadInfo().gso(NetifConstants.GSO_TYPE_TCPV4, 1000)));
    }
}
