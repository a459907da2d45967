package org.xennet.core.netfront;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A reusable claim on a tx buffer in guest memory (as Aeron's {@code BufferClaim}): fill
 * {@code buffer()} from {@code offset()} for up to {@code capacity()} bytes, then
 * {@link NetFront#commit(TxClaim, int)} or {@link NetFront#abort(TxClaim)}.
 */
public final class TxClaim
{
    AtomicBuffer buffer;
    int offset;
    int capacity;
    int chunk = -1;
    NetFront owner;

    /**
     * The guest memory buffer to write the packet into.
     *
     * @return the buffer (null when not claimed).
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the claimed space in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Bytes claimed.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Whether this claim is active.
     *
     * @return true between a successful claim and commit/abort.
     */
    public boolean isClaimed()
    {
        return chunk >= 0;
    }
}
