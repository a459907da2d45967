package org.xennet.bench.throughput;

import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xennet.bench.BenchmarkRunner;

/**
 * The ceiling of a copying backend: one thread copying a packet of {@code size} bytes out of a pool of 256
 * guest pages (4 KiB each, off-heap) into a second pool, page by page as a grant copy must (a copy never
 * crosses a page, so a 9000-byte jumbo frame is three copies). Score: packets per second; bytes per second
 * is the score times {@code size}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Thread)
public class CopyLimitBenchmark
{
    /** Length of a guest page. */
    public static final int PAGE_LENGTH = 4096;

    /** Pages in each pool (the netif ring's slot count). */
    public static final int PAGE_COUNT = 256;

    /** Packet length in bytes: a minimum frame, a medium one, a full Ethernet MTU, a jumbo frame. */
    @Param({"64", "512", "1500", "9000"})
    public int size;

    private UnsafeBuffer guestPages;
    private UnsafeBuffer packetPages;
    private int page;

    /** Allocates both pools page-aligned and touches every page so no first-touch fault is measured. */
    @Setup(Level.Trial)
    public void setUp()
    {
        guestPages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(PAGE_COUNT * PAGE_LENGTH, PAGE_LENGTH));
        packetPages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(PAGE_COUNT * PAGE_LENGTH, PAGE_LENGTH));
        for (int i = 0; i < PAGE_COUNT * PAGE_LENGTH; i += 8)
        {
            guestPages.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        packetPages.setMemory(0, PAGE_COUNT * PAGE_LENGTH, (byte)0);
        page = 0;
    }

    /**
     * Copies one packet, a page-sized chunk at a time, from the next guest page(s) into the packet pool.
     *
     * @return the last page used, so the loop has a visible result.
     */
    @Benchmark
    public int copy()
    {
        final UnsafeBuffer src = guestPages;
        final UnsafeBuffer dst = packetPages;
        int remaining = size;
        int p = page;
        while (remaining > 0)
        {
            final int chunk = Math.min(remaining, PAGE_LENGTH);
            final int offset = p * PAGE_LENGTH;
            dst.putBytes(offset, src, offset, chunk);
            remaining -= chunk;
            p = (p + 1) & (PAGE_COUNT - 1);
        }
        page = p;
        return p;
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(CopyLimitBenchmark.class, args);
    }
}
