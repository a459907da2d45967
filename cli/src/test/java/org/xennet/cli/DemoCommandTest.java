package org.xennet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final String... args)
    {
        final CommandLine commandLine = XennetCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldMoveEveryPacketThroughTheLoopbackAndLeakNoGrantRef()
    {
        assertEquals(0, execute("demo", "--packets", "3000", "--grant-version", "2"), err.toString());
        final String text = out.toString();
        assertTrue(text.contains("transmitted: 3000 packets"), text);
        assertTrue(text.contains("received:    3000 packets"), text);
        assertTrue(text.contains("transmit results: OK=3000"), text);
        assertTrue(text.contains("grant refs in use after close: 0 (A=0, B=0)"), text);
    }

    @Test
    void shouldShowTheCleanV1FailureAboveFourGigaFrames()
    {
        assertEquals(0, execute("demo", "--grant-version", "1", "--first-frame", "0x100000000", "--packets", "500"),
            err.toString());
        final String text = out.toString();
        assertTrue(text.contains("transmit results: FRAME_OUT_OF_RANGE=500"), text);
        assertTrue(text.contains("refill results:   FRAME_OUT_OF_RANGE="), text);
        assertTrue(text.contains("received:    0 packets"), text);
        assertTrue(text.contains("state A=CONNECTED B=CONNECTED"), text);
        assertTrue(text.contains("grant refs in use after close: 0 (A=0, B=0)"), text);
    }

    @Test
    void shouldUseV2WhenTheHypervisorCannotGoBackToV1AndSayWhy()
    {
        assertEquals(0, execute("demo", "--hypervisor-grant-version", "v2-locked", "--first-frame", "0x100000000",
            "--packets", "500"), err.toString());
        final String text = out.toString();
        assertTrue(text.contains("grant table v2 chosen at run time (ask for v1, use what is reported): " +
            "hypervisor v2-locked: set_version(1) STILL_IN_USE, get_version reports v2"), text);
        assertTrue(text.contains("transmit results: OK=500"), text); // v2 reaches frames above 2^32
        assertTrue(text.contains("received:    500 packets"), text);
    }

    @Test
    void shouldPrintUsageAndExitTwoOnBadArguments()
    {
        assertEquals(2, execute("demo", "--grant-version", "3"));
        assertTrue(err.toString().contains("--grant-version must be 1 or 2"), err.toString());
        assertTrue(err.toString().contains("Usage: xennet demo"), err.toString());
        assertEquals(2, execute("demo", "--first-frame", "zebra"));
        assertEquals(2, execute("demo", "--no-such-option"));
        assertEquals(2, execute("demo", "--hypervisor-grant-version", "v9"));
        assertTrue(err.toString().contains("hypervisor grant version must be modern, v2-locked, v2-only or v1-only"),
            err.toString());
    }
}
