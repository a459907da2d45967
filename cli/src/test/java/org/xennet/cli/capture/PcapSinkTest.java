package org.xennet.cli.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xennet.core.netback.PacketSink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes captures with {@link PcapSink} and reads them back with Wireshark's own tools ({@code tshark},
 * {@code capinfos}, Debian package {@code tshark}: installed by {@code scripts/test.sh}).
 */
final class PcapSinkTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PcapPrecision.class)
    void shouldWriteEveryPacketSoTsharkReadsTheSameLengthsAndBytes(final PcapPrecision precision) throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final Path file = dir.resolve("out.pcap");
        final List<byte[]> packets = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[70_000]);
        final long before = System.currentTimeMillis() / 1000;
        try (PcapSink sink = new PcapSink(file, precision, PcapSink.DEFAULT_SNAP_LENGTH, (b, o, l) -> PacketSink.DROPPED))
        {
            for (int i = 0; i < 3000; i++)
            {
                final byte[] packet = new byte[i == 0 ? 65535 : 14 + random.nextInt(i % 10 == 0 ? 9000 : 1500)];
                random.nextBytes(packet);
                packets.add(packet);
                buffer.putBytes(7, packet);
                assertEquals(PacketSink.DROPPED, sink.onPacket(buffer, 7, packet.length)); // downstream's answer
            }
            assertEquals(3000, sink.packets());
            assertNull(sink.failure());
        }
        final long after = System.currentTimeMillis() / 1000 + 1;

        final String info = run("capinfos", "-t", "-M", "-c", file.toString());
        assertTrue(info.contains(precision == PcapPrecision.NANO ? "nsecpcap" : "pcap"), info);
        assertTrue(info.matches("(?s).*Number of packets:\\s+3000\\b.*"), info);

        final String[] fields = run("tshark", "-r", file.toString(), "-T", "fields",
            "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch").split("\n");
        assertEquals(3000, fields.length);
        for (int i = 0; i < fields.length; i++)
        {
            final String[] f = fields[i].split("\t");
            assertEquals(packets.get(i).length, Integer.parseInt(f[0]), "seed=" + seed + " packet " + i);
            assertEquals(packets.get(i).length, Integer.parseInt(f[1]), "seed=" + seed + " packet " + i);
            final double epoch = Double.parseDouble(f[2]);
            assertTrue(epoch >= before && epoch <= after, "timestamp " + f[2]);
        }
        final List<byte[]> read = hexDumps(run("tshark", "-r", file.toString(), "-c", "200", "-x"));
        assertEquals(200, read.size());
        for (int i = 0; i < read.size(); i++)
        {
            assertArrayEquals(packets.get(i), read.get(i), "seed=" + seed + " packet " + i);
        }
    }

    @Test
    void shouldTruncateToTheSnapLengthAndKeepTheOriginalLength() throws Exception
    {
        final Path file = dir.resolve("snap.pcap");
        final byte[] packet = new byte[1000];
        new Random(1).nextBytes(packet);
        try (PcapSink sink = new PcapSink(file, PcapPrecision.MICRO, 96, (b, o, l) -> PacketSink.ACCEPTED))
        {
            assertEquals(PacketSink.ACCEPTED, sink.onPacket(new UnsafeBuffer(packet), 0, packet.length));
        }
        final String[] f = run("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.len", "-e",
            "frame.cap_len").trim().split("\t");
        assertEquals("1000", f[0]);
        assertEquals("96", f[1]);
        final byte[] captured = hexDumps(run("tshark", "-r", file.toString(), "-x")).get(0);
        assertArrayEquals(java.util.Arrays.copyOf(packet, 96), captured);
    }

    /** Parses {@code tshark -x} output: per packet, lines "OOOO  hh hh ... (16)   ascii", packets apart by blanks. */
    static List<byte[]> hexDumps(final String text)
    {
        final List<byte[]> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream current = null;
        for (final String line : text.split("\n"))
        {
            if (line.matches("^[0-9a-f]{4,}  .*"))
            {
                if (null == current)
                {
                    current = new java.io.ByteArrayOutputStream();
                }
                final int start = line.indexOf("  ") + 2;
                final String hex = line.substring(start, Math.min(line.length(), start + 47)).trim();
                for (final String token : hex.split(" +"))
                {
                    current.write(Integer.parseInt(token, 16));
                }
            }
            else if (line.isBlank() && null != current)
            {
                packets.add(current.toByteArray());
                current = null;
            }
        }
        if (null != current)
        {
            packets.add(current.toByteArray());
        }
        return packets;
    }

    static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(command[0] + " not found; install Debian's tshark " +
                "(apt-get install -y tshark, or run ./scripts/test.sh, which does)", ex);
        }
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command[0] + " timed out");
        assertEquals(0, process.exitValue(), command[0] + " failed: " + out);
        return out;
    }
}
