package org.xennet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class HandshakeCommandTest
{
    /** What both ends write from the reboot's open to Connected: through Closed, whatever the backend. */
    private static final List<String> RECONNECT = List.of(
        "frontend Connected(4) -> Closed(6)",
        "backend Connected(4) -> Closing(5)",
        "backend Closing(5) -> Closed(6)",
        "frontend Closed(6) -> Initialising(1)",
        "backend Closed(6) -> InitWait(2)",
        "frontend Initialising(1) -> Connected(4)",
        "backend InitWait(2) -> Connected(4)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"modern", "legacy"})
    void shouldPrintBothEndsStatesThroughOpenRebootResetAndClose(final String backend)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = XennetCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("handshake", "--backend", backend, "--packets", "4"), out.toString());
        final String text = out.toString();
        assertTrue(text.contains("backend " + backend), text);
        assertEquals(2, text.split("packets: 4 each way", -1).length - 1, text);
        assertTrue(text.contains("grant refs in use=0, deferred grants=0, event channel ends=0, backend rings=CLOSED"),
            text);
        final String afterReboot = text.substring(text.indexOf("open after reboot"), text.indexOf("frontend: close"));
        assertEquals(RECONNECT, transitions(afterReboot), text);
    }

    @ParameterizedTest
    @CsvSource({
        "modern, 1, set_version(1) OK, get_version reports v1",
        "v2-locked, 2, set_version(1) STILL_IN_USE, get_version reports v2",
        "v2-only, 2, set_version(1) NOT_SUPPORTED, get_version reports v2",
        "v1-only, 1, set_version(1) NOT_SUPPORTED, get_version not supported (means v1)"})
    void shouldChooseTheGrantVersionAtRunTimeAndSayWhy(
        final String hypervisor, final int version, final String setVersion, final String getVersion)
    {
        for (final String backend : List.of("modern", "legacy"))
        {
            final StringWriter out = new StringWriter();
            final CommandLine cli = XennetCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            assertEquals(0, cli.execute("handshake", "--backend", backend, "--hypervisor-grant-version", hypervisor,
                "--single-event-channel"), out.toString());
            final String text = out.toString();
            assertTrue(text.contains("grant table v" + version + " chosen at run time (ask for v1, use what is " +
                "reported): hypervisor " + hypervisor + ": " + setVersion + ", " + getVersion), text);
            assertEquals(2, text.split("packets: 3 each way", -1).length - 1, text);
            assertTrue(text.contains("grant refs in use=0, deferred grants=0, event channel ends=0"), text);
        }
    }

    @Test
    void shouldRunOverAnExternalXenstoredAndLeaveItAsFound() throws Exception
    {
        try (InMemoryXenStore store = new InMemoryXenStore();
            XenStoreServer server = XenStoreServer.start(dir.resolve("xs.sock"), store))
        {
            final int nodesBefore = store.nodeCount();
            final StringWriter out = new StringWriter();
            final CommandLine cli = XennetCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            assertEquals(0, cli.execute("handshake", "--xenstore", server.socketPath().toString(), "--devid", "3"),
                out.toString());
            assertTrue(out.toString().contains("/local/domain/0/backend/vif/1/3"), out.toString());
            assertFalse(store.dump().keySet().stream().anyMatch(p -> p.startsWith("/local/domain/1/device/vif/3") ||
                p.startsWith("/local/domain/0/backend/vif/1/3")), store.dump().toString());
            assertTrue(store.nodeCount() <= nodesBefore + 9, "nodes left: " + store.dump()); // parent dirs only
        }
    }

    @Test
    void shouldExitTwoOnBadArguments()
    {
        final CommandLine cli = XennetCommand.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        cli.setOut(new PrintWriter(new StringWriter()));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("handshake", "--backend", "ancient"));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("handshake", "--packets", "many"));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("handshake", "--timeout-ms", "0"));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("handshake", "--hypervisor-grant-version", "v3"));
    }

    private static List<String> transitions(final String text)
    {
        return Arrays.stream(text.split("\n"))
            .filter(l -> l.contains(" ms  "))
            .map(l -> l.substring(l.indexOf(" ms  ") + 5).trim().replaceAll("\\s+/\\S+\\s+", " "))
            .toList();
    }
}
