package org.xennet.grant;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Page-aligned direct buffers and a trivial frame mapper for the grant tests.
 */
final class GrantTestSupport
{
    private GrantTestSupport()
    {
    }

    static AtomicBuffer pages(final int count)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(count * GrantConstants.PAGE_LENGTH,
            GrantConstants.PAGE_LENGTH));
    }

    /** Guest memory of {@code count} pages whose frames are {@code firstFrame .. firstFrame + count - 1}. */
    static FrameMapper memory(final int count, final long firstFrame)
    {
        final AtomicBuffer buffer = pages(count);
        return new FrameMapper()
        {
            public long pageOffset(final long frame)
            {
                final long page = frame - firstFrame;
                return frame >= firstFrame && page < count ? page * GrantConstants.PAGE_LENGTH : -1;
            }

            public AtomicBuffer buffer()
            {
                return buffer;
            }
        };
    }

    static byte[] bytes(final AtomicBuffer buffer)
    {
        final byte[] copy = new byte[buffer.capacity()];
        buffer.getBytes(0, copy);
        return copy;
    }
}
