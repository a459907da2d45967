package org.xennet.xenstore;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link XenStore} whose watch events run on the thread that calls {@link #runWatches()} instead of the store's
 * event thread. A driver whose watch handler touches single-threaded state (such as a
 * {@code org.xennet.core.netback.XenbusNetBack} mapping the rings of the {@code NetBack} its duty cycle polls)
 * registers its watches here and calls {@link #runWatches()} from that duty cycle: no lock on the data path, and the
 * handler never races the poller. Every other operation goes straight to the wrapped store.
 * <p>
 * Do not use it for code that waits for a watch on the thread that would run it (such as
 * {@code org.xennet.core.xenbus.XenbusStateWaiter}): the event would never run.
 */
public final class PolledWatchXenStore implements XenStore
{
    private final XenStore store;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

    /**
     * @param store the store to wrap (closed by {@link #close()}).
     */
    public PolledWatchXenStore(final XenStore store)
    {
        this.store = store;
    }

    /**
     * Runs the watch events queued since the last call, in order, on the calling thread.
     *
     * @return how many ran (0 when idle: one lock-free read, no allocation).
     */
    public int runWatches()
    {
        int ran = 0;
        Runnable event;
        while (null != (event = pending.poll()))
        {
            event.run();
            ran++;
        }
        return ran;
    }

    @Override
    public void watch(final String path, final String token, final WatchListener listener)
    {
        store.watch(path, token, (eventPath, eventToken) -> pending.add(() ->
            listener.onWatchEvent(eventPath, eventToken)));
    }

    @Override
    public void unwatch(final String path, final String token)
    {
        store.unwatch(path, token);
    }

    @Override
    public byte[] read(final int txId, final String path)
    {
        return store.read(txId, path);
    }

    @Override
    public void write(final int txId, final String path, final byte[] value)
    {
        store.write(txId, path, value);
    }

    @Override
    public void mkdir(final int txId, final String path)
    {
        store.mkdir(txId, path);
    }

    @Override
    public void rm(final int txId, final String path)
    {
        store.rm(txId, path);
    }

    @Override
    public List<String> directory(final int txId, final String path)
    {
        return store.directory(txId, path);
    }

    @Override
    public List<XsPermission> getPermissions(final int txId, final String path)
    {
        return store.getPermissions(txId, path);
    }

    @Override
    public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
    {
        store.setPermissions(txId, path, permissions);
    }

    @Override
    public int transactionStart()
    {
        return store.transactionStart();
    }

    @Override
    public boolean transactionEnd(final int txId, final boolean commit)
    {
        return store.transactionEnd(txId, commit);
    }

    @Override
    public void close()
    {
        store.close();
    }
}
