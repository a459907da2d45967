package org.xennet.tap;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;

/**
 * The guest's {@code eth0} as a Linux TAP device: frames the guest's stack sends ({@link #pollTap(int)}) are
 * transmitted through the netfront; frames the netfront receives ({@link #onPacket}, from its rx poll) are written
 * to the TAP. A frame the netfront cannot take yet ({@code NO_BUFFERS} / {@code RING_FULL}) stays pending until tx
 * completions free room.
 * <p>
 * Frames cross without offload for now ({@code TUNSETOFFLOAD 0}, all-zero virtio-net header). A TAP that disappears
 * sets {@link #isGone()}. Hot path: no allocation, no locks, no exceptions.
 */
public final class TapGuestEnd implements RxPacketHandler
{
    /** How a frame is handed to the netfront: {@code NetFront.offer} in process, {@code ShmFrontend.offer} across. */
    @FunctionalInterface
    public interface Transmitter
    {
        /**
         * @param buffer frame bytes.
         * @param offset offset of the first byte.
         * @param length frame length.
         * @return slots used (&gt; 0) or a negative {@link NetFrontResult}.
         */
        int offer(DirectBuffer buffer, int offset, int length);
    }

    private final TapDevice tap;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 17, 4096));
    private Transmitter transmitter;
    private int pendingLength;
    private volatile boolean gone;

    private long framesFromTap;
    private long bytesFromTap;
    private long framesDropped;
    private long txBlocked;
    private long framesToTap;
    private long bytesToTap;
    private long tapWriteErrors;

    /**
     * @param tap the guest's TAP device (this end does not close it).
     */
    public TapGuestEnd(final TapDevice tap)
    {
        this.tap = tap;
    }

    /**
     * @param transmitter where frames read from the TAP go.
     * @return this.
     */
    public TapGuestEnd transmitter(final Transmitter transmitter)
    {
        this.transmitter = transmitter;
        return this;
    }

    /**
     * Writes one received frame to the TAP (netfront rx thread).
     */
    @Override
    public void onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        final int rc = tap.write(buffer, offset, length);
        if (rc > 0)
        {
            framesToTap++;
            bytesToTap += length;
            return;
        }
        if (rc == TapResult.GONE)
        {
            gone = true;
        }
        tapWriteErrors++;
    }

    /**
     * Moves frames from the TAP to the netfront (netfront tx thread).
     *
     * @param limit most frames to move.
     * @return frames moved or dropped (&ge; 0), or {@link TapResult#GONE} once the TAP is gone.
     */
    public int pollTap(final int limit)
    {
        if (gone)
        {
            return TapResult.GONE;
        }
        final int headerLength = tap.headerLength();
        int work = 0;
        while (work < limit)
        {
            if (pendingLength == 0)
            {
                final int n = tap.read(readBuffer, 0, TapVifEnd.READ_CAPACITY);
                if (n == TapResult.WOULD_BLOCK)
                {
                    break;
                }
                if (n == TapResult.GONE)
                {
                    gone = true;
                    return work > 0 ? work : TapResult.GONE;
                }
                if (n <= headerLength)
                {
                    framesDropped++;
                    work++;
                    continue;
                }
                pendingLength = n;
                framesFromTap++;
                bytesFromTap += n - headerLength;
            }
            final int rc = transmitter.offer(readBuffer, headerLength, pendingLength - headerLength);
            if (rc == NetFrontResult.NO_BUFFERS || rc == NetFrontResult.RING_FULL)
            {
                txBlocked++;
                break; // stays pending until completions free a buffer
            }
            if (rc < 0)
            {
                framesDropped++; // NOT_CONNECTED, BROKEN, BAD_ARGUMENT: the frame cannot go
            }
            pendingLength = 0;
            work++;
        }
        return work;
    }

    /** @return whether the TAP disappeared (any thread). */
    public boolean isGone()
    {
        return gone;
    }

    /** @return the TAP device. */
    public TapDevice tap()
    {
        return tap;
    }

    /** @return frames read from the TAP. */
    public long framesFromTap()
    {
        return framesFromTap;
    }

    /** @return bytes read from the TAP (frames only). */
    public long bytesFromTap()
    {
        return bytesFromTap;
    }

    /** @return frames read from the TAP that the netfront refused for good. */
    public long framesDropped()
    {
        return framesDropped;
    }

    /** @return polls that found no tx buffer or ring room for the pending frame. */
    public long txBlocked()
    {
        return txBlocked;
    }

    /** @return frames written to the TAP. */
    public long framesToTap()
    {
        return framesToTap;
    }

    /** @return bytes written to the TAP. */
    public long bytesToTap()
    {
        return bytesToTap;
    }

    /** @return received frames the TAP refused. */
    public long tapWriteErrors()
    {
        return tapWriteErrors;
    }

    @Override
    public String toString()
    {
        return "guest " + tap.name() + ": from TAP " + framesFromTap + " frames, to TAP " + framesToTap +
            " frames, dropped " + framesDropped + ", write errors " + tapWriteErrors + (gone ? ", GONE" : "");
    }
}
