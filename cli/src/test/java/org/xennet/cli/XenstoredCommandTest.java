package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;
import org.xennet.xenstore.XenStoreServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Timeout(60)
class XenstoredCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitTwoOnBadArguments()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = XennetCommand.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("xenstored"));
        assertTrue(err.toString().contains("--socket"), err.toString());
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("xenstored", "--socket", "/tmp/x", "--max-connections",
            "many"));
        assertEquals(XennetCommand.EXIT_USAGE, cli.execute("xenstored", "--socket", "/tmp/x", "--bogus"));
    }

    @Test
    void shouldServeXenstoreUtilsUntilTerminated() throws Exception
    {
        final Path socket = dir.resolve("xs.sock");
        final Process xenstored = new ProcessBuilder(javaBinary(), "--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            XennetCommand.class.getName(), "xenstored", "--socket", socket.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(xenstored.getInputStream(),
                StandardCharsets.UTF_8));
            assertEquals("xenstored listening on " + socket, out.readLine());
            assertEquals(0, xenstore(socket, "xenstore-write", "/cli/key", "value").waitFor());
            final Process ls = xenstore(socket, "xenstore-ls", "/cli");
            final String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, ls.waitFor());
            assertEquals("key = \"value\"\n", listing);
            xenstored.destroy(); // SIGTERM
            assertTrue(xenstored.waitFor(20, TimeUnit.SECONDS), "xenstored must stop on SIGTERM");
            assertTrue(Files.notExists(socket), "the socket file must be removed on shutdown");
        }
        finally
        {
            xenstored.destroyForcibly();
        }
    }

    @Test
    void shouldEmbedStoreByDefaultAndConnectWithXenstoreOption() throws Exception
    {
        final Probe probe = new Probe();
        new CommandLine(probe).parseArgs();
        try (XenStore store = probe.option.open())
        {
            assertInstanceOf(InMemoryXenStore.class, store);
            assertNull(probe.option.socket());
        }
        try (InMemoryXenStore backing = new InMemoryXenStore();
            XenStoreServer server = XenStoreServer.start(dir.resolve("opt.sock"), backing))
        {
            backing.write("/shared", "yes");
            final Probe external = new Probe();
            new CommandLine(external).parseArgs("--xenstore", server.socketPath().toString());
            try (XenStore store = external.option.open())
            {
                assertInstanceOf(XenStoreClient.class, store);
                assertEquals("yes", store.read("/shared"));
            }
        }
    }

    private static Process xenstore(final Path socket, final String... command) throws Exception
    {
        if (!Files.isExecutable(Path.of("/usr/bin", command[0])))
        {
            throw new IllegalStateException(command[0] + " not found; install with: apt-get install -y xenstore-utils");
        }
        final ProcessBuilder builder = new ProcessBuilder(List.of(command));
        builder.environment().put("XENSTORED_PATH", socket.toString());
        return builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String javaBinary()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Command(name = "probe")
    static final class Probe
    {
        @Mixin
        XenStoreOption option;
    }
}
