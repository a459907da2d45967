package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients nobody here wrote, against {@link XenStoreServer}: Debian's xenstore-utils (libxenstore, pointed
 * at the socket with {@code XENSTORED_PATH}) and Debian's python3-pyxs (run by the system {@code /usr/bin/python3}).
 * Missing tools fail with an install hint; they are never skipped.
 */
@Timeout(60)
class XenStoreRealClientsTest
{
    private static final String INSTALL_HINT =
        "install with: apt-get install -y xenstore-utils python3-pyxs (or run ./scripts/test.sh, which does)";

    @TempDir
    Path dir;

    private InMemoryXenStore store;
    private XenStoreServer server;

    @BeforeEach
    void setUp() throws Exception
    {
        store = new InMemoryXenStore();
        server = XenStoreServer.start(dir.resolve("xs.sock"), store);
    }

    @AfterEach
    void tearDown()
    {
        assertEquals(0, server.internalErrors());
        server.close();
        store.close();
    }

    @Test
    void shouldServeXenstoreWriteReadLsAndRm() throws Exception
    {
        assertEquals(0, run("xenstore-write", "/vm/name", "guest", "/vm/device/vif/0/state", "4").exitCode);
        assertEquals("guest", store.read("/vm/name"));
        final Result read = run("xenstore-read", "/vm/name", "/vm/device/vif/0/state");
        assertEquals(0, read.exitCode, read.stderr);
        assertEquals("guest\n4\n", read.stdout);
        final Result ls = run("xenstore-ls", "/vm");
        assertEquals(0, ls.exitCode, ls.stderr);
        assertEquals("name = \"guest\"\ndevice = \"\"\n vif = \"\"\n  0 = \"\"\n   state = \"4\"\n", ls.stdout);
        final Result rm = run("xenstore-rm", "/vm/device");
        assertEquals(0, rm.exitCode, rm.stderr);
        assertEquals(List.of("name"), store.directory("/vm"));
    }

    @Test
    void shouldListDirectoriesLongerThanOnePayloadWithXenstoreList() throws Exception
    {
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            final String name = String.format("child-with-a-long-name-%04d", i);
            store.mkdir("/big/" + name);
            expected.append(name).append('\n');
        }
        // 300 names need 8400 bytes: DIRECTORY answers E2BIG and libxenstore falls back to DIRECTORY_PART
        final Result list = run("xenstore-list", "/big");
        assertEquals(0, list.exitCode, list.stderr);
        assertEquals(expected.toString(), list.stdout);
    }

    @Test
    void shouldShowPermissionsSetWithXenstoreChmod() throws Exception
    {
        store.write("/p/node", "v");
        assertEquals(0, run("xenstore-chmod", "/p/node", "b0", "r5").exitCode);
        assertEquals(List.of(new XsPermission(0, XsPermission.Access.BOTH), new XsPermission(5,
            XsPermission.Access.READ)), store.getPermissions(XenStore.NO_TRANSACTION, "/p/node"));
        final Result ls = run("xenstore-ls", "-p", "/p");
        assertEquals(0, ls.exitCode, ls.stderr);
        assertTrue(ls.stdout.matches("(?s)node = \"v\" [ .]*\\(b0,r5\\)\n"), ls.stdout);
    }

    @Test
    void shouldReportMissingNodeAsErrorToXenstoreRead() throws Exception
    {
        final Result read = run("xenstore-read", "/does/not/exist");
        assertEquals(1, read.exitCode);
        assertTrue(read.stderr.contains("couldn't read path /does/not/exist"), read.stderr);
        final Result rm = run("xenstore-rm", "/does/not/exist");
        assertEquals(1, rm.exitCode, "rm under a missing parent is ENOENT");
        final Result bad = run("xenstore-write", "/bad path", "x");
        assertEquals(1, bad.exitCode, "invalid path is EINVAL");
        assertEquals(1, store.nodeCount());
    }

    @Test
    void shouldFireWatchesForXenstoreWatch() throws Exception
    {
        final Process watch = start("xenstore-watch", "-n", "3", "/watched");
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(),
                StandardCharsets.UTF_8));
            assertEquals("/watched", out.readLine(), "initial event on registration");
            store.write("/watched/child", "1");
            assertEquals("/watched/child", out.readLine());
            store.write("/unwatched", "1");
            store.rm("/watched");
            assertEquals("/watched", out.readLine());
            assertTrue(watch.waitFor(10, TimeUnit.SECONDS), "xenstore-watch -n 3 must exit after 3 events");
            assertEquals(0, watch.exitValue());
        }
        finally
        {
            watch.destroyForcibly();
        }
    }

    @Test
    void shouldServePyxsIncludingTransactionsWatchesAndErrors() throws Exception
    {
        final Path script = dir.resolve("pyxs_client.py");
        try (InputStream in = getClass().getResourceAsStream("/py/pyxs_client.py"))
        {
            Files.copy(in, script);
        }
        final Result result = run("/usr/bin/python3", script.toString(), server.socketPath().toString());
        assertEquals(0, result.exitCode, result.stdout + result.stderr);
        assertEquals(String.join("\n",
            "read alpha",
            "list a,dir",
            "exists True False",
            "perms b0,r5",
            "domainpath /local/domain/7",
            "error 2",
            "tx committed",
            "deleted False",
            "event /py/watched pytoken",
            "event /py/watched/child pytoken",
            "done") + "\n", result.stdout);
    }

    private Process start(final String... command) throws IOException
    {
        final String tool = command[0];
        if (!Files.isExecutable(Path.of(tool.startsWith("/") ? tool : "/usr/bin/" + tool)))
        {
            throw new IllegalStateException(tool + " not found; " + INSTALL_HINT);
        }
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("XENSTORED_PATH", server.socketPath().toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    private Result run(final String... command) throws Exception
    {
        final String tool = command[0];
        if (!Files.isExecutable(Path.of(tool.startsWith("/") ? tool : "/usr/bin/" + tool)))
        {
            throw new IllegalStateException(tool + " not found; " + INSTALL_HINT);
        }
        final ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)));
        builder.environment().put("XENSTORED_PATH", server.socketPath().toString());
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        final Process process = builder.start();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 20 s: " + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record Result(int exitCode, String stdout, String stderr)
    {
    }
}
