package example;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.xennet.core.pipe.XenPipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A user of xennet-core: a million packets between two threads, every byte checked. */
class TwoThreadsTest
{
    private static final int PACKETS = 1_000_000;

    private long received;
    private long badBytes;

    private static int length(final long seq)
    {
        return 64 + (int)(seq * 7919 % 1451); // 64 .. 1514
    }

    private static byte pattern(final long seq, final int index)
    {
        return (byte)(seq * 31 + index * 7);
    }

    @Test
    void shouldSendAMillionPacketsBetweenTwoThreadsWithEveryByteChecked() throws InterruptedException
    {
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[1514]);
        // Transport code: the lines between the markers, less braces and the line marked app (at most 10).
        // transport:begin
        try (XenPipe pipe = XenPipe.open(new XenPipe.Context()))
        {
            final Thread receiver = new Thread(() ->
            {
                while (received < PACKETS)
                {
                    if (pipe.poll((buffer, offset, length) -> check(buffer, offset, length), 64) <= 0)
                    {
                        Thread.yield();
                    }
                }
            });
            receiver.start();
            for (long seq = 0; seq < PACKETS; seq++)
            {
                fill(packet, seq); // app: the packet's bytes
                while (pipe.offer(packet, 0, length(seq)) < 0)
                {
                    Thread.yield();
                }
            }
            receiver.join();
        }
        // transport:end
        assertEquals(PACKETS, received);
        assertEquals(0, badBytes);
    }

    private static void fill(final UnsafeBuffer packet, final long seq)
    {
        final int length = length(seq);
        for (int i = 0; i < length; i++)
        {
            packet.putByte(i, pattern(seq, i));
        }
    }

    private void check(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final long seq = received++;
        if (length != length(seq))
        {
            badBytes += length(seq);
            return;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != pattern(seq, i))
            {
                badBytes++;
            }
        }
    }

    @Test
    void shouldNeedAtMostTenLinesOfTransportCode() throws java.io.IOException
    {
        final String source = java.nio.file.Files.readString(
            java.nio.file.Path.of("src/test/java/example/TwoThreadsTest.java"));
        final String[] lines = source.substring(
            source.indexOf("// transport:begin\n") + 19, source.indexOf("        // transport:end")).split("\n");
        long code = 0;
        for (final String line : lines)
        {
            final String text = line.strip();
            code += text.isEmpty() || text.matches("[{}();]+") || text.endsWith("// app: the packet's bytes") ? 0 : 1;
        }
        assertEquals(10, code, "transport lines");
    }

    @Test
    void shouldHaveNoToolDependencyOnTheClasspath()
    {
        for (final String name : new String[] {
            "picocli.CommandLine", "net.openhft.chronicle.bytes.Bytes", "org.slf4j.LoggerFactory",
            "org.slf4j.helpers.NOPLoggerFactory", "com.sun.jna.Native"})
        {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the classpath");
        }
        final String classpath = System.getProperty("java.class.path").toLowerCase();
        for (final String jar : new String[] {"picocli", "chronicle", "slf4j", "jna", "xennet-cli", "xennet-bench"})
        {
            assertEquals(-1, classpath.indexOf(jar), jar + " on the classpath: " + classpath);
        }
    }
}
