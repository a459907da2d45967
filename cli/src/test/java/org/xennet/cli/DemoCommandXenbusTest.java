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
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code xennet demo}'s xenbus part: both vifs plugged, opened and closed through xenstore, states printed. */
@Timeout(60)
class DemoCommandXenbusTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final String... args)
    {
        final CommandLine commandLine = XennetCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern", "legacy"})
    void shouldPrintEveryStateOfBothVifsThroughOpenAndClose(final String backend)
    {
        assertEquals(0, execute("demo", "--packets", "200", "--backend", backend), err.toString());
        final String text = out.toString();
        assertTrue(text.contains("received:    200 packets"), text);
        assertTrue(text.contains("grant refs in use after close: 0 (A=0, B=0)"), text);
        for (final int domid : new int[]{1, 2})
        {
            final String front = "/local/domain/" + domid + "/device/vif/0";
            final String back = "/local/domain/0/backend/vif/" + domid + "/0";
            assertEquals(List.of(
                back + " Initialising(1) -> InitWait(2)",
                front + " Initialising(1) -> Initialising(1)",
                front + " Initialising(1) -> Connected(4)",
                back + " InitWait(2) -> Connected(4)",
                front + " Connected(4) -> Closed(6)",
                back + " Connected(4) -> Closing(5)",
                back + " Closing(5) -> Closed(6)",
                front + " Closed(6) -> Initialising(1)",
                back + " Closed(6) -> InitWait(2)"), transitions(text, front, back), text);
        }
    }

    @Test
    void shouldRunOverAnExternalXenstoredAndRemoveTheVifs() throws Exception
    {
        try (InMemoryXenStore store = new InMemoryXenStore();
            XenStoreServer server = XenStoreServer.start(dir.resolve("xs.sock"), store))
        {
            assertEquals(0, execute("demo", "--packets", "100", "--xenstore", server.socketPath().toString()),
                err.toString());
            assertTrue(out.toString().contains("xenstored at " + server.socketPath()), out.toString());
            assertTrue(out.toString().contains("received:    100 packets"), out.toString());
            assertFalse(store.dump().keySet().stream().anyMatch(p -> p.matches(".*/vif/(\\d+/)?0(/.*)?")),
                store.dump().toString());
        }
    }

    @Test
    void shouldExitTwoOnABadBackend()
    {
        assertEquals(2, execute("demo", "--backend", "ancient"));
        assertTrue(err.toString().contains("--backend must be modern or legacy"), err.toString());
    }

    private static List<String> transitions(final String text, final String front, final String back)
    {
        return Arrays.stream(text.split("\n"))
            .filter(l -> l.contains(" ms  "))
            .map(l -> l.substring(l.indexOf(" ms  ") + 5).trim().replaceAll("\\s+", " "))
            .filter(l -> l.startsWith(front + " ") || l.startsWith(back + " "))
            .toList();
    }
}
