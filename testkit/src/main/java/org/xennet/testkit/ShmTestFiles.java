package org.xennet.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Unique shared device file paths under /dev/shm (tmpfs), as users run them. */
public final class ShmTestFiles
{
    private ShmTestFiles()
    {
    }

    /**
     * A fresh, unique device-file path.
     *
     * @param name a label that ends up in the file name.
     * @return the path (not created).
     * @throws IOException never in practice; kept for callers that create the file next.
     */
    public static Path newPath(final String name) throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        final Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("xennet-test-" + name + "-" + UUID.randomUUID());
    }
}
