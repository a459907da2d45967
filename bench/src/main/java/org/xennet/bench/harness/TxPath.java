package org.xennet.bench.harness;

import org.xennet.core.device.NetDevice;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.TxCompletionHandler;
import org.xennet.rings.netif.NetifResponseStatus;

/**
 * The full transmit path ({@code tx-path}): {@link NetFront#transmit} (grant each page, write the requests, push)
 * → {@link NetBack#pollTx} (grant copy out of the guest page, sink, response) → {@link NetFront#pollTx} (end
 * each grant, free the ids). The front transmits up to {@code batch} packets from a pool of 256 guest pages per
 * step (stopping early at {@code RING_FULL}), then polls completions; a completed packet is one message.
 * The backend's sink accepts each packet after the copy (answered OKAY) and drops it.
 */
public final class TxPath implements Workload
{
    private final NetDevice device;
    private final NetFront front;
    private final NetBack back;
    private final int packetSize;
    private final int batch;
    private final int packetsInPool;
    private final int packetStride;
    private final int poolOffset;
    private final TxCompletionHandler completions = this::onCompletion; // preallocated: no capture per poll
    private int next;
    private long errors;
    private int lastError = NetFrontResult.OK;

    /**
     * Builds and opens the device.
     *
     * @param packetSize   bytes per packet (1..65535).
     * @param grantVersion 1 or 2.
     * @param batch        most packets transmitted per front step (1..256).
     */
    public TxPath(final int packetSize, final int grantVersion, final int batch)
    {
        PathDevices.check(packetSize, grantVersion, batch);
        this.packetSize = packetSize;
        this.batch = batch;
        final int pages = PathDevices.pagesPerPacket(packetSize);
        this.packetsInPool = PathDevices.POOL_PAGES / pages;
        this.packetStride = pages * GuestMemory.PAGE_LENGTH;
        this.device = PathDevices.open(grantVersion, PathDevices.ACCEPT);
        this.front = device.front();
        this.back = device.back();
        this.poolOffset = front.memory().pageOffset(PathDevices.TX_POOL_FIRST_PAGE);
        final GuestMemory memory = front.memory();
        for (int i = 0; i < PathDevices.POOL_PAGES * GuestMemory.PAGE_LENGTH; i += 8)
        {
            memory.buffer().putLong(poolOffset + i, i * 0x9E3779B97F4A7C15L); // touch every page before measuring
        }
    }

    @Override
    public int frontWork()
    {
        final NetFront front = this.front;
        int n = next;
        for (int i = 0; i < batch; i++)
        {
            // xmit_more: one push (one full fence, at most one notification) per batch
            final int rc = front.transmit(poolOffset + n * packetStride, packetSize, i < batch - 1);
            if (rc < 0)
            {
                if (rc != NetFrontResult.RING_FULL)
                {
                    errors++;
                    lastError = rc;
                }
                break;
            }
            n = n + 1 == packetsInPool ? 0 : n + 1;
        }
        next = n;
        front.flushTx(); // a batch cut short by an error is still published
        final int completed = front.pollTx(completions, 256);
        if (completed < 0)
        {
            errors++;
            lastError = completed;
            return 0;
        }
        return completed;
    }

    private void onCompletion(final int offset, final int length, final int status)
    {
        if (status != NetifResponseStatus.OKAY || length != packetSize)
        {
            errors++;
        }
    }

    @Override
    public int backWork()
    {
        final int rc = back.pollTx(256);
        return Math.max(rc, 0);
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
        return "tx path failed: errors=" + errors + ", lastError=" + NetFrontResult.resultString(lastError) +
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
