package org.xennet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.xennet.core.event.IdleMode;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code xennet backend} and {@code xennet frontend}: the device file and, when this end creates
 * it, its layout.
 */
final class ShmOptions
{
    @Option(names = "--shm", required = true, paramLabel = "FILE",
        description = "Shared device file (created when missing), e.g. /dev/shm/xennet0.")
    Path file;

    @Option(names = "--grant-version", paramLabel = "1|2", defaultValue = "1",
        description = "Grant table version when creating the file (default: ${DEFAULT-VALUE}).")
    int grantVersion;

    @Option(names = "--guest-pages", paramLabel = "N", defaultValue = "512",
        description = "Frontend guest memory pages when creating the file (default: ${DEFAULT-VALUE}).")
    int guestPages;

    @Option(names = "--idle", paramLabel = "MODE", defaultValue = "backoff", converter = IdleModeConverter.class,
        description = "How to wait: " + IdleMode.OPTION_NAMES + " (default: ${DEFAULT-VALUE}).")
    IdleMode idleMode;

    @Option(names = "--devid", paramLabel = "ID", defaultValue = "0",
        description = "The vif's device id when a xenstore is the control plane (default: ${DEFAULT-VALUE}).")
    int devid;

    /**
     * Opens or creates the device file; a file this end creates records {@code xenstore} in its header.
     *
     * @param xenstore the xenstore socket to record, or {@code null}.
     */
    ShmDeviceFile open(final Path xenstore) throws IOException
    {
        final ShmFileConfig defaults = ShmFileConfig.defaults(grantVersion);
        return ShmDeviceFile.openOrCreate(file, new ShmFileConfig(grantVersion, guestPages,
            defaults.grantFrames(), defaults.frontendDomid(), defaults.backendDomid(), defaults.ringFirstFrame(),
            defaults.guestFirstFrame(), null == xenstore ? "" : xenstore.toAbsolutePath().toString()));
    }

    /**
     * The control plane: {@code --xenstore} when given, else the socket recorded in the file's header, else
     * {@code null} (the file's state words).
     */
    static Path xenstoreSocket(final XenStoreOption option, final ShmDeviceFile device)
    {
        if (null != option.socket())
        {
            return option.socket();
        }
        final String recorded = device.xenstorePath();
        return recorded.isEmpty() ? null : Path.of(recorded);
    }

    /** Connects to the xenstored at {@code socket}. */
    static XenStore connect(final Path socket)
    {
        try
        {
            return XenStoreClient.connect(socket);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot connect to xenstored: socket=" + socket, ex);
        }
    }
}
