package org.xennet.core.shm;

import java.util.BitSet;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.rings.netif.NetifResponseStatus;

/**
 * A checkable packet stream for {@link ShmFrontend}: packet {@code seq} carries {@code seq} (u64 little-endian)
 * then bytes {@code (byte)(seq * 31 + i)}, with a length derived from {@code seq}. It accounts for every packet
 * exactly once (answered OKAY, answered with an error, or failed at a reset) and checks every echoed packet byte
 * for byte, at most once.
 */
public final class ShmPacketStream implements ShmFrontend.Listener
{
    /** Smallest packet: the 8-byte sequence number. */
    public static final int MIN_LENGTH = 8;
    /** Longest wait for the answers to packets in flight after {@link #stop()}. */
    private static final long STOP_DRAIN_NS = 1_000_000_000L;

    private final long count;
    private final int minLength;
    private final int maxLength;
    private final UnsafeBuffer scratch;
    private final BitSet ok = new BitSet();
    private final BitSet completed = new BitSet();
    private final BitSet sentSet = new BitSet();
    private final BitSet echoed = new BitSet();
    private DirectBuffer guest;
    private volatile boolean stopRequested;
    private long sent;
    private long okCount;
    private long errorCount;
    private long droppedCount;
    private long failedAtReset;
    private long inFlightAtStop;
    private long echoCount;
    private long duplicates;
    private long corrupt;
    private long badCompletions;

    /**
     * Creates a stream.
     *
     * @param count     packets to send (at most 2^31 - 1, tracked in bit sets).
     * @param minLength smallest packet length (&ge; 8).
     * @param maxLength largest packet length (&le; 12288, the tx claim buffer).
     */
    public ShmPacketStream(final long count, final int minLength, final int maxLength)
    {
        if (count < 0 || count > Integer.MAX_VALUE || minLength < MIN_LENGTH || maxLength < minLength ||
            maxLength > 3 * 4096)
        {
            throw new IllegalArgumentException("bad stream: count=" + count + ", minLength=" + minLength +
                ", maxLength=" + maxLength);
        }
        this.count = count;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxLength, 64));
    }

    /**
     * Length of packet {@code seq}.
     *
     * @param seq sequence number.
     * @return its length.
     */
    public int lengthOf(final long seq)
    {
        return minLength + (int)((seq * 7919) % (maxLength - minLength + 1));
    }

    /**
     * Sends the whole stream through {@code frontend} (connected), resetting after a lost backend, until every
     * packet is accounted for and the echoes have arrived (or {@code echo} is false).
     *
     * @param frontend      a connected frontend whose listener is this stream.
     * @param idle          how to wait.
     * @param echo          whether OKAY packets come back (loopback backend).
     * @param reconnectMs   longest wait for a backend after a reset.
     * @param progress      called about once a second with this stream (may be null).
     * @return {@link NetFrontResult#OK}, or the failure that stopped the stream.
     */
    public int run(
        final ShmFrontend frontend, final IdleStrategy idle, final boolean echo, final long reconnectMs,
        final Runnable progress)
    {
        return run(frontend, idle, echo, reconnectMs, progress, 1_000_000_000L);
    }

    /**
     * As {@link #run(ShmFrontend, IdleStrategy, boolean, long, Runnable)} with a chosen progress interval.
     *
     * @param frontend           a connected frontend whose listener is this stream.
     * @param idle               how to wait.
     * @param echo               whether OKAY packets come back (loopback backend).
     * @param reconnectMs        longest wait for a backend after a reset.
     * @param progress           called on the stream's thread at most every {@code progressIntervalNs}.
     * @param progressIntervalNs nanoseconds between progress calls (0: every cycle).
     * @return {@link NetFrontResult#OK}, or the failure that stopped the stream.
     */
    public int run(
        final ShmFrontend frontend, final IdleStrategy idle, final boolean echo, final long reconnectMs,
        final Runnable progress, final long progressIntervalNs)
    {
        guest = frontend.netFront().memory().buffer();
        long nextProgress = System.nanoTime() + progressIntervalNs;
        long drainDeadline = Long.MAX_VALUE;
        while (!stopRequested)
        {
            if (frontend.backendLost())
            {
                final int rc = frontend.reset(idle, reconnectMs);
                if (rc != NetFrontResult.OK)
                {
                    return rc;
                }
            }
            int work = 0;
            while (sent < count && send(frontend) > 0)
            {
                work++;
            }
            final int done = frontend.doWork();
            work += Math.max(0, done);
            if (sent == count && frontend.inFlight() == 0)
            {
                if (!echo || echoCount >= okCount || System.nanoTime() - drainDeadline > 0)
                {
                    return NetFrontResult.OK;
                }
                drainDeadline = Math.min(drainDeadline, System.nanoTime() + 1_000_000_000L);
            }
            if (null != progress && System.nanoTime() - nextProgress >= 0)
            {
                progress.run();
                nextProgress = System.nanoTime() + progressIntervalNs;
            }
            idle.idle(work);
        }
        drainAfterStop(frontend, idle, echo);
        return NetFrontResult.OK;
    }

    /**
     * Stopped (SIGTERM): send nothing more, but collect the answers to packets already in flight, so that packets
     * the backend delivered are counted as delivered, not as unaccounted. Bounded: a backend that is gone or
     * silent for {@link #STOP_DRAIN_NS} leaves the rest in flight (then failed by the close).
     */
    private void drainAfterStop(final ShmFrontend frontend, final IdleStrategy idle, final boolean echo)
    {
        final long deadline = System.nanoTime() + STOP_DRAIN_NS;
        idle.reset();
        while ((frontend.inFlight() > 0 || (echo && echoCount < okCount)) && !frontend.backendLost() &&
            System.nanoTime() - deadline < 0)
        {
            idle.idle(Math.max(0, frontend.doWork()));
        }
        inFlightAtStop = frontend.inFlight(); // unanswered when the stop came: neither delivered nor lost yet
    }

    /**
     * Asks {@link #run} to return at its next cycle (any thread; e.g. a shutdown hook).
     */
    public void stop()
    {
        stopRequested = true;
    }

    /** @return packets still unanswered when a {@link #stop()} ended the stream (after a bounded drain). */
    public long inFlightAtStop()
    {
        return inFlightAtStop;
    }

    /** @return whether {@link #stop()} was called. */
    public boolean stopped()
    {
        return stopRequested;
    }

    private int send(final ShmFrontend frontend)
    {
        final long seq = sent;
        final int length = lengthOf(seq);
        scratch.putLong(0, seq);
        for (int i = 8; i < length; i++)
        {
            scratch.putByte(i, (byte)(seq * 31 + i));
        }
        final int rc = frontend.offer(scratch, 0, length);
        if (rc > 0)
        {
            sentSet.set((int)seq);
            sent++;
        }
        return rc;
    }

    /** {@inheritDoc} */
    @Override
    public void onTxComplete(final int offset, final int length, final int status)
    {
        // The tx buffer still holds the packet until this returns, but it is shared memory a hostile backend (or
        // any process with the file) may have rewritten: the sequence number is validated before it indexes.
        final long read = guest.getLong(offset);
        if (read < 0 || read >= sent || !sentSet.get((int)read) || completed.get((int)read))
        {
            badCompletions++;
            return;
        }
        final int seq = (int)read;
        completed.set(seq);
        if (status == NetifResponseStatus.OKAY)
        {
            ok.set(seq);
            okCount++;
        }
        else if (status == NetifResponseStatus.DROPPED)
        {
            droppedCount++;
        }
        else
        {
            errorCount++;
        }
    }

    /** {@inheritDoc} */
    @Override
    public void onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        final long seq = length >= MIN_LENGTH ? buffer.getLong(offset) : -1;
        if (seq < 0 || seq >= sent || length != lengthOf(seq) || !bytesMatch(buffer, offset, length, seq))
        {
            corrupt++;
            return;
        }
        if (echoed.get((int)seq))
        {
            duplicates++;
            return;
        }
        echoed.set((int)seq);
        echoCount++;
    }

    private static boolean bytesMatch(final DirectBuffer buffer, final int offset, final int length, final long seq)
    {
        for (int i = 8; i < length; i++)
        {
            if (buffer.getByte(offset + i) != (byte)(seq * 31 + i))
            {
                return false;
            }
        }
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public void onReset(final int inFlightFailed)
    {
        failedAtReset += inFlightFailed;
    }

    /**
     * Checks the accounting: every packet sent is OKAY, ERROR/DROPPED or failed at a reset, exactly once; every
     * echo is intact and unique; with {@code echo}, every OKAY packet came back.
     *
     * @param echo whether echoes were expected.
     * @return null when consistent, otherwise what is wrong.
     */
    public String verify(final boolean echo)
    {
        if (badCompletions > 0)
        {
            return "tx completions whose buffer no longer held a packet we sent (rewritten by the peer): " + this;
        }
        if (okCount + errorCount + droppedCount + failedAtReset + inFlightAtStop != sent)
        {
            return "unaccounted packets: " + this;
        }
        if (corrupt > 0 || duplicates > 0)
        {
            return "bad echoes: " + this;
        }
        if (echo)
        {
            final BitSet missing = (BitSet)ok.clone();
            missing.andNot(echoed);
            if (!missing.isEmpty())
            {
                return "OKAY packets never echoed: first=" + missing.nextSetBit(0) + ", " + this;
            }
        }
        final BitSet notCompleted = (BitSet)sentSet.clone();
        notCompleted.andNot(completed);
        if (notCompleted.cardinality() != failedAtReset)
        {
            return "failed-at-reset count disagrees with unanswered packets: unanswered=" +
                notCompleted.cardinality() + ", " + this;
        }
        return null;
    }

    /** @return tx completions ignored because the buffer's sequence number was not one in flight. */
    public long badCompletions()
    {
        return badCompletions;
    }

    /** @return packets sent. */
    public long sent()
    {
        return sent;
    }

    /** @return packets answered OKAY. */
    public long okCount()
    {
        return okCount;
    }

    /** @return packets failed because they were in flight at a reset. */
    public long failedAtReset()
    {
        return failedAtReset;
    }

    /** @return packets answered DROPPED. */
    public long droppedCount()
    {
        return droppedCount;
    }

    /** @return packets answered ERROR. */
    public long errorCount()
    {
        return errorCount;
    }

    /** @return intact echoes received. */
    public long echoCount()
    {
        return echoCount;
    }

    /** @return echoes received twice. */
    public long duplicates()
    {
        return duplicates;
    }

    /** @return echoes with a wrong length or bytes. */
    public long corrupt()
    {
        return corrupt;
    }

    @Override
    public String toString()
    {
        return "sent=" + sent + ", ok=" + okCount + ", error=" + errorCount + ", dropped=" + droppedCount +
            ", failedAtReset=" + failedAtReset + (inFlightAtStop == 0 ? "" : ", inFlightAtStop=" + inFlightAtStop) +
            ", echoed=" + echoCount + ", duplicates=" + duplicates + ", corrupt=" + corrupt +
            ", badCompletions=" + badCompletions;
    }
}
