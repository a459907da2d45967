package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * How the peer (Xen, or a backend doing grant copies) reaches a granted frame: guest memory as one buffer in which
 * each mapped frame is a 4 KiB page.
 */
public interface FrameMapper
{
    /**
     * Locates a frame.
     *
     * @param frame frame number from a grant entry (untrusted).
     * @return byte offset of the frame's 4 KiB page inside {@link #buffer()}, or -1 if the frame is not mapped.
     */
    long pageOffset(long frame);

    /**
     * The memory holding the mapped frames.
     *
     * @return the buffer.
     */
    AtomicBuffer buffer();
}
