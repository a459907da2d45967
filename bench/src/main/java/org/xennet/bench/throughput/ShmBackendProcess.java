package org.xennet.bench.throughput;

import java.io.IOException;
import java.nio.file.Path;

import org.agrona.concurrent.IdleStrategy;
import org.xennet.bench.IdleStrategies;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.shm.ShmBackend;
import org.xennet.core.shm.ShmDeviceFile;

/**
 * The backend JVM of {@link ShmTxPathBenchmark}'s cross-process mode: attaches to a device file and runs a
 * discarding {@link ShmBackend} until the process is killed. Kept in the bench module so the benchmarks do not
 * depend on the command-line tool.
 */
public final class ShmBackendProcess
{
    private ShmBackendProcess()
    {
    }

    /**
     * Runs the backend.
     *
     * @param args the device file path and the idle strategy name (as {@link IdleStrategies#create}).
     * @throws IOException when the device file cannot be attached.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            System.err.println("usage: ShmBackendProcess <device-file> <idle>");
            System.exit(2);
        }
        final ShmDeviceFile file = ShmDeviceFile.attach(Path.of(args[0]));
        final ShmBackend backend = new ShmBackend(file, PacketSinks.discard());
        final IdleStrategy idle = IdleStrategies.create(args[1]);
        while (!Thread.currentThread().isInterrupted())
        {
            idle.idle(backend.doWork());
        }
        backend.close();
    }
}
