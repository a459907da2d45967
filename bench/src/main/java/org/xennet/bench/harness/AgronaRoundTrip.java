package org.xennet.bench.harness;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The Agrona peer ({@code agrona-one-to-one}): the same request → response round trip over two Agrona
 * {@link OneToOneRingBuffer}s (requests, responses), 16-byte messages written with {@code tryClaim}/{@code commit},
 * 8 KiB each so a batch of 256 fits. A completed round trip is one message.
 */
public final class AgronaRoundTrip implements Workload
{
    private static final int MSG_TYPE = 1;
    private static final int MESSAGE_LENGTH = 16;
    private static final int CAPACITY = 8192;

    private final int batch;
    private final RingBuffer requests = newRing();
    private final RingBuffer responses = newRing();
    private int outstanding;
    private int received;
    private long errors;
    private final MessageHandler responseHandler = this::onResponse; // preallocated: no capture per poll
    private final MessageHandler requestHandler = this::onRequest;

    /**
     * Allocates both ring buffers.
     *
     * @param batch requests per round trip, 1..256.
     */
    public AgronaRoundTrip(final int batch)
    {
        if (batch < 1 || batch > 256)
        {
            throw new IllegalArgumentException("batch must be 1..256: batch=" + batch);
        }
        this.batch = batch;
    }

    private static RingBuffer newRing()
    {
        final ByteBuffer memory =
            BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64);
        return new OneToOneRingBuffer(new UnsafeBuffer(memory));
    }

    @Override
    public int frontWork()
    {
        if (outstanding == 0)
        {
            for (int i = 0; i < batch; i++)
            {
                final int index = requests.tryClaim(MSG_TYPE, MESSAGE_LENGTH);
                if (index < 0)
                {
                    errors++;
                    break;
                }
                requests.buffer().putInt(index, i);
                requests.commit(index);
                outstanding++;
            }
        }
        received = 0;
        responses.read(responseHandler, outstanding);
        outstanding -= received;
        return received;
    }

    private void onResponse(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        errors += buffer.getInt(index) < batch ? 0 : 1;
        received++;
    }

    @Override
    public int backWork()
    {
        return requests.read(requestHandler);
    }

    private void onRequest(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        final int id = buffer.getInt(index);
        int claim;
        while ((claim = responses.tryClaim(MSG_TYPE, MESSAGE_LENGTH)) < 0)
        {
            Thread.onSpinWait(); // cannot happen with batch <= 256 in 8 KiB; kept bounded by the front's batch
        }
        responses.buffer().putInt(claim, id);
        responses.commit(claim);
    }

    @Override
    public boolean twoThreads()
    {
        return true;
    }

    @Override
    public String error()
    {
        return errors == 0 ? null : "bad responses: errors=" + errors;
    }

    @Override
    public void close()
    {
    }
}
