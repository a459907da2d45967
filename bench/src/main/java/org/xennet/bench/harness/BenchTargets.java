package org.xennet.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The performance targets, read from one file ({@code org/xennet/bench/harness/targets.tsv} in this module's
 * resources; the JMH table scripts read the same file), and judged against one run's results: every ratio is
 * taken between two cases of the same run.
 */
public final class BenchTargets
{
    /** Resource holding the targets. */
    public static final String RESOURCE = "targets.tsv";

    /**
     * One target: {@code caseName} at {@code bytes} (null: any) must reach {@code atLeast} times {@code against}.
     *
     * @param caseName case judged.
     * @param bytes    packet size, or null for the ring cases.
     * @param against  the case it is compared with (same batch, size and grant version where those apply).
     * @param atLeast  the smallest acceptable ratio.
     * @param note     what the ratio means.
     */
    public record Target(String caseName, Integer bytes, String against, double atLeast, String note)
    {
    }

    private BenchTargets()
    {
    }

    /** @return the targets from {@link #RESOURCE}. */
    public static List<Target> load()
    {
        try (InputStream in = BenchTargets.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            final List<Target> targets = new ArrayList<>();
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.isBlank() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] f = line.split("\t");
                targets.add(new Target(f[0], "-".equals(f[1]) ? null : Integer.valueOf(f[1]), f[2],
                    Double.parseDouble(f[3]), f.length > 4 ? f[4] : ""));
            }
            return targets;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Judges every target that the results cover.
     *
     * @param results one run's results.
     * @return one line per judged target: {@code target <case> ... >= x <against>: ratio met|MISSED by n%}.
     */
    public static List<String> judge(final List<BenchResult> results)
    {
        final List<String> lines = new ArrayList<>();
        for (final Target t : load())
        {
            for (final BenchResult r : results)
            {
                if (!r.caseName().equals(t.caseName()) || !Objects.equals(r.packetSize(), t.bytes()))
                {
                    continue;
                }
                final BenchResult base = peer(results, r, t.against());
                if (null == base || base.packetsPerSecond() <= 0)
                {
                    continue;
                }
                final double ratio = r.packetsPerSecond() / base.packetsPerSecond();
                lines.add(String.format(Locale.ROOT, "target %s%s%s >= %.2f x %s: %.2f %s", r.caseName(),
                    r.packetSize() == null ? "" : " " + r.packetSize() + " B",
                    r.grantVersion() == null ? "" : " v" + r.grantVersion(), t.atLeast(), t.against(), ratio,
                    ratio >= t.atLeast() ? "met" :
                        String.format(Locale.ROOT, "MISSED by %.0f%%", 100 * (1 - ratio / t.atLeast()))));
            }
        }
        return lines;
    }

    private static BenchResult peer(final List<BenchResult> results, final BenchResult r, final String against)
    {
        for (final BenchResult b : results)
        {
            if (!b.caseName().equals(against))
            {
                continue;
            }
            final boolean sized = !BenchResult.RING_ONLY.equals(against) && !BenchResult.C_RING_H.equals(against);
            if (sized && !Objects.equals(b.packetSize(), r.packetSize()))
            {
                continue;
            }
            if (null != b.grantVersion() && !Objects.equals(b.grantVersion(), r.grantVersion()))
            {
                continue;
            }
            return b;
        }
        return null;
    }
}
