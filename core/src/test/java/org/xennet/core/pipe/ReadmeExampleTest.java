package org.xennet.core.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's embedding example and its Agrona equivalent, compiled and run here: the README's code blocks must
 * equal the marked regions of this file, so the manual's example cannot drift from code that works.
 */
class ReadmeExampleTest
{
    private static final int COUNT = 100_000;

    @Test
    void shouldRunTheReadmeXenPipeExample() throws Exception
    {
        final long[] received = {0};
        final long[] bad = {0};
        // readme:xenpipe:begin
        try (XenPipe pipe = XenPipe.open(new XenPipe.Context()))
        {
            final Thread receiver = new Thread(() ->
            {
                while (received[0] < COUNT)
                {
                    if (pipe.poll((buffer, offset, length) ->
                    {
                        bad[0] += buffer.getInt(offset) == received[0]++ && length == 64 + buffer.getInt(offset) % 1451
                            ? 0 : 1;
                    }, 64) <= 0)
                    {
                        Thread.yield();
                    }
                }
            });
            receiver.start();
            final UnsafeBuffer packet = new UnsafeBuffer(new byte[1514]);
            for (int i = 0; i < COUNT; i++)
            {
                packet.putInt(0, i);
                while (pipe.offer(packet, 0, 64 + i % 1451) < 0) // RING_FULL/NO_BUFFERS: back-pressure, retry
                {
                    Thread.yield();
                }
            }
            receiver.join();
        }
        // readme:xenpipe:end
        assertEquals(COUNT, received[0]);
        assertEquals(0, bad[0]);
    }

    @Test
    void shouldRunTheReadmeAgronaExample() throws Exception
    {
        final long[] received = {0};
        final long[] bad = {0};
        // readme:agrona:begin
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
        final Thread receiver = new Thread(() ->
        {
            while (received[0] < COUNT)
            {
                if (ring.read((type, buffer, offset, length) ->
                {
                    bad[0] += buffer.getInt(offset) == received[0]++ && length == 64 + buffer.getInt(offset) % 1451
                        ? 0 : 1;
                }, 64) <= 0)
                {
                    Thread.yield();
                }
            }
        });
        receiver.start();
        final UnsafeBuffer packet = new UnsafeBuffer(new byte[1514]);
        for (int i = 0; i < COUNT; i++)
        {
            packet.putInt(0, i);
            while (!ring.write(1, packet, 0, 64 + i % 1451))
            {
                Thread.yield();
            }
        }
        receiver.join();
        // readme:agrona:end
        assertEquals(COUNT, received[0]);
        assertEquals(0, bad[0]);
    }

    @Test
    void shouldShowTheseExamplesInTheReadme() throws IOException
    {
        final Path readme = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
        final String manual = Files.readString(readme);
        final String source = Files.readString(Path.of(System.getProperty("user.dir"))
            .resolve("src/test/java/org/xennet/core/pipe/ReadmeExampleTest.java"));
        for (final String name : List.of("xenpipe", "agrona"))
        {
            assertEquals(region(source, "        // readme:" + name + ":begin\n", "        // readme:" + name + ":end"),
                region(manual, "<!-- readme:" + name + ":begin -->\n```java\n", "```\n<!-- readme:" + name + ":end"),
                "README.md's " + name + " example differs from ReadmeExampleTest");
        }
    }

    private static String region(final String text, final String begin, final String end)
    {
        final int from = text.indexOf(begin);
        final int to = text.indexOf(end, from);
        if (from < 0 || to < 0)
        {
            throw new AssertionError("markers missing: " + begin.strip());
        }
        final List<String> lines = text.substring(from + begin.length(), to).lines().collect(Collectors.toList());
        final int indent = lines.stream().filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }
}
