package org.xennet.core.cli;

import java.io.IOException;
import java.nio.file.Path;

import org.xennet.core.event.IdleMode;
import org.xennet.core.shm.ShmDeviceFile;
import org.xennet.core.shm.ShmFileConfig;
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

    @Option(names = "--idle", paramLabel = "MODE", defaultValue = "BACKOFF",
        description = "How to wait: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    IdleMode idleMode;

    ShmDeviceFile open() throws IOException
    {
        final ShmFileConfig defaults = ShmFileConfig.defaults(grantVersion);
        return ShmDeviceFile.openOrCreate(file, new ShmFileConfig(grantVersion, guestPages,
            defaults.grantFrames(), defaults.frontendDomid(), defaults.backendDomid(), defaults.ringFirstFrame(),
            defaults.guestFirstFrame(), ""));
    }
}
