package org.xennet.bench.harness;

import java.util.List;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.device.NetDevice;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.RxFragments;
import org.xennet.core.netfront.RxFragmentsHandler;
import org.xennet.core.netfront.TxCompletionHandler;
import org.xennet.rings.BackRing;
import org.xennet.rings.FrontRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * The latency probes: the raw cache-line ping-pong (the physical limit of a round trip between two cores), the
 * xennet ring alone, and the full tx and rx paths. Created by name, shared by {@code xennet bench --latency} and the
 * JMH {@code LatencyBenchmark}.
 */
public final class LatencyProbes
{
    /** One cache line written by the sender and one written by the peer: nothing else crosses. */
    public static final String RAW = "raw-ping-pong";
    /** xennet's FrontRing/BackRing, one netif tx request and its response. */
    public static final String RING = "ring";
    /** NetFront.transmit → NetBack.pollTx → NetFront.pollTx. */
    public static final String TX_PATH = "tx-path";
    /** NetBack.deliver → NetFront.pollRxFragments, acknowledged through one cache line. */
    public static final String RX_PATH = "rx-path";

    /** The probe names, in table order. */
    public static final List<String> NAMES = List.of(RAW, RING, TX_PATH, RX_PATH);

    private LatencyProbes()
    {
    }

    /**
     * Creates a probe.
     *
     * @param name         one of {@link #NAMES}.
     * @param packetSize   bytes per packet for the paths (ignored otherwise).
     * @param grantVersion grant version for the paths (ignored otherwise).
     * @return the probe.
     */
    public static LatencyProbe create(final String name, final int packetSize, final int grantVersion)
    {
        return switch (name)
        {
            case RAW -> new RawPingPong();
            case RING -> new RingPingPong();
            case TX_PATH -> new TxPing(packetSize, grantVersion);
            case RX_PATH -> new RxPing(packetSize, grantVersion);
            default -> throw new IllegalArgumentException("unknown latency probe: " + name + ", known: " + NAMES);
        };
    }

    /**
     * Two 64-byte lines 128 bytes apart (no adjacent-line prefetch sharing): ping written by one side, pong by the
     * other.
     */
    static final class RawPingPong implements LatencyProbe
    {
        private static final int PING = 0;
        private static final int PONG = 128;
        private final UnsafeBuffer lines = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 128));
        private long sequence;
        private long answered;

        @Override
        public String name()
        {
            return RAW;
        }

        @Override
        public int packetSize()
        {
            return 0;
        }

        @Override
        public void send()
        {
            lines.putLongRelease(PING, ++sequence);
        }

        @Override
        public boolean poll()
        {
            return lines.getLongAcquire(PONG) == sequence;
        }

        @Override
        public int peerWork()
        {
            final long ping = lines.getLongAcquire(PING);
            if (ping == answered)
            {
                return 0;
            }
            lines.putLongRelease(PONG, ping);
            answered = ping;
            return 1;
        }

        @Override
        public String error()
        {
            return null;
        }

        @Override
        public void close()
        {
        }
    }

    /** One netif tx request through xennet's ring, answered by the back end, as the C ring.h anchor does. */
    static final class RingPingPong implements LatencyProbe
    {
        private final FrontRing front;
        private final BackRing back;
        private final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight();
        private final NetifTxRequestFlyweight backRequest = new NetifTxRequestFlyweight();
        private final NetifTxResponseFlyweight backResponse = new NetifTxResponseFlyweight();
        private long errors;

        RingPingPong()
        {
            final UnsafeBuffer page = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                SharedRingDescriptor.PAGE_LENGTH, SharedRingDescriptor.PAGE_ALIGNMENT));
            front = NetifTxRing.front(page);
            front.sharedRingInit();
            front.init();
            back = NetifTxRing.back(page);
            back.init();
        }

        @Override
        public String name()
        {
            return RING;
        }

        @Override
        public int packetSize()
        {
            return 0;
        }

        @Override
        public void send()
        {
            final int prod = front.reqProdPvt();
            request.wrap(front, prod).gref(8).offset(0).flags(0).id(prod & 0xFF).size(60);
            front.reqProdPvt(prod + 1);
            front.pushRequestsAndCheckNotify();
        }

        @Override
        public boolean poll()
        {
            final int rspProd = front.rspProdAcquire();
            final int cons = front.rspCons();
            if (rspProd == cons)
            {
                return false;
            }
            response.wrap(front, cons);
            errors += response.status() == NetifResponseStatus.OKAY && response.id() == (cons & 0xFF) ? 0 : 1;
            front.rspCons(cons + 1);
            return true;
        }

        @Override
        public int peerWork()
        {
            final int reqProd = back.reqProdAcquire();
            int cons = back.reqCons();
            if (reqProd == cons)
            {
                return 0;
            }
            int prod = back.rspProdPvt();
            final int work = reqProd - cons;
            for (; cons != reqProd; cons++)
            {
                final int id = backRequest.wrap(back, cons).id();
                backResponse.wrap(back, prod++).id(id).status(NetifResponseStatus.OKAY);
            }
            back.reqCons(cons);
            back.rspProdPvt(prod);
            back.pushResponsesAndCheckNotify();
            return work;
        }

        @Override
        public String error()
        {
            return errors == 0 ? null : "ring latency: bad responses=" + errors;
        }

        @Override
        public void close()
        {
        }
    }

    /** One packet through netfront's transmit, netback's pollTx (copy to the sink) and netfront's pollTx. */
    static final class TxPing implements LatencyProbe
    {
        private final NetDevice device;
        private final NetFront front;
        private final NetBack back;
        private final int packetSize;
        private final int offset;
        private final TxCompletionHandler completions = this::onCompletion;
        private long errors;
        private int lastError;

        TxPing(final int packetSize, final int grantVersion)
        {
            PathDevices.check(packetSize, grantVersion, 1);
            this.packetSize = packetSize;
            device = PathDevices.open(grantVersion, PathDevices.ACCEPT);
            front = device.front();
            back = device.back();
            offset = front.memory().pageOffset(PathDevices.TX_POOL_FIRST_PAGE);
        }

        @Override
        public String name()
        {
            return TX_PATH;
        }

        @Override
        public int packetSize()
        {
            return packetSize;
        }

        @Override
        public void send()
        {
            final int rc = front.transmit(offset, packetSize);
            if (rc < 0)
            {
                errors++;
                lastError = rc;
            }
        }

        @Override
        public boolean poll()
        {
            final int rc = front.pollTx(completions, 16);
            if (rc < 0)
            {
                errors++;
                lastError = rc;
                return true;
            }
            return rc > 0;
        }

        private void onCompletion(final int packetOffset, final int length, final int status)
        {
            if (status != NetifResponseStatus.OKAY || length != packetSize)
            {
                errors++;
            }
        }

        @Override
        public int peerWork()
        {
            final int rc = back.pollTx(256);
            return Math.max(rc, 0);
        }

        @Override
        public String error()
        {
            return errors == 0 && back.state() == NetBack.State.CONNECTED ? null :
                "tx latency: errors=" + errors + ", lastError=" + lastError + ", back=" + back.state();
        }

        @Override
        public void close()
        {
            device.close();
        }
    }

    /**
     * One packet delivered by netback into a posted rx buffer, received by netfront on the peer thread
     * ({@code pollRxFragments}, then refill), which acknowledges it through one cache line.
     */
    static final class RxPing implements LatencyProbe
    {
        private final NetDevice device;
        private final NetFront front;
        private final NetBack back;
        private final int packetSize;
        private final UnsafeBuffer source;
        private final UnsafeBuffer ack = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 128));
        private final RxFragmentsHandler packets = this::onPacket;
        private long sent;
        private long received;
        private long errors;

        RxPing(final int packetSize, final int grantVersion)
        {
            PathDevices.check(packetSize, grantVersion, 1);
            this.packetSize = packetSize;
            device = PathDevices.open(grantVersion, PathDevices.ACCEPT);
            front = device.front();
            back = device.back();
            source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                PathDevices.pagesPerPacket(packetSize) * GuestMemory.PAGE_LENGTH, GuestMemory.PAGE_LENGTH));
            front.refillRx();
        }

        @Override
        public String name()
        {
            return RX_PATH;
        }

        @Override
        public int packetSize()
        {
            return packetSize;
        }

        @Override
        public void send()
        {
            sent++;
            if (back.deliver(source, 0, packetSize) != PacketSink.ACCEPTED)
            {
                errors++;
                ack.putLongRelease(0, sent); // nothing will arrive: do not wait for it
            }
        }

        @Override
        public boolean poll()
        {
            return ack.getLongAcquire(0) == sent;
        }

        @Override
        public int peerWork()
        {
            final int rc = front.pollRxFragments(packets, 256);
            if (rc > 0)
            {
                front.refillRx();
            }
            return Math.max(rc, 0);
        }

        private void onPacket(final RxFragments packet)
        {
            if (packet.length() != packetSize)
            {
                errors++;
            }
            ack.putLongRelease(0, ++received);
        }

        @Override
        public String error()
        {
            return errors == 0 ? null : "rx latency: errors=" + errors + ", front=" + front.state() +
                ", back=" + back.state();
        }

        @Override
        public void close()
        {
            device.close();
        }
    }
}
