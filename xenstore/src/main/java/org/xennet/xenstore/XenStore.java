package org.xennet.xenstore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A XenStore: a tree of nodes, each with a byte value, children and a permission list, with watches and
 * transactions, as {@code xenstored} offers them over {@code io/xs_wire.h}.
 *
 * <p>Paths are absolute ({@code /local/domain/0/device}) or relative to the caller's domain home
 * ({@code /local/domain/<domid>}). Failures throw {@link XenStoreException} carrying the protocol's
 * {@link XsError} ({@code ENOENT} for a missing node, {@code EACCES}, {@code EINVAL} for a bad path, ...).
 * Every operation taking a {@code txId} runs inside that transaction ({@link #NO_TRANSACTION} for none).
 * Implementations are thread-safe; {@link InMemoryXenStore} and {@link XenStoreClient} behave the same.
 */
public interface XenStore extends AutoCloseable
{
    /** The {@code tx_id} meaning "not in a transaction". */
    int NO_TRANSACTION = 0;

    /**
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     * @return a copy of its value.
     */
    byte[] read(int txId, String path);

    /**
     * Sets a node's value, creating it and any missing parents (with empty values).
     *
     * @param txId  transaction, or {@link #NO_TRANSACTION}.
     * @param path  the node.
     * @param value the new value (copied).
     */
    void write(int txId, String path, byte[] value);

    /**
     * Creates a node (and missing parents) with an empty value; an existing node is left as it is.
     *
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     */
    void mkdir(int txId, String path);

    /**
     * Removes a node and its subtree. Removing a missing node whose parent exists succeeds (as xenstored does);
     * a missing parent gives {@code ENOENT}.
     *
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     */
    void rm(int txId, String path);

    /**
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     * @return the names (not paths) of its children, in creation order.
     */
    List<String> directory(int txId, String path);

    /**
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     * @return its permissions: the owner entry first.
     */
    List<XsPermission> getPermissions(int txId, String path);

    /**
     * Replaces a node's permissions; only its owner (or domain 0) may.
     *
     * @param txId        transaction, or {@link #NO_TRANSACTION}.
     * @param path        the node.
     * @param permissions the new list, owner entry first, not empty.
     */
    void setPermissions(int txId, String path, List<XsPermission> permissions);

    /**
     * Starts a transaction: its operations see the store plus their own changes, which take effect at commit;
     * the commit fails if any node the transaction used changed meanwhile.
     *
     * @return the transaction id (never {@link #NO_TRANSACTION}).
     */
    int transactionStart();

    /**
     * Ends a transaction.
     *
     * @param txId   the transaction.
     * @param commit {@code true} to commit, {@code false} to abort.
     * @return {@code true} when committed (or aborted); {@code false} when a commit conflicted with changes made
     *     since the transaction started to nodes it used (xenstored's {@code EAGAIN}): nothing was applied.
     */
    boolean transactionEnd(int txId, boolean commit);

    /**
     * Watches a node and its descendants. The listener gets one event at once for {@code path} (as xenstored
     * sends one on registration), then one per change of the node or a descendant (write, mkdir, rm,
     * permissions), including descendants removed with an ancestor.
     *
     * @param path     the node (need not exist); special paths such as {@code @releaseDomain} are accepted.
     * @param token    names the watch in events; a second watch with the same path and token gets {@code EEXIST}.
     * @param listener called on the store's event thread.
     */
    void watch(String path, String token, WatchListener listener);

    /**
     * Removes a watch; events already queued for it may still be delivered.
     *
     * @param path  as given to {@link #watch}.
     * @param token as given to {@link #watch}.
     */
    void unwatch(String path, String token);

    /**
     * Releases the store (the client's connection, a session's watches and transactions).
     */
    @Override
    void close();

    /**
     * @param path the node.
     * @return its value as UTF-8 text.
     */
    default String read(final String path)
    {
        return new String(read(NO_TRANSACTION, path), StandardCharsets.UTF_8);
    }

    /**
     * @param txId transaction, or {@link #NO_TRANSACTION}.
     * @param path the node.
     * @return its value as UTF-8 text, or empty when the node does not exist.
     */
    default Optional<String> readIfExists(final int txId, final String path)
    {
        try
        {
            return Optional.of(new String(read(txId, path), StandardCharsets.UTF_8));
        }
        catch (final XenStoreException ex)
        {
            if (ex.error() == XsError.ENOENT)
            {
                return Optional.empty();
            }
            throw ex;
        }
    }

    /**
     * @param path  the node.
     * @param value UTF-8 text to store.
     */
    default void write(final String path, final String value)
    {
        write(NO_TRANSACTION, path, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param path the node to create.
     */
    default void mkdir(final String path)
    {
        mkdir(NO_TRANSACTION, path);
    }

    /**
     * @param path the node to remove, with its subtree.
     */
    default void rm(final String path)
    {
        rm(NO_TRANSACTION, path);
    }

    /**
     * @param path the node.
     * @return the names of its children.
     */
    default List<String> directory(final String path)
    {
        return directory(NO_TRANSACTION, path);
    }

    /**
     * @param path the node.
     * @return whether it exists.
     */
    default boolean exists(final String path)
    {
        return readIfExists(NO_TRANSACTION, path).isPresent();
    }

    /**
     * Runs {@code body} in a transaction and commits it, retrying the whole body when the commit conflicts.
     *
     * @param maxAttempts how many times to try before giving up, at least 1.
     * @param body        receives the transaction id; an exception aborts the transaction and propagates.
     * @param <T>         the body's result.
     * @return the body's result from the attempt that committed.
     * @throws XenStoreException with {@link XsError#EAGAIN} when every attempt conflicted.
     */
    default <T> T inTransaction(final int maxAttempts, final IntFunction<T> body)
    {
        for (int attempt = 1; attempt <= maxAttempts; attempt++)
        {
            final int txId = transactionStart();
            final T result;
            try
            {
                result = body.apply(txId);
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    transactionEnd(txId, false);
                }
                catch (final RuntimeException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
                throw ex;
            }
            if (transactionEnd(txId, true))
            {
                return result;
            }
        }
        throw new XenStoreException(XsError.EAGAIN, "xenstore transaction kept conflicting: attempts=" + maxAttempts);
    }
}
