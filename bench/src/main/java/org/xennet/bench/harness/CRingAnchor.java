package org.xennet.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;


/**
 * The C anchor of the ring benchmarks: the netif TX round trip written with Xen's own {@code io/ring.h} macros
 * (two pthreads, one shared 4 KiB ring, the same backoff as {@link BenchIdle#BACKOFF}), compiled with gcc
 * from a source shipped in the benchmark jar and run as a process; its results sit beside the JMH numbers.
 *
 * <p>Run it with {@code java -cp core/target/xennet.jar org.xennet.bench.harness.CRingAnchor [options]}.
 * Needs gcc and Debian's {@code libxen-dev} at run time, and says so when they are missing.
 */
public final class CRingAnchor
{
    /** The C source, a classpath resource next to this class. */
    public static final String SOURCE = "netif_tx_round_trip.c";

    /** The barrier definitions the source includes (a copy of testkit's prelude). */
    public static final String HEADER = "xen_barriers.h";

    /** The batch sizes of the ring benchmarks. */
    public static final List<Integer> DEFAULT_BATCHES = List.of(1, 16, 64, 256);

    private static final String INSTALL_HINT = "install them with: apt-get install -y gcc libc6-dev libxen-dev";
    private static final List<String> XEN_HEADERS = List.of("xen/io/ring.h", "xen/io/netif.h", "xen/grant_table.h");

    private final Path executable;

    private CRingAnchor(final Path executable)
    {
        this.executable = executable;
    }

    /**
     * One repetition of one batch size, as the C program reported it.
     *
     * @param batch        requests per round trip.
     * @param rep          repetition number, from 0.
     * @param messages     round trips completed (requests whose response came back).
     * @param nanos        measured time.
     * @param messagesPerSecond messages per second.
     * @param notifies     notifications the push-and-check-notify macros asked for (both sides).
     * @param ringFull     attempts to produce into a full ring.
     * @param pollEmpty    polls that found nothing after the final check (both sides).
     */
    public record Sample(int batch, int rep, long messages, long nanos, double messagesPerSecond, long notifies,
        long ringFull, long pollEmpty)
    {
    }

    /**
     * All repetitions of one batch size, summarized.
     *
     * @param batch   requests per round trip.
     * @param median  median messages per second over the repetitions.
     * @param min     lowest messages per second.
     * @param max     highest messages per second.
     * @param samples the repetitions.
     */
    public record Summary(int batch, double median, double min, double max, List<Sample> samples)
    {
    }

    /**
     * Compiles the anchor with {@code gcc -O2 -pthread} into a fresh temporary directory.
     *
     * @return the compiled anchor.
     * @throws IllegalStateException when gcc or the Xen headers are missing, or compilation fails.
     */
    public static CRingAnchor compile()
    {
        requireToolchain();
        try
        {
            final Path dir = Files.createTempDirectory("xennet-anchor-");
            final Path source = dir.resolve(SOURCE);
            copyResource(SOURCE, source);
            copyResource(HEADER, dir.resolve(HEADER));
            final Path exe = dir.resolve("netif_tx_round_trip");
            final List<String> cmd = List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-O2", "-pthread",
                "-I" + dir, "-o", exe.toString(), source.toString());
            final String[] result = exec(cmd, 120);
            if (!"0".equals(result[0]))
            {
                throw new IllegalStateException("gcc failed: exit=" + result[0] + ", command=" + String.join(" ", cmd) +
                    "\n" + result[1] + result[2]);
            }
            exe.toFile().deleteOnExit();
            source.toFile().deleteOnExit();
            dir.resolve(HEADER).toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return new CRingAnchor(exe);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot build the C anchor: " + ex.getMessage(), ex);
        }
    }

    /**
     * Fails with an install hint unless gcc and the Xen public headers are present.
     *
     * @throws IllegalStateException naming what is missing.
     */
    public static void requireToolchain()
    {
        try
        {
            if (!"0".equals(exec(List.of("gcc", "--version"), 30)[0]))
            {
                throw new IllegalStateException("gcc does not run; " + INSTALL_HINT);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("gcc not found; " + INSTALL_HINT, ex);
        }
        for (final String header : XEN_HEADERS)
        {
            if (!Files.exists(Path.of("/usr/include", header)))
            {
                throw new IllegalStateException("Xen public header missing: path=/usr/include/" + header + "; " +
                    INSTALL_HINT);
            }
        }
    }

    /** @return the compiled executable. */
    public Path executable()
    {
        return executable;
    }

    /**
     * Runs the anchor: for each batch size a warm-up run, then {@code repetitions} measured runs.
     *
     * @param batches     batch sizes, each 1..256.
     * @param durationMs  length of each measured run.
     * @param warmupMs    length of the warm-up run per batch size (0 for none).
     * @param repetitions measured runs per batch size.
     * @param idle        wait policy: {@code backoff}, {@code busy} or {@code yield}.
     * @return one summary per batch size, in the order given.
     * @throws IllegalStateException when the program fails or its output does not parse.
     */
    public List<Summary> run(final List<Integer> batches, final long durationMs, final long warmupMs,
        final int repetitions, final String idle)
    {
        final List<String> cmd = new ArrayList<>(List.of(executable.toString(), "-d", Long.toString(durationMs),
            "-w", Long.toString(warmupMs), "-n", Integer.toString(repetitions), "-i", idle,
            "-s", Long.toString(BenchIdle.MAX_SPINS), "-y", Long.toString(BenchIdle.MAX_YIELDS)));
        for (final int batch : batches)
        {
            cmd.add(Integer.toString(batch));
        }
        final long timeoutSeconds = 60 + batches.size() * (warmupMs + durationMs * repetitions) * 4 / 1000;
        try
        {
            final String[] result = exec(cmd, timeoutSeconds);
            if (!"0".equals(result[0]))
            {
                throw new IllegalStateException("C anchor failed: exit=" + result[0] + ", command=" +
                    String.join(" ", cmd) + "\n" + result[2]);
            }
            return summarize(parse(result[1]));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot run the C anchor: " + ex.getMessage(), ex);
        }
    }

    /**
     * Parses the program's {@code RESULT key=value ...} lines; other lines are ignored.
     *
     * @param output the program's standard output.
     * @return the samples, in output order.
     * @throws IllegalStateException on a malformed RESULT line.
     */
    public static List<Sample> parse(final String output)
    {
        final List<Sample> samples = new ArrayList<>();
        for (final String line : output.split("\n"))
        {
            if (!line.startsWith("RESULT "))
            {
                continue;
            }
            final Map<String, String> fields = new LinkedHashMap<>();
            for (final String token : line.substring("RESULT ".length()).trim().split(" +"))
            {
                final int eq = token.indexOf('=');
                if (eq <= 0)
                {
                    throw new IllegalStateException("malformed C anchor output: line=" + line);
                }
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
            try
            {
                samples.add(new Sample(
                    Integer.parseInt(required(fields, "batch", line)),
                    Integer.parseInt(required(fields, "rep", line)),
                    Long.parseLong(required(fields, "messages", line)),
                    Long.parseLong(required(fields, "nanos", line)),
                    Double.parseDouble(required(fields, "msgs_per_sec", line)),
                    Long.parseLong(required(fields, "notifies", line)),
                    Long.parseLong(required(fields, "ring_full", line)),
                    Long.parseLong(required(fields, "poll_empty", line))));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalStateException("malformed C anchor output: line=" + line, ex);
            }
        }
        return samples;
    }

    /**
     * Groups samples by batch size (first-seen order) into median, min and max.
     *
     * @param samples parsed samples.
     * @return one summary per batch size.
     */
    public static List<Summary> summarize(final List<Sample> samples)
    {
        final Map<Integer, List<Sample>> byBatch = new LinkedHashMap<>();
        for (final Sample sample : samples)
        {
            byBatch.computeIfAbsent(sample.batch(), b -> new ArrayList<>()).add(sample);
        }
        final List<Summary> summaries = new ArrayList<>();
        byBatch.forEach((batch, list) ->
        {
            final double[] rates = list.stream().mapToDouble(Sample::messagesPerSecond).sorted().toArray();
            summaries.add(new Summary(batch, median(rates), rates[0], rates[rates.length - 1], List.copyOf(list)));
        });
        return summaries;
    }

    /**
     * Renders summaries as a JSON array ({@code batch, median, min, max, samples}), for the ratio table.
     *
     * @param summaries the summaries.
     * @param idle      the wait policy used.
     * @return the JSON text.
     */
    public static String toJson(final List<Summary> summaries, final String idle)
    {
        final StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < summaries.size(); i++)
        {
            final Summary s = summaries.get(i);
            json.append(String.format(Locale.ROOT,
                "  {\"benchmark\": \"c-anchor\", \"idle\": \"%s\", \"batch\": %d, \"median\": %.1f, \"min\": %.1f, " +
                "\"max\": %.1f, \"samples\": %s}%s%n", idle, s.batch(), s.median(), s.min(), s.max(),
                Arrays.toString(s.samples().stream().mapToDouble(Sample::messagesPerSecond).toArray()),
                i + 1 < summaries.size() ? "," : ""));
        }
        return json.append("]\n").toString();
    }

    /**
     * Compiles and runs the anchor and prints a table.
     * Options: {@code -d durationMs} (1000), {@code -w warmupMs} (500), {@code -n repetitions} (5),
     * {@code -i idle} (backoff), {@code -b 1,16,64,256}, {@code -o results.json}.
     *
     * @param args the options.
     * @throws IOException when the JSON file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        long durationMs = 1000;
        long warmupMs = 500;
        int repetitions = 5;
        String idle = BenchIdle.BACKOFF;
        List<Integer> batches = DEFAULT_BATCHES;
        Path json = null;
        for (int i = 0; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option needs a value: option=" + args[i]);
            }
            final String value = args[i + 1];
            switch (args[i])
            {
                case "-d" -> durationMs = Long.parseLong(value);
                case "-w" -> warmupMs = Long.parseLong(value);
                case "-n" -> repetitions = Integer.parseInt(value);
                case "-i" -> idle = value;
                case "-b" -> batches = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                case "-o" -> json = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option: option=" + args[i] +
                    " (expected -d, -w, -n, -i, -b, -o)");
            }
        }
        final List<Summary> summaries = compile().run(batches, durationMs, warmupMs, repetitions, idle);
        System.out.printf(Locale.ROOT, "C anchor (io/ring.h netif_tx round trip, gcc -O2, idle=%s, %d x %d ms)%n",
            idle, repetitions, durationMs);
        System.out.printf(Locale.ROOT, "%6s %16s %16s %16s%n", "batch", "median msg/s", "min", "max");
        for (final Summary s : summaries)
        {
            System.out.printf(Locale.ROOT, "%6d %16.0f %16.0f %16.0f%n", s.batch(), s.median(), s.min(), s.max());
        }
        if (json != null)
        {
            Files.writeString(json, toJson(summaries, idle), StandardCharsets.UTF_8);
        }
    }

    private static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String required(final Map<String, String> fields, final String key, final String line)
    {
        final String value = fields.get(key);
        if (value == null)
        {
            throw new IllegalStateException("C anchor output lacks " + key + ": line=" + line);
        }
        return value;
    }

    static void copyResource(final String name, final Path target) throws IOException
    {
        try (InputStream in = CRingAnchor.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new IOException("resource not found: name=" + name + " (next to " + CRingAnchor.class.getName() +
                    ")");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** @return exit code, stdout, stderr. */
    static String[] exec(final List<String> cmd, final long timeoutSeconds) throws IOException
    {
        final Path out = Files.createTempFile("xennet-anchor-out-", ".txt");
        final Path err = Files.createTempFile("xennet-anchor-err-", ".txt");
        try
        {
            final Process process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: seconds=" + timeoutSeconds + ", command=" +
                    String.join(" ", cmd));
            }
            return new String[] {Integer.toString(process.exitValue()),
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8)};
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: command=" + String.join(" ", cmd), ex);
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
