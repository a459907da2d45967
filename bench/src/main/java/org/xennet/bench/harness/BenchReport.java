package org.xennet.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders {@code xennet bench} results: a text table (packets/s, Gbit/s, ratios to the ring-only case and to the
 * copy limit of the same size, bytes allocated per packet), JSON ({@code {"machine": {...}, "results": [...]}})
 * and an SVG chart of packets per second against packet size.
 */
public final class BenchReport
{
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"};

    private BenchReport()
    {
    }

    /**
     * Describes the machine: CPUs, CPU model, OS, Java, load average, time.
     *
     * @return ordered name → value (String or Number).
     */
    public static Map<String, Object> machine()
    {
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpuModel", cpuModel());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        machine.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return machine;
    }

    private static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
        return "unknown";
    }

    /**
     * The rate of the ring-only case, or NaN.
     *
     * @param results all results.
     * @return round trips per second.
     */
    public static double ringOnlyRate(final List<BenchResult> results)
    {
        for (final BenchResult r : results)
        {
            if (BenchResult.RING_ONLY.equals(r.caseName()))
            {
                return r.packetsPerSecond();
            }
        }
        return Double.NaN;
    }

    /**
     * The rate of the copy limit at a size, or NaN.
     *
     * @param results    all results.
     * @param packetSize the size.
     * @return packets per second.
     */
    public static double copyLimitRate(final List<BenchResult> results, final Integer packetSize)
    {
        for (final BenchResult r : results)
        {
            if (BenchResult.COPY_LIMIT.equals(r.caseName()) && r.packetSize() != null &&
                r.packetSize().equals(packetSize))
            {
                return r.packetsPerSecond();
            }
        }
        return Double.NaN;
    }

    /**
     * Renders the results table.
     *
     * @param results the results.
     * @return the table, one line per result, with a header.
     */
    public static String table(final List<BenchResult> results)
    {
        final double ring = ringOnlyRate(results);
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-18s %6s %5s %5s %14s %9s %11s %12s %7s  %s%n",
            "case", "bytes", "grant", "batch", "packets/s", "Gbit/s", "x ring-only", "x copy-limit", "B/op",
            "busy front/back"));
        for (final BenchResult r : results)
        {
            final double copy = r.packetSize() == null || BenchResult.COPY_LIMIT.equals(r.caseName()) ?
                Double.NaN : copyLimitRate(results, r.packetSize());
            out.append(String.format(Locale.ROOT, "%-18s %6s %5s %5d %,14.0f %9s %11s %12s %7s  %s%n",
                r.caseName(),
                r.packetSize() == null ? "-" : r.packetSize().toString(),
                r.grantVersion() == null ? "-" : "v" + r.grantVersion(),
                r.batch(),
                r.packetsPerSecond(),
                r.gbitPerSecond() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.gbitPerSecond()),
                ratio(r.packetsPerSecond(), ring),
                ratio(r.packetsPerSecond(), copy),
                r.bytesPerOp() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.bytesPerOp()),
                busy(r)));
        }
        return out.toString();
    }

    private static String busy(final BenchResult r)
    {
        if (r.backBusy() == null)
        {
            return r.frontBusy() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.frontBusy());
        }
        return String.format(Locale.ROOT, "%.2f/%.2f %s", r.frontBusy(), r.backBusy(), r.schedule());
    }

    private static String ratio(final double value, final double base)
    {
        return Double.isNaN(base) || base <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", value / base);
    }

    /**
     * Renders the results as JSON: {@code {"machine": {...}, "settings": {...}, "results": [...]}}.
     *
     * @param machine  machine description ({@link #machine()}).
     * @param settings run settings (duration, idle, batch).
     * @param results  the results.
     * @return the JSON text.
     */
    public static String json(
        final Map<String, Object> machine, final Map<String, Object> settings, final List<BenchResult> results)
    {
        final StringBuilder json = new StringBuilder("{\n  \"machine\": ");
        object(json, machine);
        json.append(",\n  \"settings\": ");
        object(json, settings);
        json.append(",\n  \"results\": [");
        for (int i = 0; i < results.size(); i++)
        {
            final BenchResult r = results.get(i);
            final Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("case", r.caseName());
            fields.put("batch", r.batch());
            if (r.packetSize() != null)
            {
                fields.put("packetSize", r.packetSize());
            }
            if (r.grantVersion() != null)
            {
                fields.put("grantVersion", r.grantVersion());
            }
            fields.put("packetsPerSecond", round(r.packetsPerSecond(), 1));
            fields.put("gbitPerSecond", r.gbitPerSecond() == null ? null : round(r.gbitPerSecond(), 4));
            fields.put("bytesPerOp", r.bytesPerOp() == null ? null : round(r.bytesPerOp(), 4));
            if (r.frontBusy() != null)
            {
                fields.put("frontBusy", round(r.frontBusy(), 3));
            }
            if (r.backBusy() != null)
            {
                fields.put("backBusy", round(r.backBusy(), 3));
                fields.put("schedule", r.schedule());
            }
            json.append(i == 0 ? "\n    " : ",\n    ");
            object(json, fields);
        }
        return json.append("\n  ]\n}\n").toString();
    }

    private static double round(final double value, final int places)
    {
        final double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }

    private static void object(final StringBuilder json, final Map<String, Object> fields)
    {
        json.append('{');
        boolean first = true;
        for (final Map.Entry<String, Object> e : fields.entrySet())
        {
            json.append(first ? "" : ", ");
            first = false;
            string(json, e.getKey());
            json.append(": ");
            final Object value = e.getValue();
            if (value == null)
            {
                json.append("null");
            }
            else if (value instanceof Number number)
            {
                final double d = number.doubleValue();
                json.append(Double.isFinite(d) ? number.toString() : "null");
            }
            else if (value instanceof Boolean)
            {
                json.append(value);
            }
            else
            {
                string(json, value.toString());
            }
        }
        json.append('}');
    }

    private static void string(final StringBuilder json, final String s)
    {
        json.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                json.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                json.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                json.append(c);
            }
        }
        json.append('"');
    }

    /**
     * Draws packets per second (log scale) against packet size: one line per packet-path series (copy limit,
     * tx/rx path per grant version) and a dashed level per ring case (ring-only, c-ring.h, Agrona).
     *
     * @param results the results.
     * @param title   chart title (escaped here).
     * @return a standalone SVG document.
     */
    public static String svg(final List<BenchResult> results, final String title)
    {
        final int width = 940;
        final int height = 520;
        final int left = 90;
        final int right = 280;
        final int top = 50;
        final int bottom = 70;
        final int plotW = width - left - right;
        final int plotH = height - top - bottom;
        final List<Integer> sizes = new ArrayList<>(new TreeSet<>(results.stream()
            .filter(r -> r.packetSize() != null).map(BenchResult::packetSize).toList()));
        double min = Double.MAX_VALUE;
        double max = 0;
        for (final BenchResult r : results)
        {
            if (r.packetsPerSecond() > 0)
            {
                min = Math.min(min, r.packetsPerSecond());
                max = Math.max(max, r.packetsPerSecond());
            }
        }
        if (max == 0)
        {
            min = 1;
            max = 10;
        }
        final int lowDecade = (int)Math.floor(Math.log10(min));
        final int highDecade = Math.max(lowDecade + 1, (int)Math.ceil(Math.log10(max)));
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" " +
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n",
            width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", left, escape(title)));
        // y grid: one line per decade, labelled in packets per second
        for (int d = lowDecade; d <= highDecade; d++)
        {
            final double y = top + plotH - (d - lowDecade) * plotH / (double)(highDecade - lowDecade);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, y, left + plotW, y));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 8, y + 4, decade(d)));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
            left, top, plotW, plotH));
        // x axis: the measured sizes, evenly spaced
        for (int i = 0; i < sizes.size(); i++)
        {
            final double x = xOf(i, sizes.size(), left, plotW);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>%n", x, top + plotH, x,
                top + plotH + 5));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                x, top + plotH + 20, sizes.get(i)));
        }
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">packet size (bytes)</text>%n",
            left + plotW / 2, height - 25));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">" +
            "packets per second (log scale)</text>%n", top + plotH / 2, top + plotH / 2));
        final Map<String, List<BenchResult>> series = new LinkedHashMap<>();
        final List<BenchResult> levels = new ArrayList<>();
        for (final BenchResult r : results)
        {
            if (r.packetSize() == null)
            {
                levels.add(r);
            }
            else
            {
                series.computeIfAbsent(r.caseName() + (r.grantVersion() == null ? "" : " v" + r.grantVersion()),
                    k -> new ArrayList<>()).add(r);
            }
        }
        int legendY = top + 10;
        int colour = 0;
        for (final Map.Entry<String, List<BenchResult>> e : series.entrySet())
        {
            final String stroke = COLOURS[colour++ % COLOURS.length];
            final StringBuilder points = new StringBuilder();
            final StringBuilder dots = new StringBuilder();
            for (final BenchResult r : e.getValue())
            {
                final double x = xOf(sizes.indexOf(r.packetSize()), sizes.size(), left, plotW);
                final double y = yOf(r.packetsPerSecond(), lowDecade, highDecade, top, plotH);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                dots.append(String.format(Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", x, y, stroke));
            }
            svg.append(String.format(Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                points.toString().trim(), stroke));
            svg.append(dots);
            legendY = legend(svg, left + plotW + 15, legendY, stroke, null, e.getKey());
        }
        for (final BenchResult r : levels)
        {
            final String stroke = levelColour(r.caseName());
            final String dashes = levelDashes(r.caseName());
            final double y = yOf(r.packetsPerSecond(), lowDecade, highDecade, top, plotH);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" " +
                "stroke-dasharray=\"%s\"/>%n", left, y, left + plotW, y, stroke, dashes));
            legendY = legend(svg, left + plotW + 15, legendY, stroke, dashes,
                r.caseName() + " (batch " + r.batch() + ")");
        }
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">dashed: round trips/s of the ring cases; " +
            "Gbit/s = packets/s x bytes x 8 / 1e9</text>%n", left, height - 6));
        return svg.append("</svg>\n").toString();
    }

    private static String levelColour(final String caseName)
    {
        return BenchResult.RING_ONLY.equals(caseName) ? "#000" : BenchResult.C_RING_H.equals(caseName) ? "#555" :
            "#999";
    }

    private static String levelDashes(final String caseName)
    {
        return BenchResult.RING_ONLY.equals(caseName) ? "6 4" : BenchResult.C_RING_H.equals(caseName) ? "2 3" :
            "10 3 2 3";
    }

    private static int legend(final StringBuilder svg, final int x, final int y, final String stroke,
        final String dashes, final String text)
    {
        svg.append(String.format(Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
            x, y, x + 24, y, stroke, dashes == null ? "" : " stroke-dasharray=\"" + dashes + "\""));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 30, y + 4, escape(text)));
        return y + 22;
    }

    private static double xOf(final int index, final int count, final int left, final int plotW)
    {
        return count <= 1 ? left + plotW / 2.0 : left + 40 + index * (plotW - 80) / (double)(count - 1);
    }

    private static double yOf(final double value, final int lowDecade, final int highDecade, final int top,
        final int plotH)
    {
        final double log = Math.log10(Math.max(value, Math.pow(10, lowDecade)));
        return top + plotH - (log - lowDecade) * plotH / (highDecade - lowDecade);
    }

    private static String decade(final int d)
    {
        final String[] names = {"1", "10", "100", "1k", "10k", "100k", "1M", "10M", "100M", "1G", "10G"};
        return d >= 0 && d < names.length ? names[d] : "1e" + d;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * Writes text to a file (UTF-8), creating parent directories.
     *
     * @param file the file.
     * @param text the content.
     * @throws IOException when it cannot be written.
     */
    public static void write(final Path file, final String text) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
