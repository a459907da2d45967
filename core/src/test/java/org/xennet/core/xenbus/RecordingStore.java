package org.xennet.core.xenbus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.xennet.xenstore.WatchListener;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;
import org.xennet.xenstore.XsError;
import org.xennet.xenstore.XsPermission;

/**
 * A store that logs every write and rm under one directory ({@code "write key=value"}, {@code "rm key"}) and can
 * fail the write of one key ({@code EIO}) or replace the value written to it.
 */
final class RecordingStore implements XenStore
{
    private final XenStore delegate;
    private final String directory;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    volatile String failWriteOf;
    volatile String replaceKey;
    volatile String replaceValue;

    RecordingStore(final XenStore delegate, final String directory)
    {
        this.delegate = delegate;
        this.directory = directory + "/";
    }

    @Override
    public byte[] read(final int txId, final String path)
    {
        return delegate.read(txId, path);
    }

    @Override
    public void write(final int txId, final String path, final byte[] value)
    {
        byte[] bytes = value;
        if (path.startsWith(directory))
        {
            final String key = path.substring(directory.length());
            if (key.equals(failWriteOf))
            {
                throw new XenStoreException(XsError.EIO, "injected write failure: path=" + path);
            }
            if (key.equals(replaceKey))
            {
                bytes = replaceValue.getBytes(StandardCharsets.UTF_8);
            }
            log.add("write " + key + "=" + new String(bytes, StandardCharsets.UTF_8));
        }
        delegate.write(txId, path, bytes);
    }

    @Override
    public void mkdir(final int txId, final String path)
    {
        delegate.mkdir(txId, path);
    }

    @Override
    public void rm(final int txId, final String path)
    {
        if (path.startsWith(directory))
        {
            log.add("rm " + path.substring(directory.length()));
        }
        delegate.rm(txId, path);
    }

    @Override
    public List<String> directory(final int txId, final String path)
    {
        return delegate.directory(txId, path);
    }

    @Override
    public List<XsPermission> getPermissions(final int txId, final String path)
    {
        return delegate.getPermissions(txId, path);
    }

    @Override
    public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
    {
        delegate.setPermissions(txId, path, permissions);
    }

    @Override
    public int transactionStart()
    {
        return delegate.transactionStart();
    }

    @Override
    public boolean transactionEnd(final int txId, final boolean commit)
    {
        return delegate.transactionEnd(txId, commit);
    }

    @Override
    public void watch(final String path, final String token, final WatchListener listener)
    {
        delegate.watch(path, token, listener);
    }

    @Override
    public void unwatch(final String path, final String token)
    {
        delegate.unwatch(path, token);
    }

    @Override
    public void close()
    {
        // the delegate belongs to the test
    }
}
