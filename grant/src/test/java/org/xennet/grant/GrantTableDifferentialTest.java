package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.testkit.CProgram;

/**
 * The same permit/end sequence performed by a C program writing through {@code grant_entry_v1_t} /
 * {@code union grant_entry_v2} / {@code grant_status_t} and by {@link GrantTableV1}/{@link GrantTableV2} must give
 * the same result codes and byte-identical grant (and status) frames.
 */
class GrantTableDifferentialTest
{
    private static final int SCRIPTS_PER_VERSION = 12;
    private static final int OPS_PER_SCRIPT = 400;
    private static final long[] FRAMES =
    {
        0L, 1L, 0x1234L, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L, -1L, Long.MIN_VALUE
    };
    private static final int[] DOMIDS = {0, 1, 7, GrantConstants.DOMID_SELF, 0xFFFF, 0x1_0000, -1};

    private static CProgram peer;

    @BeforeAll
    static void compilePeer()
    {
        peer = CProgram.compileResources(GrantTableDifferentialTest.class, List.of("/c/grant_peer.c"), "-O2");
    }

    @Test
    void shouldMatchCForHandWrittenV1Sequence()
    {
        assertSameAsC(1, List.of(
            "P 8 1 4294967295 0",      // largest v1 frame: granted
            "E 8",
            "P 9 1 4294967296 0",      // 2^32: FRAME_OUT_OF_RANGE, entry untouched
            "P 9 1 18446744073709551615 1",
            "P 9 2 4294967294 1",
            "P 9 2 5 1",               // ALREADY_GRANTED
            "M 9 8",                   // peer reading
            "E 9",                     // STILL_IN_USE, entry left valid
            "U 9 8",
            "E 9",
            "P 10 0 0 0",
            "M 10 24",
            "E 10",
            "U 10 16",
            "E 10",
            "U 10 8",
            "E 10",
            "S 11 1 7 0 16 0",         // sub-page: NOT_SUPPORTED in v1
            "T 11 1 2 3 0",
            "P 511 65535 1 0",
            "P 512 1 1 0",             // BAD_REF
            "P -1 1 1 0",
            "E 512",
            "P 12 65536 1 0"));        // BAD_ARGUMENT
    }

    @Test
    void shouldMatchCForHandWrittenV2Sequence()
    {
        assertSameAsC(2, List.of(
            "P 8 1 4294967296 0",      // 2^32 is fine in v2
            "P 9 1 18446744073709551615 1",
            "S 10 1 4294967297 100 200 1",
            "S 11 1 5 4000 96 0",
            "S 12 1 5 4000 97 0",      // window beyond the page: BAD_ARGUMENT
            "T 13 3 2 4294967295 0",
            "M 8 8",
            "E 8",                     // STILL_IN_USE, but flags already cleared
            "P 8 1 1 0",               // refused while the status says in use
            "U 8 8",
            "E 8",
            "P 8 1 2 0",
            "E 9", "E 10", "E 11", "E 13",
            "S 9 1 77 0 4096 0",       // re-grant over stale full-page bytes
            "P 10 2 9 0",              // full page over stale sub-page bytes: pad0 cleared
            "T 11 4 65536 1 0",        // bad trans domid
            "P 256 1 1 0",
            "E -1"));
    }

    @Test
    void shouldMatchCForRandomV1Sequences()
    {
        assertRandomScripts(1, 0x9A1E5EEDL);
    }

    @Test
    void shouldMatchCForRandomV2Sequences()
    {
        assertRandomScripts(2, 0x2B2E5EEDL);
    }

    private static void assertRandomScripts(final int version, final long baseSeed)
    {
        for (int i = 0; i < SCRIPTS_PER_VERSION; i++)
        {
            final long seed = baseSeed + i;
            final List<String> ops = randomScript(new Random(seed), version);
            try
            {
                assertSameAsC(version, ops);
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError("v" + version + " script differs from C, seed=" + seed + ": " +
                    ex.getMessage(), ex);
            }
        }
    }

    private static List<String> randomScript(final Random random, final int version)
    {
        final int entries = version == 1 ? GrantEntryV1Descriptor.ENTRIES_PER_FRAME :
            GrantEntryV2Descriptor.ENTRIES_PER_FRAME;
        final List<String> ops = new ArrayList<>();
        for (int i = 0; i < OPS_PER_SCRIPT; i++)
        {
            final int pick = random.nextInt(100);
            final int ref = pickRef(random, entries);
            final int domid = DOMIDS[random.nextInt(DOMIDS.length)];
            final long frame = random.nextInt(4) == 0 ? random.nextLong() : FRAMES[random.nextInt(FRAMES.length)];
            final int ro = random.nextInt(2);
            if (pick < 30)
            {
                ops.add("P " + ref + " " + domid + " " + Long.toUnsignedString(frame) + " " + ro);
            }
            else if (pick < 40)
            {
                final int offset = random.nextInt(4098) - 1;
                final int length = random.nextInt(3) == 0 ? random.nextInt(4098) - 1 :
                    random.nextInt(Math.max(1, 4097 - Math.max(0, offset)));
                ops.add("S " + ref + " " + domid + " " + Long.toUnsignedString(frame) + " " + offset + " " + length +
                    " " + ro);
            }
            else if (pick < 45)
            {
                final int transDomid = DOMIDS[random.nextInt(DOMIDS.length)];
                ops.add("T " + ref + " " + domid + " " + transDomid + " " +
                    Integer.toUnsignedString(random.nextInt()) + " " + ro);
            }
            else if (pick < 75)
            {
                ops.add("E " + ref);
            }
            else
            {
                final int bits = 1 + random.nextInt(3); // 1: reading, 2: writing, 3: both
                final int mask = ((bits & 1) != 0 ? GrantFlags.READING : 0) |
                    ((bits & 2) != 0 ? GrantFlags.WRITING : 0);
                ops.add((pick < 87 ? "M " : "U ") + ref + " " + mask);
            }
        }
        return ops;
    }

    private static int pickRef(final Random random, final int entries)
    {
        final int pick = random.nextInt(40);
        if (pick == 0)
        {
            return -1;
        }
        if (pick == 1)
        {
            return entries;
        }
        if (pick == 2)
        {
            return entries - 1;
        }
        return random.nextInt(24);
    }

    private static void assertSameAsC(final int version, final List<String> ops)
    {
        final String script = version + " 1\n" + String.join("\n", ops) + "\n";
        final CProgram.Result result = peer.run(script.getBytes(StandardCharsets.US_ASCII), 60);
        assertEquals(0, result.exitCode(), result.stderr());
        final List<Integer> cResults = new ArrayList<>();
        String cFrames = null;
        String cStatus = null;
        for (final String line : result.stdout().split("\n"))
        {
            if (line.startsWith("R "))
            {
                cResults.add(Integer.parseInt(line.substring(2)));
            }
            else if (line.startsWith("FRAMES "))
            {
                cFrames = line.substring(7);
            }
            else if (line.startsWith("STATUS "))
            {
                cStatus = line.substring(7);
            }
        }

        final AtomicBuffer frames = GrantTestSupport.pages(1);
        final AtomicBuffer statusFrames = GrantTestSupport.pages(1);
        final GrantTable table = version == 1 ? new GrantTableV1(frames) : new GrantTableV2(frames, statusFrames);
        assertEquals(ops.size(), cResults.size(), "C results");
        int nonTrivial = 0;
        for (int i = 0; i < ops.size(); i++)
        {
            final int javaResult = apply(table, ops.get(i));
            assertEquals(GrantResult.resultString(cResults.get(i)), GrantResult.resultString(javaResult),
                "op " + i + ": " + ops.get(i));
            nonTrivial += javaResult == GrantResult.OK ? 1 : 0;
        }
        assertTrue(nonTrivial > 0, "script exercised no successful operation");
        assertSameBytes("grant frames", cFrames, GrantTestSupport.bytes(frames));
        if (version == 2)
        {
            assertSameBytes("status frames", cStatus, GrantTestSupport.bytes(statusFrames));
        }
    }

    private static void assertSameBytes(final String what, final String cHex, final byte[] java)
    {
        final byte[] c = HexFormat.of().parseHex(cHex);
        assertEquals(c.length, java.length, what + " length");
        for (int i = 0; i < c.length; i++)
        {
            if (c[i] != java[i])
            {
                final int from = i & ~15;
                throw new AssertionError(what + " differ at byte " + i + ": C " +
                    HexFormat.of().formatHex(c, from, from + 16) + " Java " +
                    HexFormat.of().formatHex(java, from, from + 16) + " (16 bytes from " + from + ")");
            }
        }
    }

    private static int apply(final GrantTable table, final String op)
    {
        final String[] t = op.split(" ");
        final int ref = Integer.parseInt(t[1]);
        switch (t[0])
        {
            case "P":
                return table.permitAccess(ref, Integer.parseInt(t[2]), Long.parseUnsignedLong(t[3]), "1".equals(t[4]));
            case "S":
                return table.permitSubPageAccess(ref, Integer.parseInt(t[2]), Long.parseUnsignedLong(t[3]),
                    Integer.parseInt(t[4]), Integer.parseInt(t[5]), "1".equals(t[6]));
            case "T":
                return table instanceof GrantTableV2 ? ((GrantTableV2)table).permitTransitiveAccess(ref,
                    Integer.parseInt(t[2]), Integer.parseInt(t[3]), Integer.parseUnsignedInt(t[4]), "1".equals(t[5])) :
                    GrantResult.NOT_SUPPORTED;
            case "E":
                return table.endAccess(ref);
            default:
                return peerMark(table, ref, Integer.parseInt(t[2]), "M".equals(t[0]));
        }
    }

    /** What Xen does to the shared memory when it starts or stops using a page (plain, single-threaded here). */
    private static int peerMark(final GrantTable table, final int ref, final int bits, final boolean set)
    {
        if (!table.isValidRef(ref))
        {
            return GrantResult.BAD_REF;
        }
        final AtomicBuffer buffer = table instanceof GrantTableV2 ? ((GrantTableV2)table).statusFrames() :
            table.frames();
        final int offset = table instanceof GrantTableV2 ? GrantEntryV2Descriptor.statusOffset(ref) :
            GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.FLAGS_OFFSET;
        final int old = buffer.getShort(offset) & 0xFFFF;
        buffer.putShort(offset, (short)(set ? old | bits : old & ~bits));
        return GrantResult.OK;
    }
}
