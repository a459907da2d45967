package org.xennet.tap;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.RxPacketHandler;
import org.xennet.core.offload.OffloadInfo;

/**
 * The guest's {@code eth0} as a Linux TAP device: frames the guest's stack sends ({@link #pollTap(int)}) are
 * transmitted through the netfront; frames the netfront receives ({@link #onPacket}, from its rx poll) are written
 * to the TAP. A frame the netfront cannot take yet ({@code NO_BUFFERS} / {@code RING_FULL}) stays pending until tx
 * completions free room.
 * <p>
 * Offload: each frame's virtio-net header becomes the packet's {@link OffloadInfo} and back ({@link VirtioNetHdr}); a
 * backend without the GSO feature gets the frame segmented in software by the netfront. A TAP that disappears sets
 * {@link #isGone()}. Hot path: no allocation, no locks, no exceptions.
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
         * @param offload the frame's metadata ({@code null} for a plain frame).
         * @return slots used (&gt; 0) or a negative {@link NetFrontResult}.
         */
        int offer(DirectBuffer buffer, int offset, int length, OffloadInfo offload);
    }

    private final TapDevice tap;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 17, 4096));
    private final UnsafeBuffer writeHeader = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final OffloadInfo readOffload = new OffloadInfo();
    private long gsoFromTap;
    private long gsoToTap;
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
        written(tap.write(buffer, offset, length), length);
    }

    /**
     * Writes one received frame with its offload metadata as the virtio-net header (netfront rx thread).
     */
    @Override
    public void onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        VirtioNetHdr.fromOffload(offload, writeHeader, 0);
        if (offload.isGso())
        {
            gsoToTap++;
        }
        written(tap.write(writeHeader, 0, buffer, offset, length), length);
    }

    private void written(final int rc, final int length)
    {
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
                if (headerLength > 0 && VirtioNetHdr.toOffload(readBuffer, 0, readOffload) != 0)
                {
                    framesDropped++;
                    work++;
                    continue;
                }
                if (readOffload.isGso())
                {
                    gsoFromTap++;
                }
                pendingLength = n;
                framesFromTap++;
                bytesFromTap += n - headerLength;
            }
            final int rc = transmitter.offer(readBuffer, headerLength, pendingLength - headerLength,
                headerLength > 0 && !readOffload.isPlain() ? readOffload : null);
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

    /** @return whether a frame read from the TAP waits for a tx buffer (tx thread). */
    public boolean hasPending()
    {
        return pendingLength > 0;
    }

    /** @return GSO frames read from the TAP. */
    public long gsoFromTap()
    {
        return gsoFromTap;
    }

    /** @return GSO frames written to the TAP. */
    public long gsoToTap()
    {
        return gsoToTap;
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
            " frames, GSO from/to TAP " + gsoFromTap + "/" + gsoToTap + ", dropped " + framesDropped +
            ", write errors " + tapWriteErrors + (gone ? ", GONE" : "");
    }
}
