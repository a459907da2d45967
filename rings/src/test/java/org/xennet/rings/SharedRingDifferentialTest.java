package org.xennet.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xennet.testkit.CProgram;

/**
 * Differential test of {@link FrontRing}/{@link BackRing} against Xen's own {@code io/ring.h} macros: the C driver
 * ({@code ring_driver.c}, netif TX ring types) and {@link RingScript} run the same scripts; every result, private
 * index and page byte must be identical after every step.
 */
class SharedRingDifferentialTest
{
    private static final int RANDOM_SCRIPTS = 2000;
    private static final String START = "fill 0xa5\nsinit\nfinit\nbinit\n";

    private static CProgram driver;

    @BeforeAll
    static void compileDriver()
    {
        driver = CProgram.compileResources(SharedRingDifferentialTest.class, List.of("/c/ring_driver.c"), "-O2");
    }

    @Test
    void shouldMatchSharedRingInitAndFrontBackInit()
    {
        assertSameAsC(List.of(
            "fill 0xa5\nsinit\nfinit\nbinit\nfree_req\nfull\nunc_req\nunc_rsp\nend\n",
            "fill 0x00\npoke 16 0xffffffff\npoke 60 0x12345678\nsinit\nfinit\nbinit\nend\n"));
    }

    @Test
    void shouldMatchPushAndCheckNotifyForRequests()
    {
        // notify exactly when req_event lies in (old, new]: 0->1 with event 1, not 1->2, then 2->5 after re-arm to 3
        assertSameAsC(List.of(START + "req 1 0 0 1 60\npush_req_notify\nreq 2 0 0 2 60\npush_req_notify\n" +
            "take_req\ntake_req\nrsp 1 0\nrsp 2 0\npush_rsp\nfinal_req\nreq 3 0 0 3 60\nreq 4 0 0 4 60\n" +
            "req 5 0 0 5 60\npush_req_notify\npush_req_notify\nend\n"));
    }

    @Test
    void shouldMatchPushAndCheckNotifyForResponses()
    {
        assertSameAsC(List.of(START + "req 1 0 0 1 60\nreq 2 0 0 2 60\npush_req\ntake_req\nrsp 1 0\n" +
            "push_rsp_notify\nfinal_rsp\ntake_rsp\nfinal_rsp\ntake_req\nrsp 2 65535\npush_rsp_notify\n" +
            "push_rsp_notify\ntake_rsp\nend\n"));
    }

    @Test
    void shouldMatchPlainPushesAndUnconsumedCounts()
    {
        assertSameAsC(List.of(START + "req 10 1 4 1 1500\nreq 11 2 0 2 100\nunc_req\npush_req\nunc_req\n" +
            "take_req\nunc_req\nrsp 1 0\nunc_rsp\npush_rsp\nunc_rsp\ntake_rsp\nunc_rsp\nend\n"));
    }

    @Test
    void shouldMatchFinalChecks()
    {
        assertSameAsC(List.of(START + "final_req\nfinal_rsp\nreq 1 0 0 1 1\npush_req\nfinal_req\ntake_req\n" +
            "final_req\nrsp 1 0\npush_rsp\nfinal_rsp\ntake_rsp\nfinal_rsp\npoke 4 7\nfinal_req\nend\n"));
    }

    @Test
    void shouldMatchResponseSpaceTermOfUnconsumedRequests()
    {
        // the front end (misbehaving) publishes 300 requests into 256 slots; the back end may take only 256
        final StringBuilder script = new StringBuilder(START);
        for (int i = 0; i < 300; i++)
        {
            script.append("req ").append(i).append(" 0 0 ").append(i).append(" 1\n");
        }
        script.append("free_req\nfull\npush_req\nunc_req\nreq_prod_ovf 300\nreq_prod_ovf 256\nreq_prod_ovf 257\n");
        for (int i = 0; i < 256; i++)
        {
            script.append("take_req\n");
        }
        script.append("unc_req\nreq_cons_ovf 256\nreq_cons_ovf 255\nrsp 0 0\nunc_req\nfinal_req\nend\n");
        assertSameAsC(List.of(script.toString()));
    }

    @Test
    void shouldMatchOverflowChecksAndSlotOffsets()
    {
        assertSameAsC(List.of(START + "req_cons_ovf 0\nreq_cons_ovf 256\nreq_cons_ovf 0xffffffff\n" +
            "req_prod_ovf 256\nreq_prod_ovf 257\nreq_prod_ovf 0xffffffff\nrsp_prod_ovf 256\nrsp_prod_ovf 257\n" +
            "rsp_prod_ovf 0x80000000\nget_req 0\nget_req 255\nget_req 256\nget_req 0xffffffff\nget_rsp 257\n" +
            "get_rsp 0x7fffffff\nend\n"));
    }

    @Test
    void shouldMatchAcrossIndexWrap()
    {
        final List<String> scripts = new ArrayList<>();
        for (final String start : List.of("0xffffff00", "0xfffffffe", "0xffffffff", "0x7fffff80"))
        {
            final StringBuilder script = new StringBuilder("fill 0x5a\nsinit\n");
            script.append("poke 0 ").append(start).append("\npoke 8 ").append(start).append('\n');
            script.append("poke 4 ").append(start).append("\npoke 12 ").append(start).append('\n');
            script.append("fattach ").append(start).append("\nbattach ").append(start).append('\n');
            script.append("final_req\nfinal_rsp\nfree_req\n");
            for (int round = 0; round < 6; round++)
            {
                for (int i = 0; i < 100; i++)
                {
                    script.append("req ").append(round * 100 + i).append(" 1 2 ").append(i).append(" 64\n");
                }
                script.append("free_req\nfull\npush_req_notify\nunc_req\n");
                for (int i = 0; i < 100; i++)
                {
                    script.append("take_req\nrsp ").append(i).append(" 0\n");
                }
                script.append("final_req\npush_rsp_notify\nunc_rsp\n");
                for (int i = 0; i < 100; i++)
                {
                    script.append("take_rsp\n");
                }
                script.append("final_rsp\nrsp_prod_ovf 0\nreq_cons_ovf 0\nreq_prod_ovf 0\n");
            }
            scripts.add(script.append("end\n").toString());
        }
        assertSameAsC(scripts);
    }

    @Test
    void shouldMatchRandomScripts()
    {
        final long seed = Long.getLong("rings.seed", System.nanoTime());
        final List<String> scripts = randomScripts(seed, RANDOM_SCRIPTS);
        final String mismatch = firstMismatch(scripts, RingScript.Mutant.NONE);
        if (null != mismatch)
        {
            fail("seed=" + seed + " (rerun with -Drings.seed=" + seed + "): " + mismatch);
        }
    }

    @ParameterizedTest
    @EnumSource(value = RingScript.Mutant.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void shouldDetectPlantedBug(final RingScript.Mutant mutant)
    {
        final long seed = Long.getLong("rings.seed", System.nanoTime());
        final String mismatch = firstMismatch(randomScripts(seed, 300), mutant);
        assertTrue(null != mismatch, "planted bug " + mutant + " went unnoticed, seed=" + seed);
    }

    private static void assertSameAsC(final List<String> scripts)
    {
        final String mismatch = firstMismatch(scripts, RingScript.Mutant.NONE);
        if (null != mismatch)
        {
            fail(mismatch);
        }
    }

    private static String firstMismatch(final List<String> scripts, final RingScript.Mutant mutant)
    {
        final StringBuilder input = new StringBuilder();
        scripts.forEach(input::append);
        final CProgram.Result result = driver.run(input.toString().getBytes(StandardCharsets.US_ASCII), 120);
        assertEquals(0, result.exitCode(), () -> "ring_driver failed: " + result.stderr());
        final String[] cLines = result.stdout().split("\n");
        int cLine = 0;
        for (int s = 0; s < scripts.size(); s++)
        {
            final StringBuilder javaOut = new StringBuilder();
            new RingScript(mutant).run(scripts.get(s), javaOut);
            final String[] javaLines = javaOut.toString().split("\n");
            for (int i = 0; i < javaLines.length; i++, cLine++)
            {
                final String c = cLine < cLines.length ? cLines[cLine] : "<no output>";
                if (!c.equals(javaLines[i]))
                {
                    return "script " + s + " step " + i + " differs\n  C:    " + abbreviate(c) + "\n  Java: " +
                        abbreviate(javaLines[i]) + "\n  script:\n" + abbreviate(scripts.get(s));
                }
            }
        }
        return cLine == cLines.length ? null : "C printed " + (cLines.length - cLine) + " extra lines";
    }

    private static String abbreviate(final String s)
    {
        return s.length() <= 4000 ? s : s.substring(0, 4000) + "...";
    }

    static List<String> randomScripts(final long seed, final int count)
    {
        final Random random = new Random(seed);
        final List<String> scripts = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            scripts.add(randomScript(random));
        }
        return scripts;
    }

    private static String randomScript(final Random random)
    {
        final StringBuilder s = new StringBuilder();
        s.append("fill ").append(random.nextInt(256)).append("\nsinit\n");
        final int base;
        switch (random.nextInt(4))
        {
            case 0:
                base = 0;
                break;
            case 1:
                base = -1 - random.nextInt(600);
                break;
            case 2:
                base = 0x7FFFFFFF - random.nextInt(600);
                break;
            default:
                base = random.nextInt();
                break;
        }
        if (base == 0 && random.nextBoolean())
        {
            s.append("finit\nbinit\n");
        }
        else
        {
            s.append("poke 0 ").append(u(base)).append("\npoke 8 ").append(u(base)).append('\n');
            s.append("poke 4 ").append(u(base + 1)).append("\npoke 12 ").append(u(base + 1)).append('\n');
            s.append("fattach ").append(u(base)).append("\nbattach ").append(u(base)).append('\n');
        }
        final int steps = 20 + random.nextInt(60);
        for (int i = 0; i < steps; i++)
        {
            appendRandomOp(random, base, s);
        }
        return s.append("end\n").toString();
    }

    private static void appendRandomOp(final Random random, final int base, final StringBuilder s)
    {
        final int near = base + random.nextInt(700) - 50;
        switch (random.nextInt(24))
        {
            case 0, 1, 2 -> s.append("req ").append(u(random.nextInt())).append(' ').append(random.nextInt(65536))
                .append(' ').append(random.nextInt(16)).append(' ').append(random.nextInt(65536)).append(' ')
                .append(random.nextInt(65536)).append('\n');
            case 3 ->
            {
                final int burst = random.nextInt(8) == 0 ? 200 + random.nextInt(100) : random.nextInt(40);
                for (int k = 0; k < burst; k++)
                {
                    s.append("req ").append(k).append(" 0 0 ").append(k).append(" 60\n");
                }
            }
            case 4, 5 -> s.append("rsp ").append(random.nextInt(65536)).append(' ').append(random.nextInt(65536))
                .append('\n');
            case 6 -> s.append("push_req\n");
            case 7, 8 -> s.append("push_req_notify\n");
            case 9 -> s.append("push_rsp\n");
            case 10, 11 -> s.append("push_rsp_notify\n");
            case 12, 13 -> s.append("take_req\n");
            case 14 -> s.append("take_rsp\n");
            case 15 -> s.append(random.nextBoolean() ? "unc_req\n" : "unc_rsp\n");
            case 16, 17 -> s.append(random.nextBoolean() ? "final_req\n" : "final_rsp\n");
            case 18 -> s.append(random.nextBoolean() ? "free_req\n" : "full\n");
            case 19 -> s.append(random.nextBoolean() ? "req_cons_ovf " : "req_prod_ovf ").append(u(near))
                .append('\n');
            case 20 -> s.append("rsp_prod_ovf ").append(u(random.nextBoolean() ? near : random.nextInt()))
                .append('\n');
            case 21 -> s.append(random.nextBoolean() ? "get_req " : "get_rsp ").append(u(random.nextInt()))
                .append('\n');
            case 22 -> s.append("poke ").append(random.nextBoolean() ? 4 : 12).append(' ').append(u(near))
                .append('\n');
            default -> s.append("poke ").append(random.nextBoolean() ? 0 : 8).append(' ').append(u(near))
                .append('\n');
        }
    }

    private static String u(final int v)
    {
        return Integer.toUnsignedString(v);
    }
}
