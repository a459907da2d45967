package org.xennet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest
{
    private static final Pattern RESULT = Pattern.compile("\\{\"case\": \"([a-z.\\-]+)\", \"batch\": (\\d+)" +
        "(?:, \"packetSize\": (\\d+))?(?:, \"grantVersion\": (\\d))?, \"packetsPerSecond\": ([0-9.E\\-]+), " +
        "\"gbitPerSecond\": (null|[0-9.E\\-]+), \"bytesPerOp\": (null|[0-9.E\\-]+)" +
        "(?:, \"frontBusy\": ([0-9.E\\-]+))?(?:, \"backBusy\": ([0-9.E\\-]+), \"schedule\": \"([a-z\\-]+)\")?}");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int execute(final String... args)
    {
        final CommandLine commandLine = XennetCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldPrintTheTableWriteJsonAndDrawAWellFormedSvg() throws Exception
    {
        final Path json = dir.resolve("out/results.json");
        final Path svg = dir.resolve("chart.svg");

        final int exit = execute("bench", "--duration", "2s", "--sizes", "64,1500", "--grant-versions", "2",
            "--json", json.toString(), "--svg", svg.toString());

        assertEquals(0, exit, err.toString());
        final String text = out.toString();
        for (final String row : List.of("ring-only ", "c-ring.h ", "agrona-one-to-one ", "copy-limit ", "tx-path ",
            "rx-path "))
        {
            assertTrue(text.lines().anyMatch(line -> line.startsWith(row)), "row " + row + " in\n" + text);
        }
        assertTrue(text.contains("packets/s") && text.contains("Gbit/s") && text.contains("x ring-only"), text);
        assertTrue(text.contains("target tx-path 64 B v2 >= 0.50 x ring-only: "), text);
        assertTrue(text.contains("target rx-path 1500 B v2 >= 0.80 x tx-path: "), text);
        assertTrue(text.contains("target ring-only >= 0.90 x c-ring.h: "), text);
        assertTrue(err.toString().contains("\r[ 1/"), "progress line with carriage returns: " + err);
        assertTrue(text.contains("bounds checks: off (-Dagrona.disable.bounds.checks=true, as in JMH)"), text);
        assertTrue(text.lines().anyMatch(line -> line.startsWith("tx-path ") &&
            line.matches(".* [01]\\.\\d\\d/[01]\\.\\d\\d (pipelined|lock-step|mixed|starved)$")), "busy fractions in\n" + text);

        final String document = Files.readString(json, StandardCharsets.UTF_8);
        assertTrue(document.startsWith("{\n  \"machine\": {\"cpus\": "), document);
        final List<String> cases = new ArrayList<>();
        final Matcher m = RESULT.matcher(document);
        while (m.find())
        {
            cases.add(m.group(1) + (m.group(3) == null ? "" : "/" + m.group(3)) +
                (m.group(4) == null ? "" : "/v" + m.group(4)));
            assertTrue(Double.parseDouble(m.group(5)) > 0, "packetsPerSecond of " + m.group());
            assertEquals(m.group(3) == null, "null".equals(m.group(6)), "gbitPerSecond iff sized: " + m.group());
            assertEquals("c-ring.h".equals(m.group(1)) || "copy-limit".equals(m.group(1)), m.group(9) == null,
                "busy fractions for every two-thread Java case: " + m.group());
            if (!"c-ring.h".equals(m.group(1)))
            {
                assertEquals(0.0, Double.parseDouble(m.group(7)), 1.0, "bytes allocated per packet: " + m.group());
            }
        }
        assertEquals(List.of("ring-only", "c-ring.h", "agrona-one-to-one",
            "copy-limit/64", "tx-path/64/v2", "rx-path/64/v2",
            "copy-limit/1500", "tx-path/1500/v2", "rx-path/1500/v2"), cases, document);

        final Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", chart.getDocumentElement().getNodeName());
        assertEquals(3, chart.getElementsByTagName("polyline").getLength(), "copy-limit, tx v2, rx v2 lines");
    }

    @Test
    void shouldMeasureLatencyWithPercentilesAnHdrHistogramLogAndAPlot() throws Exception
    {
        final Path hlog = dir.resolve("latency.hlog");
        final Path svg = dir.resolve("latency.svg");
        assertEquals(0, execute("bench", "--latency", "--duration", "3s", "--sizes", "64", "--grant-versions", "1",
            "--idle", "backoff", "--hlog", hlog.toString(), "--svg", svg.toString()), err.toString());
        final String text = out.toString();
        for (final String row : List.of("c-raw-ping-pong backoff ", "c-ring.h backoff ", "raw-ping-pong backoff ",
            "ring backoff ", "tx-path 64 B v1 backoff ", "rx-path 64 B v1 backoff "))
        {
            assertTrue(text.lines().anyMatch(line -> line.startsWith(row)), "row " + row + " in\n" + text);
        }
        assertTrue(text.contains("p50") && text.contains("p99.9") && text.contains("p50 x raw"), text);
        assertTrue(Files.readString(hlog, StandardCharsets.UTF_8).contains("Tag=tx-path_64_B_v1_backoff,"));
        final Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals(6, chart.getElementsByTagName("polyline").getLength());
    }

    @Test
    void shouldLeaveTheCAnchorOutWhenAsked()
    {
        assertEquals(0, execute("bench", "--duration", "1s", "--sizes", "512", "--grant-versions", "1", "--no-c"),
            err.toString());

        final String text = out.toString();
        assertTrue(text.lines().noneMatch(line -> line.startsWith("c-ring.h")), text);
        assertTrue(text.lines().anyMatch(line -> line.matches("tx-path +512 +v1 +64 .*")), text);
        assertTrue(text.lines().anyMatch(line -> line.matches("rx-path +512 +v1 +64 .*")), text);
    }

    @Test
    void shouldExitTwoWithUsageOnBadArguments()
    {
        assertEquals(2, execute("bench", "--duration", "soon"));
        assertTrue(err.toString().contains("--duration must look like"), err.toString());
        assertTrue(err.toString().contains("Usage: xennet bench"), err.toString());
        assertEquals(2, execute("bench", "--sizes", "0"));
        assertEquals(2, execute("bench", "--sizes", "70000"));
        assertEquals(2, execute("bench", "--grant-versions", "3"));
        assertEquals(2, execute("bench", "--batch", "257"));
        assertEquals(2, execute("bench", "--idle", "sleepy"));
        assertEquals(2, execute("bench", "--quick", "--duration", "5s"));
        assertEquals(2, execute("bench", "--duration", "10ms"));
        assertEquals(2, execute("bench", "--no-such-option"));
        assertTrue(out.toString().isEmpty(), "nothing ran: " + out);
    }
}
