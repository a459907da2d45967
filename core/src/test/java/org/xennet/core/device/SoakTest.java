package org.xennet.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netfront.BrokenReason;
import org.xennet.core.netfront.NetFront;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.netfront.TxClaim;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreClient;
import org.xennet.xenstore.XenStoreException;
import org.xennet.xenstore.XenStoreQuotas;
import org.xennet.xenstore.XenStoreServer;

/**
 * A soak: at least 60 s ({@code -Dxennet.soak.seconds}) of mixed work in one JVM — packet traffic through a
 * loopback pair with periodic resets, hostile backends scribbling ring indices, and a xenstored under abuse
 * (transaction floods, node floods, half-sent connections, garbage bytes, a watcher that never reads, pipelined
 * requests) next to a well-behaved client that must be answered correctly throughout. After a warm-up cycle the
 * threads, file descriptors and heap are sampled; at the end they must be back within a small bound of that
 * baseline (nothing grows per cycle), and nothing may have thrown.
 */
@Timeout(600)
class SoakTest
{
    private static final long SECONDS = Long.getLong("xennet.soak.seconds", 60);
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    /** Half-sent connections of the last cycle. */
    private static final List<SocketChannel> LINGERING = new ArrayList<>();

    @TempDir
    Path dir;

    private final TxClaim claim = new TxClaim();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[9000]);
    private final AtomicLong received = new AtomicLong();
    private long completed;

    @Test
    void shouldStayFlatUnderMixedTrafficResetsAndHostileInput() throws Exception
    {
        final XenStoreQuotas quotas = XenStoreQuotas.builder().maxTransactionOps(256).maxNodesPerConnection(2_000)
            .maxMemoryBytes(16L << 20).maxConnections(24).halfMessageTimeout(Duration.ofMillis(300)).build();
        final Path socket = dir.resolve("xs.sock");
        final SplittableRandom random = new SplittableRandom(Long.getLong("xennet.soak.seed", System.nanoTime()));
        try (InMemoryXenStore store = new InMemoryXenStore(quotas);
            XenStoreServer server = XenStoreServer.start(socket, store);
            XenStoreClient good = XenStoreClient.connect(socket))
        {
            final AtomicLong goodEvents = new AtomicLong();
            good.watch("/good", "g", (path, token) -> goodEvents.incrementAndGet());
            final Loopback loopback = new Loopback(2, 0x10_0000, 0x1000);
            assertEquals(NetFrontResult.OK, loopback.open());
            final long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            final long warmUpEnd = System.nanoTime() + Math.min(10, SECONDS / 4) * 1_000_000_000L;
            Sample baseline = null;
            long cycles = 0;
            long resets = 0;
            long hostileBroken = 0;
            while (System.nanoTime() < end || baseline == null)
            {
                traffic(loopback, 5_000);
                if (cycles % 5 == 4)
                {
                    loopback.close(); // the reset path: every grant ended, rings and ports released
                    assertEquals(NetFrontResult.OK, loopback.open(), "reopen after reset");
                    resets++;
                }
                hostileBroken += hostileBackend(random) ? 1 : 0;
                abuseXenstore(socket, random, cycles);
                good.write("/good/n" + (cycles % 50), Long.toString(cycles)); // the others keep being served
                assertEquals(Long.toString(cycles), good.read("/good/n" + (cycles % 50)));
                cycles++;
                if (baseline == null && System.nanoTime() > warmUpEnd)
                {
                    closeLingering();
                    settle(server);
                    baseline = Sample.take();
                }
            }
            loopback.close();
            closeLingering();
            settle(server);
            final Sample after = Sample.take();
            System.out.println("soak: " + SECONDS + " s, " + cycles + " cycles, " + resets + " resets, " +
                received.get() + " packets, " + hostileBroken + " hostile backends detected, xenstored " +
                server.evictedConnections() + " evicted, " + server.timedOutConnections() + " timed out, " +
                server.droppedEvents() + " events dropped; baseline " + baseline + ", after " + after);
            assertEquals(0, server.internalErrors(), "xenstored internal errors");
            final Sample base = baseline;
            assertTrue(after.threads <= base.threads + 2, () -> "threads grew: " + base + " -> " + after +
                "\n" + threadNames());
            assertTrue(after.fds <= baseline.fds + 8, "file descriptors grew: " + baseline + " -> " + after);
            assertTrue(after.heap <= baseline.heap + (64L << 20), "heap grew: " + baseline + " -> " + after);
            assertTrue(after.direct <= baseline.direct + (64L << 20), "direct memory grew: " + baseline + " -> " +
                after);
            assertTrue(store.memoryBytes() <= quotas.maxMemoryBytes());
            assertTrue(goodEvents.get() > 0);
            assertTrue(hostileBroken > 0, "the hostile backends were noticed");
            assertEquals(completed, received.get(), "every completed packet arrived");
        }
    }

    /** Waits until only the well-behaved client is connected (abusers closed or timed out) and GC ran. */
    private static void settle(final XenStoreServer server) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (server.connectionCount() > 1 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(1, server.connectionCount(), "abusive connections must be gone");
        Thread.sleep(200); // let the closed connections' threads finish
    }

    private void traffic(final Loopback loopback, final int packets)
    {
        final NetFront a = loopback.a().front();
        final NetFront b = loopback.b().front();
        final NetBack backA = loopback.a().back();
        for (int i = 0; i < packets; i++)
        {
            final int length = (i % 10) == 0 ? 6000 : 60 + (i % 1400);
            final int rc = (i & 1) == 0 ? a.offer(payload, 0, length, claim) :
                a.transmit(Loopback.appOffset(i % 60) + (i % 4000), length);
            if (rc < 0 && claim.isClaimed())
            {
                a.abort(claim);
            }
            b.refillRx();
            backA.pollTx(256);
            a.pollTx(this::onTxComplete, 256);
            b.pollRx(this::onPacket, 256);
        }
        // drain what is in flight so that completions and arrivals can be compared
        for (int i = 0; i < 100; i++)
        {
            b.refillRx();
            backA.pollTx(256);
            a.pollTx(this::onTxComplete, 256);
            b.pollRx(this::onPacket, 256);
        }
    }

    private void onTxComplete(final int offset, final int length, final int status)
    {
        if (status == 0)
        {
            completed++;
        }
    }

    private void onPacket(final DirectBuffer buffer, final int offset, final int length)
    {
        received.incrementAndGet();
    }

    /**
     * A hostile backend: on a fresh pair, scribbles the tx response producer of A's ring; A must either ignore it
     * or go BROKEN with a reason, never throw; closing releases everything.
     */
    private static boolean hostileBackend(final SplittableRandom random)
    {
        final Loopback victim = new Loopback(1 + random.nextInt(2), 0x10_0000, 0x1000);
        assertEquals(NetFrontResult.OK, victim.open());
        final NetFront a = victim.a().front();
        for (int i = 0; i < 8; i++)
        {
            a.transmit(Loopback.appOffset(i), 60 + random.nextInt(1400));
        }
        final AtomicBuffer txPage = a.txRing().buffer();
        txPage.putIntRelease(SharedRingDescriptor.RSP_PROD_OFFSET, random.nextInt());
        final int polled = a.pollTx((offset, length, status) -> { }, 256);
        assertTrue(polled >= 0 || polled == NetFrontResult.BROKEN, "pollTx " + polled);
        final boolean broken = a.state() == NetFront.State.BROKEN;
        assertEquals(broken, a.brokenReason() != BrokenReason.NONE, "a reason iff broken");
        victim.close();
        return broken;
    }

    private static void abuseXenstore(final Path socket, final SplittableRandom random, final long cycle)
        throws Exception
    {
        closeLingering();
        final List<SocketChannel> open = new ArrayList<>();
        try
        {
            // a transaction flood: writes until the operation quota answers EQUOTA
            final SocketChannel flood = connect(socket);
            open.add(flood);
            send(flood, 6, 1, 0, "\0"); // XS_TRANSACTION_START
            final String txText = readReply(flood);
            final int tx = Integer.parseInt(txText.substring(0, txText.length() - 1));
            String last = "";
            for (int i = 0; i < 300 && !last.startsWith("EQUOTA"); i++)
            {
                send(flood, 11, 2, tx, "/flood/" + cycle + "/n" + i + "\0" + "v".repeat(500));
                last = readReply(flood);
            }
            assertTrue(last.startsWith("EQUOTA"), "the flood must end in EQUOTA: " + last);
            // half-sent connections (slowloris): closed by the server's timeout or evicted
            for (int i = 0; i < 4; i++)
            {
                final SocketChannel slow = connect(socket);
                slow.write(ByteBuffer.wrap(new byte[] {11, 0, 0}));
                LINGERING.add(slow); // left for the server to time out; this end closes it a cycle later
            }
            // garbage bytes and an oversized header: XS_ERROR or a closed connection, never a crash
            final SocketChannel garbage = connect(socket);
            open.add(garbage);
            final byte[] junk = new byte[64 + random.nextInt(512)];
            random.nextBytes(junk);
            garbage.write(ByteBuffer.wrap(junk));
            // a watcher that never reads, while its watched subtree changes; and pipelined requests unread
            final SocketChannel deaf = connect(socket);
            open.add(deaf);
            send(deaf, 4, 1, 0, "/deaf\0t\0");
            for (int i = 0; i < 200; i++)
            {
                send(deaf, 11, 2 + i, 0, "/deaf/n" + (i % 20) + "\0x");
            }
        }
        finally
        {
            for (final SocketChannel channel : open)
            {
                channel.close();
            }
        }
    }

    private static void closeLingering() throws IOException
    {
        for (final SocketChannel channel : LINGERING)
        {
            channel.close();
        }
        LINGERING.clear();
    }

    private static SocketChannel connect(final Path socket) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
    }

    private static void send(final SocketChannel channel, final int type, final int reqId, final int txId,
        final String payload) throws IOException
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer frame = ByteBuffer.allocate(16 + bytes.length).order(ByteOrder.nativeOrder());
        frame.putInt(type).putInt(reqId).putInt(txId).putInt(bytes.length).put(bytes).flip();
        while (frame.hasRemaining())
        {
            channel.write(frame);
        }
    }

    /** @return the next reply's payload (watch events skipped). */
    private static String readReply(final SocketChannel channel) throws IOException
    {
        while (true)
        {
            final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            readFully(channel, header);
            final ByteBuffer body = ByteBuffer.allocate(header.getInt(12));
            readFully(channel, body);
            if (header.getInt(0) != 15)
            {
                return new String(body.array(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static void readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("xenstored closed the connection");
            }
        }
    }

    private static String threadNames()
    {
        final java.util.Map<String, Long> names = new java.util.TreeMap<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            names.merge(thread.getName().replaceAll("[0-9]+", "N") + " " + thread.getState(), 1L, Long::sum);
        }
        return names.toString();
    }

    /** Threads, open file descriptors, heap after GC, direct buffers. */
    private record Sample(int threads, long fds, long heap, long direct)
    {
        static Sample take() throws IOException, InterruptedException
        {
            for (int i = 0; i < 3; i++)
            {
                System.gc();
                Thread.sleep(50);
            }
            long fds;
            try (Stream<Path> list = Files.list(Path.of("/proc/self/fd")))
            {
                fds = list.count();
            }
            long direct = 0;
            for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
            {
                direct += pool.getMemoryUsed();
            }
            return new Sample(THREADS.getThreadCount(), fds,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), direct);
        }

        @Override
        public String toString()
        {
            return "threads " + threads + ", fds " + fds + ", heap " + (heap >> 20) + " MiB, direct " +
                (direct >> 20) + " MiB";
        }
    }
}
