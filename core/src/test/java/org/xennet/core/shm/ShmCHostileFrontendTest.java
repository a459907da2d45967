package org.xennet.core.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.core.event.IdleMode;
import org.xennet.core.xenbus.XenbusState;
import org.xennet.testkit.CProgram;
import org.xennet.testkit.ProbeOutput;
import org.xennet.testkit.ShmTestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile C netfront rewrites the device file's header layout after the Java backend attached and publishes a
 * generation with a bad ring ref and a port nobody holds: the backend must not crash (it keeps the layout it
 * validated at attach), must not connect (back to InitWait), and must then serve a correct C frontend.
 */
final class ShmCHostileFrontendTest
{
    private static CProgram hostile;
    private static CProgram frontend;

    @BeforeAll
    static void compile()
    {
        hostile = CProgram.compileResources(ShmCHostileFrontendTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_common.h", "/c/shm_c_hostile_frontend.c"),
            "-O2", "-Wall", "-Werror");
        frontend = CProgram.compileResources(ShmCHostileFrontendTest.class,
            List.of("/org/xennet/core/shm/xennet_shm.h", "/c/shm_common.h", "/c/shm_c_frontend.c"),
            "-O2", "-Wall", "-Werror");
    }

    @Test
    void shouldSurviveAHeaderRewritingFrontendStayInInitWaitAndServeTheNextOne() throws Exception
    {
        final Path path = ShmTestFiles.newPath("chostile");
        try (ShmDeviceFile file = ShmDeviceFile.create(path, ShmFileConfig.defaults(1)))
        {
            final ShmBackend backend = new ShmBackend(file, null);
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> crash = new AtomicReference<>();
            final Thread thread = new Thread(() ->
            {
                final IdleStrategy idle = IdleMode.BACKOFF.newIdleStrategy();
                try
                {
                    while (running.get())
                    {
                        idle.idle(backend.doWork());
                    }
                }
                catch (final Throwable ex)
                {
                    crash.set(ex);
                }
            }, "java-backend");
            thread.start();
            final CProgram.Result bad;
            final CProgram.Result good;
            try
            {
                bad = hostile.run(new byte[0], 60, path.toString());
                good = frontend.run(new byte[0], 60, path.toString(), "20000", "60", "1514");
            }
            finally
            {
                running.set(false);
                thread.join();
            }
            assertNull(crash.get());
            assertEquals(0, bad.exitCode(), bad.stdout() + bad.stderr());
            assertEquals(XenbusState.INIT_WAIT.code(), ProbeOutput.parse(bad.stdout()).get("backend_state"));
            assertTrue(backend.faults() >= 1);
            assertEquals(0, good.exitCode(), good.stdout() + good.stderr());
            assertEquals(20000, ProbeOutput.parse(good.stdout()).get("echoed"));
            assertEquals(1, backend.connects());
            backend.close();
        }
        finally
        {
            Files.deleteIfExists(path);
        }
    }
}
