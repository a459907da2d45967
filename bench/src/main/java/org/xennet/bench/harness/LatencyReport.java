package org.xennet.bench.harness;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Renders latency results: a percentile table (with each p50 as a multiple of the raw ping-pong's under the same
 * wait policy), an HdrHistogram log (one tagged interval per case, readable by HdrHistogram's
 * {@code HistogramLogReader} and plotters) and an SVG percentile plot.
 */
public final class LatencyReport
{
    /** Percentiles in the table and the plot. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    private static final String[] COLOURS = {"#222222", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
        "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8"};

    private LatencyReport()
    {
    }

    /**
     * @param results the results.
     * @return the table: one line per case, round trips in nanoseconds.
     */
    public static String table(final List<LatencyResult> results)
    {
        final StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
            "%-28s %10s %9s %9s %9s %9s %10s %9s%n",
            "case (round trip, ns)", "count", "p50", "p90", "p99", "p99.9", "max", "p50 x raw"));
        for (final LatencyResult r : results)
        {
            final Histogram h = r.histogram();
            final long raw = rawP50(results, r.idle());
            out.append(String.format(Locale.ROOT, "%-28s %,10d %9d %9d %9d %9d %10d %9s%n",
                r.label(), h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                raw > 0 ? String.format(Locale.ROOT, "%.2f", r.p50() / (double)raw) : "-"));
        }
        return out.toString();
    }

    /**
     * @param results the results.
     * @param idle    a wait policy.
     * @return the raw ping-pong's median under that policy, or 0.
     */
    public static long rawP50(final List<LatencyResult> results, final String idle)
    {
        for (final LatencyResult r : results)
        {
            if (LatencyProbes.RAW.equals(r.caseName()) && r.idle().equals(idle)) // Java's: same runtime as the rest
            {
                return r.p50();
            }
        }
        return 0;
    }

    /**
     * @param results the results.
     * @return an HdrHistogram log: one interval per case, tagged with its label (spaces as underscores).
     */
    public static String histogramLog(final List<LatencyResult> results)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(stream);
            writer.outputComment("xennet bench --latency: round trips in nanoseconds, one request in flight");
            writer.outputLogFormatVersion();
            writer.outputLegend();
            for (final LatencyResult r : results)
            {
                final Histogram h = r.histogram().copy();
                h.setTag(r.label().replace(' ', '_'));
                h.setStartTimeStamp(0);
                h.setEndTimeStamp(1);
                writer.outputIntervalHistogram(h);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Draws round trip against percentile ("nines" on x, log nanoseconds on y), one line per case.
     *
     * @param results the results.
     * @param title   chart title.
     * @return the SVG document.
     */
    public static String svg(final List<LatencyResult> results, final String title)
    {
        final int width = 940;
        final int height = 560;
        final int left = 80;
        final int right = 300;
        final int top = 50;
        final int bottom = 60;
        final int plotW = width - left - right;
        final int plotH = height - top - bottom;
        long min = Long.MAX_VALUE;
        long max = 1;
        for (final LatencyResult r : results)
        {
            min = Math.min(min, Math.max(1, r.histogram().getMinValue()));
            max = Math.max(max, r.histogram().getMaxValue());
        }
        if (min == Long.MAX_VALUE)
        {
            min = 1;
        }
        final int lowDecade = (int)Math.floor(Math.log10(min));
        final int highDecade = Math.max(lowDecade + 1, (int)Math.ceil(Math.log10(max)));
        final StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" " +
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n",
            width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", left, escape(title)));
        for (int d = lowDecade; d <= highDecade; d++)
        {
            final double y = yOf(Math.pow(10, d), lowDecade, highDecade, top, plotH);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, y, left + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                left - 8, y + 4, nanos(d)));
        }
        final String[] nines = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int i = 0; i < nines.length; i++)
        {
            final double x = left + i * plotW / 4.0;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, top, x, top + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, top + plotH + 20, nines[i]));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
            left, top, plotW, plotH));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n", left + plotW / 2, height - 15));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" text-anchor=\"middle\">round trip</text>%n",
            top + plotH / 2, top + plotH / 2));
        int index = 0;
        for (final LatencyResult r : results)
        {
            final String colour = COLOURS[index % COLOURS.length];
            final String dash = BenchIdle.BUSY.equals(r.idle()) ? "" : " stroke-dasharray=\"6 3\"";
            final StringBuilder points = new StringBuilder();
            for (int step = 0; step <= 80; step++)
            {
                final double nine = step / 20.0; // 0 .. 4 nines
                final double percentile = 100 * (1 - Math.pow(10, -nine));
                final long value = Math.max(1, r.histogram().getValueAtPercentile(percentile));
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + nine * plotW / 4.0,
                    yOf(value, lowDecade, highDecade, top, plotH)));
            }
            svg.append(String.format(Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n", colour, dash,
                points.toString().trim()));
            final int legendY = top + 10 + index * 20;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                left + plotW + 15, legendY, left + plotW + 40, legendY, colour, dash));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s (p50 %d ns)</text>%n",
                left + plotW + 46, legendY + 4, escape(r.label()), r.p50()));
            index++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static double yOf(final double value, final int lowDecade, final int highDecade, final int top,
        final int plotH)
    {
        final double fraction = (Math.log10(value) - lowDecade) / (highDecade - lowDecade);
        return top + plotH - Math.max(0, Math.min(1, fraction)) * plotH;
    }

    private static String nanos(final int decade)
    {
        final long value = (long)Math.pow(10, decade);
        return value >= 1_000_000_000 ? value / 1_000_000_000 + " s" : value >= 1_000_000 ? value / 1_000_000 + " ms" :
            value >= 1_000 ? value / 1_000 + " µs" : value + " ns";
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
