package org.xennet.cli.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.xennet.core.netback.PacketSink;

/**
 * A {@link PacketSink} that writes every packet it sees to a standard pcap file (link type 1, Ethernet), then
 * passes it on to a downstream sink whose answer it returns. Records are built in a Chronicle {@link Bytes} buffer
 * (on heap, native order: the magic number tells readers the byte order) and written to the file when 1 MiB has
 * accumulated and on {@link #flush()}/{@link #close()}. Packets longer than the snap length are truncated in the
 * file ({@code incl_len < orig_len}), as tcpdump does.
 * <p>
 * Never throws from {@link #onPacket}: a write failure stops the capture, is counted and kept for
 * {@link #failure()}; the packets still flow downstream. Single-threaded (the backend's tx thread).
 */
public final class PcapSink implements PacketSink, AutoCloseable
{
    /** {@code LINKTYPE_ETHERNET}. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Default snap length: every netif packet (at most 65535 bytes) is captured whole. */
    public static final int DEFAULT_SNAP_LENGTH = 65535;
    /** Length of the pcap global header. */
    public static final int FILE_HEADER_LENGTH = 24;
    /** Length of a pcap record header. */
    public static final int RECORD_HEADER_LENGTH = 16;

    private static final int FLUSH_THRESHOLD = 1 << 20;

    private final PacketSink downstream;
    private final PcapPrecision precision;
    private final int snapLength;
    private final FileChannel channel;
    private final Bytes<byte[]> bytes;
    private final byte[] scratch;
    private final long epochNanosAtStart;
    private final long nanoTimeAtStart;
    private long packets;
    private IOException failure;

    /**
     * Creates (or truncates) the capture file and writes its global header.
     *
     * @param file       the pcap file.
     * @param precision  microsecond or nanosecond timestamps.
     * @param snapLength largest bytes kept per packet (1 .. 262144).
     * @param downstream the sink whose answer is returned (e.g. loopback or discard).
     * @throws IOException when the file cannot be created.
     */
    public PcapSink(final Path file, final PcapPrecision precision, final int snapLength, final PacketSink downstream)
        throws IOException
    {
        if (snapLength < 1 || snapLength > 262144)
        {
            throw new IllegalArgumentException("snap length out of range: snapLength=" + snapLength);
        }
        this.downstream = downstream;
        this.precision = precision;
        this.snapLength = snapLength;
        this.scratch = new byte[snapLength];
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        // On-heap: a direct Chronicle buffer would need --add-exports java.base/sun.nio.ch on every JVM.
        this.bytes = Bytes.allocateElasticOnHeap(FLUSH_THRESHOLD + snapLength + RECORD_HEADER_LENGTH);
        final long millis = System.currentTimeMillis();
        this.nanoTimeAtStart = System.nanoTime();
        this.epochNanosAtStart = TimeUnit.MILLISECONDS.toNanos(millis);
        bytes.writeInt(precision.magic());
        bytes.writeUnsignedShort(2); // version_major
        bytes.writeUnsignedShort(4); // version_minor
        bytes.writeInt(0);           // thiszone: UTC
        bytes.writeInt(0);           // sigfigs
        bytes.writeInt(snapLength);
        bytes.writeInt(LINKTYPE_ETHERNET);
        flush();
        if (null != failure)
        {
            channel.close();
            bytes.releaseLast();
            throw failure;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == failure)
        {
            record(buffer, offset, length);
        }
        return downstream.onPacket(buffer, offset, length);
    }

    private void record(final DirectBuffer buffer, final int offset, final int length)
    {
        final long now = epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
        final int included = Math.min(length, snapLength);
        bytes.writeInt((int)(now / 1_000_000_000L));
        bytes.writeInt(precision.fraction(now % 1_000_000_000L));
        bytes.writeInt(included);
        bytes.writeInt(length);
        buffer.getBytes(offset, scratch, 0, included);
        bytes.write(scratch, 0, included);
        packets++;
        if (bytes.writePosition() >= FLUSH_THRESHOLD)
        {
            flush();
        }
    }

    /**
     * Writes the buffered records to the file.
     */
    public void flush()
    {
        if (null != failure)
        {
            return;
        }
        try
        {
            // The array may change as the buffer grows: fetch it at each flush (a cold path, about once per MiB).
            final ByteBuffer view = ByteBuffer.wrap(bytes.underlyingObject(), (int)bytes.readPosition(),
                (int)(bytes.writePosition() - bytes.readPosition()));
            while (view.hasRemaining())
            {
                channel.write(view);
            }
            bytes.clear();
        }
        catch (final IOException ex)
        {
            failure = ex;
        }
    }

    /**
     * Flushes and closes the file.
     */
    @Override
    public void close()
    {
        flush();
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            if (null == failure)
            {
                failure = ex;
            }
        }
        bytes.releaseLast();
    }

    /** @return packets recorded. */
    public long packets()
    {
        return packets;
    }

    /** @return the write failure that stopped the capture, or null. */
    public IOException failure()
    {
        return failure;
    }
}
