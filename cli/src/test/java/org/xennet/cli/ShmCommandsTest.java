package org.xennet.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.core.event.IdleMode;
import org.xennet.core.netfront.NetFrontResult;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.core.shm.ShmFrontend;
import org.xennet.core.shm.ShmPacketStream;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code xennet backend}, {@code xennet frontend} and {@code xennet demo --pcap}: argument errors, a bad file, and
 * a backend process capturing to pcap that is stopped with SIGTERM and whose capture {@code tshark} then reads.
 */
final class ShmCommandsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldExitWithUsageErrorOnBadArguments()
    {
        assertEquals(2, execute("backend"));
        assertEquals(2, execute("frontend"));
        assertEquals(2, execute("backend", "--shm", dir.resolve("x").toString(), "--sink", "bogus"));
        assertEquals(2, execute("backend", "--shm", dir.resolve("x").toString(), "--sink", "capture"));
        assertEquals(2, execute("frontend", "--shm", dir.resolve("x").toString(), "--max-length", "5"));
        assertEquals(2, execute("backend", "--shm", dir.resolve("x").toString(), "--pcap-precision", "pico"));
        assertEquals(2, execute("demo", "--pcap"));
    }

    @Test
    void shouldRefuseAFileThatIsNotADeviceFileNamingTheField() throws Exception
    {
        final Path file = dir.resolve("garbage");
        Files.write(file, new byte[8192]);
        final PrintStream original = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(1, execute("backend", "--shm", file.toString()));
            assertEquals(1, execute("frontend", "--shm", file.toString()));
        }
        finally
        {
            System.setErr(original);
        }
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("xennet backend: bad shared device file header") && text.contains("magic=0x0"), text);
        assertTrue(text.contains("xennet frontend: bad shared device file header"), text);
    }

    @Test
    void shouldCaptureEveryPacketOfTheDemoForTshark() throws Exception
    {
        final Path pcap = dir.resolve("demo.pcap");
        assertEquals(0, execute("demo", "--packets", "500", "--pcap", pcap.toString()));
        final String[] lengths = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.len").split("\n");
        assertEquals(500, lengths.length);
        assertTrue(run("capinfos", "-t", "-M", pcap.toString()).contains("File type:           pcap"));
    }

    @Test
    void shouldFlushTheCaptureWhenTheBackendProcessIsStoppedWithSigterm() throws Exception
    {
        final Path shm = Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm" : dir.toString(),
            "xennet-test-cli-" + UUID.randomUUID());
        final Path pcap = dir.resolve("backend.pcap");
        final Path log = dir.resolve("backend.log");
        Process backend = null;
        try (ShmDeviceFile file = ShmDeviceFile.create(shm, ShmFileConfig.defaults(2)))
        {
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            backend = new ProcessBuilder(List.of(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.xennet.cli.XennetCommand", "backend",
                "--shm", shm.toString(), "--sink", "capture", "--pcap", pcap.toString(), "--pcap-precision", "nano"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            final ShmPacketStream stream = new ShmPacketStream(2000, 60, 1514);
            final ShmFrontend frontend = new ShmFrontend(file, stream, 5000);
            final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
            assertEquals(NetFrontResult.OK, frontend.connect(idle, 60_000), () -> read(log));
            assertEquals(NetFrontResult.OK, stream.run(frontend, idle, false, 5000, null));
            frontend.close();
            assertNull(stream.verify(false));
            assertEquals(2000, stream.okCount()); // capture sink: accepted, not echoed
            backend.destroy(); // SIGTERM
            assertTrue(backend.waitFor(20, TimeUnit.SECONDS));
            final String out = read(log);
            assertTrue(out.contains("captured 2000") && out.contains("backend: Closed"), out);

            assertTrue(run("capinfos", "-t", "-M", pcap.toString()).contains("nsecpcap"));
            final String[] lengths = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.len")
                .split("\n");
            assertEquals(2000, lengths.length);
            for (int seq = 0; seq < lengths.length; seq++)
            {
                assertEquals(stream.lengthOf(seq), Integer.parseInt(lengths[seq].trim()), "packet " + seq);
            }
        }
        finally
        {
            if (null != backend && backend.isAlive())
            {
                backend.destroyForcibly();
                backend.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(shm);
        }
    }

    private static int execute(final String... args)
    {
        final CommandLine cli = XennetCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    private static String read(final Path log)
    {
        try
        {
            return Files.readString(log);
        }
        catch (final java.io.IOException ex)
        {
            return "(no log)";
        }
    }

    private static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
