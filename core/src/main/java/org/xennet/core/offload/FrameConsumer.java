package org.xennet.core.offload;

import org.agrona.DirectBuffer;

/**
 * Takes the frames a software fallback produces ({@link TcpSegmenter}); the bytes are valid only during the call.
 */
@FunctionalInterface
public interface FrameConsumer
{
    /**
     * Takes one frame.
     *
     * @param buffer the frame's buffer.
     * @param offset its first byte.
     * @param length its length.
     * @return &ge; 0 to go on, negative to stop (passed back to the caller).
     */
    int onFrame(DirectBuffer buffer, int offset, int length);
}
