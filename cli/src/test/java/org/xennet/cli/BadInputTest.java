package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad input the attack review found, and its neighbours: each must exit 2 with one line on stderr naming
 * what was wrong, and no stack trace. {@code {dir}} is an empty directory, {@code {file}} a regular file in it.
 */
@Timeout(60)
class BadInputTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "xenstored --socket {file}",
        "xenstored --socket {dir}",
        "xenstored --socket {dir}/missing/x.sock",
        "xenstored --socket {file}/x.sock",
        "xenstored --socket {dir}/s.sock --max-connections 0",
        "xenstored --socket {dir}/s.sock --max-transaction-ops -1",
        "xenstored --socket {dir}/s.sock --max-memory 0",
        "xenstored --socket {dir}/s.sock --half-message-timeout-ms 0",
        "xenstored --socket {dir}/s.sock --idle-timeout-ms -1",
        "backend --shm {dir}",
        "backend --shm {file}/x.shm",
        "backend --shm {dir}/missing/x.shm",
        "backend --shm {dir}/b.shm --sink capture --pcap {dir}",
        "backend --shm {dir}/b.shm --pcap {file}/x.pcap",
        "backend --shm {dir}/b.shm --pcap {dir}/p.pcap --pcap-max-bytes 0",
        "backend --shm {dir}/b.shm --xenstore {dir}/none.sock",
        "backend --shm {dir}/b.shm --xenstore {file}",
        "frontend --shm {dir}",
        "frontend --shm {file}/x.shm",
        "frontend --shm {dir}/f.shm --response-timeout-ms 0",
        "frontend --shm {dir}/f.shm --response-timeout-ms -5",
        "frontend --shm {dir}/f.shm --connect-timeout-ms -1",
        "frontend --shm {dir}/f.shm --xenbus-timeout-ms 0",
        "frontend --shm {dir}/f.shm --xenstore {dir}/none.sock",
        "layout --verify /dev/zero",
        "layout --verify {dir}",
        "layout --verify {dir}/none.txt",
        "demo --xenstore {dir}/none.sock",
        "demo --pcap {dir}",
        "handshake --xenstore {dir}/none.sock",
    })
    void shouldExitTwoWithOneLineAndNoStackTrace(final String template) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("plain.txt"), "not a socket, not a device file");
        final String[] args = Arrays.stream(template.split(" "))
            .map(arg -> arg.replace("{dir}", dir.toString()).replace("{file}", file.toString()))
            .toArray(String[]::new);
        final Result result = run(args);
        assertEquals(XennetCommand.EXIT_USAGE, result.exit, template + "\n" + result);
        final List<String> lines = result.err.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), template + ": one line expected\n" + result);
        assertFalse(result.err.contains("\tat ") || result.err.contains("Exception in"), template + "\n" + result);
        assertEquals("not a socket, not a device file", Files.readString(file), "bad input must not damage files");
    }

    @Test
    void shouldNameAPermissionErrorOnTheDeviceFile() throws Exception
    {
        final Path denied;
        if ("root".equals(System.getProperty("user.name")))
        {
            denied = Path.of("/sys/xennet-denied.shm"); // root ignores file modes; sysfs still refuses a new file
        }
        else
        {
            final Path locked = Files.createDirectory(dir.resolve("locked"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-x------")));
            denied = locked.resolve("x.shm");
        }
        for (final String command : new String[] {"backend", "frontend"})
        {
            final Result result = run(command, "--shm", denied.toString());
            assertEquals(XennetCommand.EXIT_USAGE, result.exit, result.toString());
            assertEquals(1, result.err.lines().filter(line -> !line.isBlank()).count(), result.toString());
            // the device file is created under a temporary name in the same directory, then renamed
            assertTrue(result.err.contains(denied.getParent().toString()), result.toString());
            assertTrue(result.err.contains("ermission denied") || result.err.contains("ead-only file system"),
                result.toString());
        }
    }

    private record Result(int exit, String err, String out)
    {
        @Override
        public String toString()
        {
            return "exit " + exit + "\nstderr:\n" + err + "\nstdout:\n" + out;
        }
    }

    private static Result run(final String... args)
    {
        final StringWriter err = new StringWriter();
        final ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
        final ByteArrayOutputStream systemOut = new ByteArrayOutputStream();
        final PrintStream savedErr = System.err;
        final PrintStream savedOut = System.out;
        final int exit;
        System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
        try
        {
            final var cli = XennetCommand.commandLine();
            cli.setErr(new PrintWriter(err, true));
            cli.setOut(new PrintWriter(new StringWriter(), true));
            exit = cli.execute(args);
        }
        finally
        {
            System.setErr(savedErr);
            System.setOut(savedOut);
        }
        return new Result(exit, err + systemErr.toString(StandardCharsets.UTF_8),
            systemOut.toString(StandardCharsets.UTF_8));
    }
}
