package org.xennet.tap;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.offload.OffloadInfo;

/**
 * The backend's vif as a Linux TAP device: frames the frontend transmits ({@link #sink()}, on the netback's tx
 * thread) are written to the TAP; frames read from the TAP ({@link #pollTap(int)}, on the netback's rx thread) are
 * delivered into the frontend's rx ring. A frame the rx ring has no room for stays pending and is offered again on
 * the next poll (nothing else is read meanwhile, so the TAP's own queue holds the rest).
 * <p>
 * Offload: each frame's virtio-net header becomes the packet's {@link OffloadInfo} (blank checksum, validated,
 * GSO type and size) and back ({@link VirtioNetHdr}); with {@code TUNSETOFFLOAD 0} the headers are plain and the
 * kernel hands over complete MTU-sized frames.
 * <p>
 * A TAP that disappears (deleted, {@link TapResult#GONE}) sets {@link #isGone()}; the owner then closes the vif.
 * Hot path: no allocation, no locks, no exceptions.
 */
public final class TapVifEnd implements PacketSink
{
    /** Largest frame read from the TAP (header included): a 64 KiB GSO frame plus its header. */
    public static final int READ_CAPACITY = 65536 + VirtioNetHdrDescriptor.LENGTH;

    private final TapDevice tap;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 17, 4096));
    private final UnsafeBuffer writeHeader = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
    private final OffloadInfo readOffload = new OffloadInfo();
    private long gsoToTap;
    private long gsoFromTap;
    private NetBack back;
    private int pendingLength; // > 0: a frame read from the TAP waits for rx ring room
    private volatile boolean gone;

    private long framesToTap;
    private long bytesToTap;
    private long tapWriteErrors;
    private long framesFromTap;
    private long bytesFromTap;
    private long framesDropped;
    private long backPressured;

    /**
     * @param tap the vif's TAP device (this end does not close it).
     */
    public TapVifEnd(final TapDevice tap)
    {
        this.tap = tap;
    }

    /**
     * Names the netback whose rx ring receives what the TAP reads (the netback is built with this end as its sink,
     * so it exists only after this end).
     *
     * @param back the vif's netback.
     * @return this.
     */
    public TapVifEnd attach(final NetBack back)
    {
        this.back = back;
        return this;
    }

    /** @return this end as the netback's sink: transmitted frames go to the TAP. */
    public PacketSink sink()
    {
        return this;
    }

    /**
     * Writes one transmitted frame to the TAP (netback tx thread).
     *
     * @return {@link PacketSink#ACCEPTED}, or {@link PacketSink#DROPPED} when the TAP refused it or is gone.
     */
    @Override
    public int onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        return write(tap.write(buffer, offset, length), length);
    }

    /**
     * Writes one transmitted frame with its offload metadata as the virtio-net header (netback tx thread).
     *
     * @return {@link PacketSink#ACCEPTED}, or {@link PacketSink#DROPPED} when the TAP refused it or is gone.
     */
    @Override
    public int onPacket(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        VirtioNetHdr.fromOffload(offload, writeHeader, 0);
        if (offload.isGso())
        {
            gsoToTap++;
        }
        return write(tap.write(writeHeader, 0, buffer, offset, length), length);
    }

    private int write(final int rc, final int length)
    {
        if (rc > 0)
        {
            framesToTap++;
            bytesToTap += length;
            return PacketSink.ACCEPTED;
        }
        if (rc == TapResult.GONE)
        {
            gone = true;
        }
        tapWriteErrors++;
        return PacketSink.DROPPED;
    }

    /**
     * Moves frames from the TAP into the frontend's rx ring (netback rx thread).
     *
     * @param limit most frames to move.
     * @return frames delivered or dropped (&ge; 0), or {@link TapResult#GONE} once the TAP is gone.
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
                final int n = tap.read(readBuffer, 0, READ_CAPACITY);
                if (n == TapResult.WOULD_BLOCK)
                {
                    break;
                }
                if (n == TapResult.GONE)
                {
                    gone = true;
                    return work > 0 ? work : TapResult.GONE;
                }
                if (n <= headerLength) // ERROR or a runt: nothing to deliver
                {
                    framesDropped++;
                    work++;
                    continue;
                }
                if (headerLength > 0 && VirtioNetHdr.toOffload(readBuffer, 0, readOffload) != 0)
                {
                    framesDropped++; // a GSO type the ring cannot carry (never offered: TUN_F_UFO/USO are off)
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
            final int rc = headerLength > 0 ?
                back.deliver(readBuffer, headerLength, pendingLength - headerLength, readOffload) :
                back.deliver(readBuffer, 0, pendingLength);
            if (rc == PacketSink.BACK_PRESSURED)
            {
                backPressured++;
                break; // the frame stays pending; the frontend's next refill makes room
            }
            if (rc != PacketSink.ACCEPTED)
            {
                framesDropped++;
            }
            pendingLength = 0;
            work++;
        }
        return work;
    }

    /** @return whether a frame read from the TAP waits for rx ring room (rx thread). */
    public boolean hasPending()
    {
        return pendingLength > 0;
    }

    /** @return GSO frames written to the TAP. */
    public long gsoToTap()
    {
        return gsoToTap;
    }

    /** @return GSO frames read from the TAP. */
    public long gsoFromTap()
    {
        return gsoFromTap;
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

    /** @return frames written to the TAP. */
    public long framesToTap()
    {
        return framesToTap;
    }

    /** @return bytes written to the TAP (frames only). */
    public long bytesToTap()
    {
        return bytesToTap;
    }

    /** @return frames the TAP refused. */
    public long tapWriteErrors()
    {
        return tapWriteErrors;
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

    /** @return frames read from the TAP and not delivered (runts, read errors, rx copy failures). */
    public long framesDropped()
    {
        return framesDropped;
    }

    /** @return polls that found the rx ring without room for the pending frame. */
    public long backPressured()
    {
        return backPressured;
    }

    @Override
    public String toString()
    {
        return "vif " + tap.name() + ": to TAP " + framesToTap + " frames, from TAP " + framesFromTap +
            " frames, GSO to/from TAP " + gsoToTap + "/" + gsoFromTap + ", dropped " + framesDropped +
            ", write errors " + tapWriteErrors + (gone ? ", GONE" : "");
    }
}
