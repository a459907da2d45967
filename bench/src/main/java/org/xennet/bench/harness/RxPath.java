package org.xennet.bench.harness;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.device.NetDevice;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxFragments;
import org.xennet.core.netfront.RxFragmentsHandler;

/**
 * The full receive path ({@code rx-path}): {@link NetFront#refillRx} (grant a page per buffer, post the requests)
 * → {@link NetBack#deliver} (grant copy into the posted pages, responses, one push per back step) →
 * {@link NetFront#pollRxFragments} (end each grant, hand the packet's fragments over in place, buffers back to the
 * pool). The back delivers up to {@code batch} packets per step
 * from a pool of 256 source pages (stopping at back-pressure); the front polls, then refills. A packet handed to
 * the front's handler is one message.
 */
public final class RxPath implements Workload
{
    private final NetDevice device;
    private final NetFront front;
    private final NetBack back;
    private final UnsafeBuffer source;
    private final int packetSize;
    private final int batch;
    private final int packetsInPool;
    private final int packetStride;
    private final RxFragmentsHandler packets = this::onPacket; // preallocated: no capture per poll
    private int next;
    private long errors;
    private int lastError = NetFrontResult.OK;

    /**
     * Builds and opens the device and fills the source pool.
     *
     * @param packetSize   bytes per packet (1..65535).
     * @param grantVersion 1 or 2.
     * @param batch        most packets delivered per back step (1..256).
     */
    public RxPath(final int packetSize, final int grantVersion, final int batch)
    {
        PathDevices.check(packetSize, grantVersion, batch);
        this.packetSize = packetSize;
        this.batch = batch;
        final int pages = PathDevices.pagesPerPacket(packetSize);
        this.packetsInPool = PathDevices.POOL_PAGES / pages;
        this.packetStride = pages * GuestMemory.PAGE_LENGTH;
        this.source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            PathDevices.POOL_PAGES * GuestMemory.PAGE_LENGTH, GuestMemory.PAGE_LENGTH));
        for (int i = 0; i < source.capacity(); i += 8)
        {
            source.putLong(i, i * 0x9E3779B97F4A7C15L); // touch every page before measuring
        }
        this.device = PathDevices.open(grantVersion, PathDevices.ACCEPT);
        this.front = device.front();
        this.back = device.back();
        front.refillRx();
    }

    @Override
    public int frontWork()
    {
        final int received = front.pollRxFragments(packets, 256); // scatter-gather: fragments in place, no copy
        final int refilled = front.refillRx();
        if (received < 0 || refilled < 0 && refilled != NetFrontResult.RING_FULL)
        {
            errors++;
            lastError = received < 0 ? received : refilled;
            return 0;
        }
        return received;
    }

    private void onPacket(final RxFragments packet)
    {
        if (packet.length() != packetSize)
        {
            errors++;
        }
    }

    @Override
    public int backWork()
    {
        final NetBack back = this.back;
        int n = next;
        int delivered = 0;
        while (delivered < batch)
        {
            // one push per back step: responses are pushed at the end of the batch (or at back-pressure)
            final int rc = back.deliver(source, n * packetStride, packetSize, delivered < batch - 1);
            if (rc != PacketSink.ACCEPTED)
            {
                if (rc != PacketSink.BACK_PRESSURED)
                {
                    errors++;
                }
                break;
            }
            delivered++;
            n = n + 1 == packetsInPool ? 0 : n + 1;
        }
        next = n;
        back.flushRx();
        return delivered;
    }

    @Override
    public boolean twoThreads()
    {
        return true;
    }

    @Override
    public String error()
    {
        if (errors == 0 && back.state() == NetBack.State.CONNECTED)
        {
            return null;
        }
        return "rx path failed: errors=" + errors + ", lastError=" + NetFrontResult.resultString(lastError) +
            ", front=" + front.state() + ", brokenReason=" + front.brokenReason() + ", back=" + back.state() +
            ", fault=" + back.fault();
    }

    /** @return the device, for inspection. */
    public NetDevice device()
    {
        return device;
    }

    @Override
    public void close()
    {
        device.close();
    }
}
