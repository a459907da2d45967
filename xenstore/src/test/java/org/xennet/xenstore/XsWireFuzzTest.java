package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random and mutation fuzzing of the xs_wire decoder and request handler: no exception escapes, every
 * frame gets exactly one well-formed reply, a rejected request leaves the store unchanged, and the socket server
 * keeps serving. Re-run a failure with {@code -Dxennet.fuzz.seed=<seed>} (the seed is in every message).
 */
@Timeout(120)
class XsWireFuzzTest
{
    private static final long SEED = Long.getLong("xennet.fuzz.seed", System.nanoTime());
    private static final int DIRECT_MESSAGES = 100_000;
    private static final int SOCKET_MESSAGES = 3_000;
    private static final String[] PATHS = {"/fz", "/fz/a", "/fz/a/b", "/fz/c", "fz/rel", "/", "/fz/a/b/c", "@x"};
    private static final String[] TOKENS = {"t", "tok", ""};
    private static final int[] TYPES = {XsMessageType.READ, XsMessageType.WRITE, XsMessageType.MKDIR,
        XsMessageType.RM, XsMessageType.DIRECTORY, XsMessageType.DIRECTORY_PART, XsMessageType.GET_PERMS,
        XsMessageType.SET_PERMS, XsMessageType.WATCH, XsMessageType.UNWATCH, XsMessageType.TRANSACTION_START,
        XsMessageType.TRANSACTION_END, XsMessageType.GET_DOMAIN_PATH, XsMessageType.IS_DOMAIN_INTRODUCED,
        XsMessageType.RESET_WATCHES, XsMessageType.INTRODUCE};

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryFuzzedFrameAndNeverChangeStoreOnRejection()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final InMemoryXenStore store = new InMemoryXenStore(2_000, 32, 8);
        store.write("/fz/a/b", "seed");
        final Harness harness = new Harness(store);
        int frames = 0;
        int rejected = 0;
        try
        {
            for (int i = 0; i < DIRECT_MESSAGES; i++)
            {
                final byte[] message = nextMessage(random);
                final XsFrameDecoder decoder = new XsFrameDecoder();
                final ByteBuffer in = ByteBuffer.wrap(message);
                int result = XsFrameDecoder.OK;
                while (in.hasRemaining() && result == XsFrameDecoder.OK)
                {
                    // arbitrary chunking: the decoder must not care how the stream is split
                    final int chunk = 1 + random.nextInt(Math.max(1, in.remaining()));
                    final ByteBuffer slice = in.slice().limit(chunk);
                    result = decoder.feed(slice, harness);
                    in.position(in.position() + slice.position());
                }
                if (result == XsFrameDecoder.OVERSIZED)
                {
                    harness.oversized(decoder);
                }
                if (i % 5_000 == 4_999)
                {
                    harness.reconnect(); // drops this "connection's" watches and transactions, as a hang-up does
                }
            }
            frames = harness.frames;
            rejected = harness.rejected;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            fail("fuzz failed, seed=" + SEED + ": " + ex, ex);
        }
        assertEquals(0, harness.handler.internalErrors(), "seed=" + SEED);
        assertTrue(frames > DIRECT_MESSAGES / 2, "most messages must reach the handler, seed=" + SEED);
        assertTrue(rejected > frames / 10 && rejected < frames, "fuzz must exercise both paths: rejected=" +
            rejected + ", frames=" + frames + ", seed=" + SEED);
        store.close();
    }

    @Test
    void shouldKeepServingThroughFuzzOverRealSocket() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        final InMemoryXenStore store = new InMemoryXenStore(2_000, 32, 8);
        store.write("/sentinel/value", "untouched");
        final Map<String, String> sentinel = sentinel(store);
        try (XenStoreServer server = XenStoreServer.start(dir.resolve("fuzz.sock"), store))
        {
            RawXsConnection connection = new RawXsConnection(server.socketPath());
            for (int i = 0; i < SOCKET_MESSAGES; i++)
            {
                try
                {
                    connection.send(nextMessage(random));
                }
                catch (final IOException ex)
                {
                    connection.close(); // the server hung up (oversized header): open another
                    connection = new RawXsConnection(server.socketPath());
                }
                if (i % 100 == 99)
                {
                    connection.close();
                    connection = new RawXsConnection(server.socketPath());
                }
            }
            connection.close();
            try (XenStoreClient client = XenStoreClient.connect(server.socketPath()))
            {
                assertEquals("untouched", client.read("/sentinel/value"), "seed=" + SEED);
                client.write("/after/fuzz", "ok");
                assertEquals("ok", client.read("/after/fuzz"));
            }
            assertEquals(0, server.internalErrors(), "seed=" + SEED);
        }
        assertEquals(sentinel, sentinel(store), "seed=" + SEED);
        store.close();
    }

    private static Map<String, String> sentinel(final InMemoryXenStore store)
    {
        final Map<String, String> dump = store.dump();
        dump.keySet().removeIf(path -> !path.startsWith("/sentinel"));
        return dump;
    }

    private static byte[] nextMessage(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            final byte[] garbage = new byte[random.nextInt(80)];
            random.nextBytes(garbage);
            return garbage;
        }
        final byte[] valid = validMessage(random);
        return kind < 3 ? valid : mutate(valid, random);
    }

    private static byte[] validMessage(final SplittableRandom random)
    {
        final int type = TYPES[random.nextInt(TYPES.length)];
        final String path = PATHS[random.nextInt(PATHS.length)];
        final String payload = switch (type)
        {
            case XsMessageType.WRITE -> path + "\0" + "v".repeat(random.nextInt(8));
            case XsMessageType.DIRECTORY_PART -> path + "\0" + random.nextInt(4) + "\0";
            case XsMessageType.SET_PERMS -> path + "\0" + "nrwb".charAt(random.nextInt(4)) + random.nextInt(3) + "\0";
            case XsMessageType.WATCH, XsMessageType.UNWATCH -> path + "\0" + TOKENS[random.nextInt(TOKENS.length)] +
                "\0";
            case XsMessageType.TRANSACTION_START -> "\0";
            case XsMessageType.TRANSACTION_END -> random.nextBoolean() ? "T\0" : "F\0";
            case XsMessageType.GET_DOMAIN_PATH, XsMessageType.IS_DOMAIN_INTRODUCED -> random.nextInt(5) + "\0";
            case XsMessageType.RESET_WATCHES -> "";
            default -> path + "\0";
        };
        final int txId = random.nextInt(4) == 0 ? random.nextInt(6) : 0;
        return RawXsConnection.frame(type, random.nextInt(), txId, RawXsConnection.bytes(payload));
    }

    private static byte[] mutate(final byte[] message, final SplittableRandom random)
    {
        byte[] out = message.clone();
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            final ByteBuffer view = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
            switch (random.nextInt(8))
            {
                case 0 -> out[random.nextInt(out.length)] ^= (byte)(1 << random.nextInt(8));
                case 1 -> out[random.nextInt(out.length)] = (byte)random.nextInt(256);
                case 2 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length + 1));
                case 3 ->
                {
                    final byte[] tail = new byte[1 + random.nextInt(20)];
                    random.nextBytes(tail);
                    final byte[] longer = java.util.Arrays.copyOf(out, out.length + tail.length);
                    System.arraycopy(tail, 0, longer, out.length, tail.length);
                    out = longer;
                }
                case 4 ->
                {
                    if (out.length >= XsWire.HEADER_LENGTH)
                    {
                        final int len = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(40);
                        view.putInt(XsWire.LEN_OFFSET, len);
                    }
                }
                case 5 ->
                {
                    if (out.length >= XsWire.HEADER_LENGTH)
                    {
                        view.putInt(XsWire.TYPE_OFFSET, random.nextBoolean() ? random.nextInt(30) : random.nextInt());
                    }
                }
                case 6 -> out[XsWire.HEADER_LENGTH <= out.length - 1 ?
                    XsWire.HEADER_LENGTH + random.nextInt(out.length - XsWire.HEADER_LENGTH) :
                    random.nextInt(Math.max(1, out.length))] = 0;
                default ->
                {
                    if (out.length >= XsWire.HEADER_LENGTH)
                    {
                        view.putInt(XsWire.TX_ID_OFFSET, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(6));
                    }
                }
            }
            if (out.length == 0)
            {
                break;
            }
        }
        return out;
    }

    /** Feeds frames to a real handler and checks each reply and the store around it. */
    private static final class Harness implements XsFrameDecoder.FrameHandler
    {
        private final InMemoryXenStore store;
        private final List<ByteBuffer> output = new ArrayList<>();
        private XsRequestHandler handler;
        private int frames;
        private int rejected;

        Harness(final InMemoryXenStore store)
        {
            this.store = store;
            this.handler = newHandler();
        }

        private XsRequestHandler newHandler()
        {
            return new XsRequestHandler(store, store.session(0), message -> output.size() < 10_000 &&
                output.add(message));
        }

        void reconnect()
        {
            assertEquals(0, handler.internalErrors());
            handler.close();
            handler = newHandler();
        }

        @Override
        public void onFrame(final int type, final int reqId, final int txId, final byte[] payload)
        {
            // a content hash on every frame, the full dump on a sample (it is slower)
            final boolean sampled = frames % 64 == 0;
            final long hashBefore = store.contentHash();
            final Map<String, String> before = sampled ? store.dump() : null;
            output.clear();
            handler.onFrame(type, reqId, txId, payload);
            frames++;
            ByteBuffer reply = null;
            for (final ByteBuffer message : output)
            {
                final ByteBuffer header = message.duplicate().order(ByteOrder.nativeOrder());
                assertEquals(message.remaining() - XsWire.HEADER_LENGTH, header.getInt(XsWire.LEN_OFFSET));
                assertTrue(header.getInt(XsWire.LEN_OFFSET) <= XsWire.PAYLOAD_MAX);
                if (header.getInt(XsWire.TYPE_OFFSET) == XsMessageType.WATCH_EVENT)
                {
                    assertEquals(0, header.getInt(XsWire.REQ_ID_OFFSET), "watch events carry req_id 0");
                    continue;
                }
                assertEquals(null, reply, "exactly one reply per request: type=" + XsMessageType.name(type));
                reply = header;
            }
            assertTrue(reply != null, "a reply for every request: type=" + XsMessageType.name(type));
            assertEquals(reqId, reply.getInt(XsWire.REQ_ID_OFFSET));
            final int replyType = reply.getInt(XsWire.TYPE_OFFSET);
            if (replyType == XsMessageType.ERROR)
            {
                rejected++;
                assertEquals(hashBefore, store.contentHash(), "a rejected request changed the store: type=" +
                    XsMessageType.name(type));
                if (sampled)
                {
                    assertEquals(before, store.dump(), "a rejected request changed the store: type=" +
                        XsMessageType.name(type));
                }
            }
            else
            {
                assertEquals(type, replyType, "a reply carries its request's type");
            }
        }

        void oversized(final XsFrameDecoder decoder)
        {
            final Map<String, String> before = store.dump();
            output.clear();
            handler.onOversized(decoder.type(), decoder.reqId(), decoder.txId());
            assertEquals(1, output.size());
            final ByteBuffer reply = output.get(0).order(ByteOrder.nativeOrder());
            assertEquals(XsMessageType.ERROR, reply.getInt(XsWire.TYPE_OFFSET));
            assertEquals(before, store.dump());
            reconnect(); // the server closes such a connection
        }
    }
}
