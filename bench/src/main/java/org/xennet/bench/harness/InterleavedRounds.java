package org.xennet.bench.harness;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.device.NetDevice;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.RxFragmentsHandler;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifTxRequestDescriptor;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * A/B comparisons on one thread, in interleaved rounds (A, B, A, B, ... each for a fixed time), so that a machine
 * whose speed moves in phases (or is shared) slows both sides of each pair alike: the median of the per-round
 * ratios, with their min–max, is the result. One thread per case: this measures code cost, not the schedule.
 * <ul>
 *   <li>{@code slot}: write and read back 256 netif tx requests through the address-based flyweight
 *       ({@code wrap(ring, index)}) against the offset-based one it replaced (kept here as
 *       {@code OffsetTxRequest});</li>
 *   <li>{@code tx-batch}: 64 packets of 64 B through transmit → netback pollTx → pollTx, with {@code xmitMore}
 *       (one push per batch) against one push per packet;</li>
 *   <li>{@code rx-sg}: 16 packets of 9000 B through deliver → pollRx → refill, batched responses and
 *       {@code pollRxFragments} against a push per packet and {@code pollRx} (one contiguous copy).</li>
 * </ul>
 * Usage: {@code java -cp benchmarks.jar org.xennet.bench.harness.InterleavedRounds [rounds] [msPerSide]} (run it
 * with {@code -Dagrona.disable.bounds.checks=true}, as JMH does).
 */
public final class InterleavedRounds
{
    private InterleavedRounds()
    {
    }

    /**
     * Runs the comparisons and prints one line each.
     *
     * @param args rounds (default 15) and milliseconds per side per round (default 100).
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final long nanos = (args.length > 1 ? Long.parseLong(args[1]) : 100) * 1_000_000L;
        System.out.printf(Locale.ROOT, "interleaved rounds: %d x (A %d ms, B %d ms), one thread, bounds checks %s%n",
            rounds, nanos / 1_000_000, nanos / 1_000_000,
            org.agrona.DirectBuffer.SHOULD_BOUNDS_CHECK ? "ON" : "off");
        final Slots slots = new Slots();
        compare("slot (256 requests written + read)", slots::byAddress, slots::byOffset, rounds, nanos);
        try (TxBatch batched = new TxBatch(true); TxBatch single = new TxBatch(false))
        {
            compare("tx-path 64 B v1 (64 packets)", batched::run, single::run, rounds, nanos);
        }
        try (RxScatter scatter = new RxScatter(true); RxScatter copy = new RxScatter(false))
        {
            compare("rx-path 9000 B v1 (16 packets)", scatter::run, copy::run, rounds, nanos);
        }
    }

    private static void compare(
        final String label, final IntSupplier a, final IntSupplier b, final int rounds, final long nanos)
    {
        run(a, nanos);
        run(b, nanos); // warm both before the first measured round
        final double[] ratios = new double[rounds];
        final List<Double> aRates = new ArrayList<>();
        for (int r = 0; r < rounds; r++)
        {
            final double rateA = run(a, nanos);
            final double rateB = run(b, nanos);
            aRates.add(rateA);
            ratios[r] = rateA / rateB;
        }
        Arrays.sort(ratios);
        aRates.sort(null);
        System.out.printf(Locale.ROOT, "%-36s A/B median %.2fx (min %.2f, max %.2f); A median %,.0f units/s%n",
            label, ratios[rounds / 2], ratios[0], ratios[rounds - 1], aRates.get(rounds / 2));
    }

    private static double run(final IntSupplier kernel, final long nanos)
    {
        long units = 0;
        final long start = System.nanoTime();
        long now;
        do
        {
            for (int i = 0; i < 16; i++)
            {
                units += kernel.getAsInt();
            }
            now = System.nanoTime();
        }
        while (now - start < nanos);
        return units * 1e9 / (now - start);
    }

    /** The slot kernel on one ring page: A by address, B by (buffer, offset) as before. */
    static final class Slots
    {
        private final FrontRing ring;
        private final AtomicBuffer page;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final OffsetTxRequest legacy = new OffsetTxRequest();
        private int base;
        long sink;

        Slots()
        {
            page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                SharedRingDescriptor.PAGE_LENGTH, SharedRingDescriptor.PAGE_ALIGNMENT));
            ring = NetifTxRing.front(page);
            ring.sharedRingInit();
            ring.init();
        }

        int byAddress()
        {
            final int first = base;
            for (int i = 0; i < 256; i++)
            {
                request.wrap(ring, first + i).gref(8 + i).offset(i).flags(0).id(i).size(60);
            }
            long sum = 0;
            for (int i = 0; i < 256; i++)
            {
                request.wrap(ring, first + i);
                sum += request.gref() + request.offset() + request.flags() + request.id() + request.size();
            }
            sink += sum;
            base = first + 256;
            return 256;
        }

        int byOffset()
        {
            final int first = base;
            for (int i = 0; i < 256; i++)
            {
                legacy.wrap(page, ring.requestOffset(first + i)).gref(8 + i).offset(i).flags(0).id(i).size(60);
            }
            long sum = 0;
            for (int i = 0; i < 256; i++)
            {
                legacy.wrap(page, ring.requestOffset(first + i));
                sum += legacy.gref() + legacy.offset() + legacy.flags() + legacy.id() + legacy.size();
            }
            sink += sum;
            base = first + 256;
            return 256;
        }
    }

    /** The flyweight as it was before slot access by address: (buffer, int offset), Agrona accessors. */
    static final class OffsetTxRequest
    {
        private AtomicBuffer buffer;
        private int offset;

        OffsetTxRequest wrap(final AtomicBuffer buffer, final int offset)
        {
            if (this.buffer != buffer)
            {
                this.buffer = buffer;
            }
            this.offset = offset;
            return this;
        }

        int gref()
        {
            return buffer.getInt(offset + NetifTxRequestDescriptor.GREF_OFFSET, LITTLE_ENDIAN);
        }

        OffsetTxRequest gref(final int v)
        {
            buffer.putInt(offset + NetifTxRequestDescriptor.GREF_OFFSET, v, LITTLE_ENDIAN);
            return this;
        }

        int offset()
        {
            return buffer.getShort(offset + NetifTxRequestDescriptor.OFFSET_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        OffsetTxRequest offset(final int v)
        {
            buffer.putShort(offset + NetifTxRequestDescriptor.OFFSET_OFFSET, (short)v, LITTLE_ENDIAN);
            return this;
        }

        int flags()
        {
            return buffer.getShort(offset + NetifTxRequestDescriptor.FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        OffsetTxRequest flags(final int v)
        {
            buffer.putShort(offset + NetifTxRequestDescriptor.FLAGS_OFFSET, (short)v, LITTLE_ENDIAN);
            return this;
        }

        int id()
        {
            return buffer.getShort(offset + NetifTxRequestDescriptor.ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        OffsetTxRequest id(final int v)
        {
            buffer.putShort(offset + NetifTxRequestDescriptor.ID_OFFSET, (short)v, LITTLE_ENDIAN);
            return this;
        }

        int size()
        {
            return buffer.getShort(offset + NetifTxRequestDescriptor.SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        }

        OffsetTxRequest size(final int v)
        {
            buffer.putShort(offset + NetifTxRequestDescriptor.SIZE_OFFSET, (short)v, LITTLE_ENDIAN);
            return this;
        }
    }

    /** 64 packets of 64 B per call, both ends on this thread. */
    static final class TxBatch implements AutoCloseable
    {
        private final NetDevice device;
        private final NetFront front;
        private final NetBack back;
        private final boolean xmitMore;
        private final int offset;

        TxBatch(final boolean xmitMore)
        {
            this.xmitMore = xmitMore;
            device = PathDevices.open(1, PathDevices.ACCEPT);
            front = device.front();
            back = device.back();
            offset = front.memory().pageOffset(PathDevices.TX_POOL_FIRST_PAGE);
        }

        int run()
        {
            for (int i = 0; i < 64; i++)
            {
                if (front.transmit(offset + i * 64, 64, xmitMore && i < 63) < 0)
                {
                    throw new IllegalStateException("transmit failed");
                }
            }
            back.pollTx(256);
            return front.pollTx(null, 256);
        }

        @Override
        public void close()
        {
            device.close();
        }
    }

    /** 16 packets of 9000 B per call, both ends on this thread. */
    static final class RxScatter implements AutoCloseable
    {
        private final NetDevice device;
        private final NetFront front;
        private final NetBack back;
        private final boolean scatter;
        private final UnsafeBuffer source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            3 * GuestMemory.PAGE_LENGTH, GuestMemory.PAGE_LENGTH));
        private long received;
        private final RxFragmentsHandler fragments = packet -> received += packet.length();
        private final RxPacketHandler contiguous = (buffer, offset, length) -> received += length;

        RxScatter(final boolean scatter)
        {
            this.scatter = scatter;
            device = PathDevices.open(1, PathDevices.ACCEPT);
            front = device.front();
            back = device.back();
            front.refillRx();
        }

        int run()
        {
            for (int i = 0; i < 16; i++)
            {
                if (back.deliver(source, 0, 9000, scatter && i < 15) != PacketSink.ACCEPTED)
                {
                    throw new IllegalStateException("deliver failed");
                }
            }
            final int packets = scatter ? front.pollRxFragments(fragments, 256) : front.pollRx(contiguous, 256);
            front.refillRx();
            return packets;
        }

        @Override
        public void close()
        {
            device.close();
        }
    }
}
