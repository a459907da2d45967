package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.layout.LayoutCatalog;
import org.xennet.cli.layout.ProbeFile;
import org.xennet.testkit.XenProbes;
import picocli.CommandLine;

class LayoutCommandTest
{
    private static String probeOutput;

    @TempDir
    Path dir;

    @BeforeAll
    static void runProbes()
    {
        // The same C probes the rings and grant ABI tests use, compiled with gcc against libxen-dev.
        probeOutput = XenProbes.outputs(XenProbes.RINGS, XenProbes.GRANT, XenProbes.XS_WIRE);
    }

    @Test
    void shouldVerifyTheCProbeOutputOfTheRealHeaders() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("probe.txt"), probeOutput);
        final Run run = run("layout", "--verify", file.toString());
        assertEquals(0, run.exitCode, run.out + run.err);
        assertTrue(run.out.startsWith("OK: all " + LayoutCatalog.xennet().probeFacts().size() + " facts match"),
            run.out);
    }

    @Test
    void shouldPrintProbeLinesThatTheCProbePrintsIdentically()
    {
        final Run run = run("layout", "--format", "probe");
        assertEquals(0, run.exitCode, run.err);
        final Map<String, Long> probe = ProbeFile.parse(probeOutput).values();
        int lines = 0;
        for (final String line : run.out.split("\n"))
        {
            final int space = line.lastIndexOf(' ');
            final String name = line.substring(0, space);
            assertEquals(probe.get(name), Long.valueOf(line.substring(space + 1)), "fact " + name);
            lines++;
        }
        assertEquals(LayoutCatalog.xennet().probeFacts().size(), lines);
        assertTrue(run.out.contains("offsetof(struct netif_tx_request,gref) 0\n"));
        assertTrue(run.out.contains("sizeof(struct netif_rx_response) 8\n"));
        assertTrue(run.out.contains("__CONST_RING_SIZE(netif_tx,4096) 256\n"));
        assertTrue(run.out.contains("NETTXF_more_data 4\n"));
        assertTrue(run.out.contains("offsetof(union grant_entry_v2,full_page.frame) 8\n"));
        assertTrue(run.out.contains("offsetof(struct xsd_sockmsg,len) 12\n"));
        assertTrue(run.out.contains("XenbusStateInitWait 2\n"));
    }

    @Test
    void shouldListEachMismatchAndMissingNameAndExitOne() throws IOException
    {
        final String corrupted = probeOutput
            .replace("offsetof(struct netif_tx_request,id) 8\n", "offsetof(struct netif_tx_request,id) 9\n")
            .replace("GTF_readonly 4 0x4\n", "")
            .replace("GTF_readonly 4\n", "");
        final Path file = Files.writeString(dir.resolve("bad.txt"), corrupted);
        final Run run = run("layout", "--verify", file.toString());
        assertEquals(1, run.exitCode);
        assertTrue(run.out.contains("MISMATCH offsetof(struct netif_tx_request,id): probe 9, xennet 8"), run.out);
        assertTrue(run.out.contains("MISSING  GTF_readonly (xennet: 4)"), run.out);
        assertTrue(run.out.contains("2 of "), run.out);
    }

    @Test
    void shouldRejectACorruptProbeFileNamingTheLine() throws IOException
    {
        final Path file = Files.write(dir.resolve("garbage.txt"),
            "sizeof(struct netif_tx_request) 12\nthis is not a probe line\n".getBytes(StandardCharsets.UTF_8));
        final Run run = run("layout", "--verify", file.toString());
        assertEquals(2, run.exitCode);
        assertTrue(run.err.contains("line 2 is not NAME VALUE: this is not a probe line"), run.err);
    }

    @Test
    void shouldExitTwoWithUsageOnBadArguments()
    {
        final Run badFormat = run("layout", "--format", "xml");
        assertEquals(2, badFormat.exitCode);
        assertTrue(badFormat.err.contains("--format"), badFormat.err);
        assertTrue(badFormat.err.contains("Usage:"), badFormat.err);

        final Run missing = run("layout", "--verify", dir.resolve("no-such-file").toString());
        assertEquals(2, missing.exitCode);
        assertTrue(missing.err.contains("cannot read probe file"), missing.err);
    }

    @Test
    void shouldPrintAReadableTableOfEveryStructure()
    {
        final Run run = run("layout");
        assertEquals(0, run.exitCode, run.err);
        for (final LayoutCatalog.Struct struct : LayoutCatalog.xennet().structs())
        {
            assertTrue(run.out.contains(struct.name() + "  (" + struct.size() + " bytes"), struct.name());
        }
        assertTrue(run.out.contains("constants: grant_table"));
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = XennetCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err)
    {
    }
}
