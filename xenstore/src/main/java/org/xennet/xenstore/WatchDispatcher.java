package org.xennet.xenstore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Calls watch listeners on one daemon thread, in submission order, outside any store lock (so a listener may
 * call the store). The thread starts on the first event and ends after a while idle or on {@link #close()}.
 */
final class WatchDispatcher implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(WatchDispatcher.class.getName());

    private final ExecutorService executor;

    WatchDispatcher(final String threadName)
    {
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            runnable ->
            {
                final Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                return thread;
            });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /**
     * Queues a listener call; dropped once closed.
     *
     * @param call the listener call.
     */
    void execute(final Runnable call)
    {
        try
        {
            executor.execute(() ->
            {
                try
                {
                    call.run();
                }
                catch (final RuntimeException ex)
                {
                    // A failing listener must not stop the delivery of everyone else's events.
                    LOG.log(System.Logger.Level.WARNING, "xenstore watch listener failed", ex);
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            // closed: events after close are dropped by contract
        }
    }

    @Override
    public void close()
    {
        executor.shutdown();
    }
}
