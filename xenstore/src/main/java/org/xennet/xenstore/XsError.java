package org.xennet.xenstore;

/**
 * The errors an {@code XS_ERROR} reply can carry: {@code xsd_errors[]} in {@code io/xs_wire.h}, in table order,
 * with their Linux errno values. On the wire only the name travels ({@code ENOENT\0}).
 */
public enum XsError
{
    /** Invalid argument: a malformed request, path or permission. */
    EINVAL(22),
    /** Permission denied by the node's permissions. */
    EACCES(13),
    /** Already exists (a watch with the same path and token). */
    EEXIST(17),
    /** Is a directory. */
    EISDIR(21),
    /** No such node, transaction or watch. */
    ENOENT(2),
    /** Out of memory. */
    ENOMEM(12),
    /** A quota (nodes, transactions) is exhausted. */
    ENOSPC(28),
    /** I/O error (also: connection lost, in the client). */
    EIO(5),
    /** Directory not empty. */
    ENOTEMPTY(39),
    /** Operation not supported by this server. */
    ENOSYS(38),
    /** Read-only store. */
    EROFS(30),
    /** Busy: a transaction started inside a transaction. */
    EBUSY(16),
    /** Try again: the transaction conflicted with another change. */
    EAGAIN(11),
    /** Already connected. */
    EISCONN(106),
    /** Payload or reply too big, or too many watches. */
    E2BIG(7),
    /** Operation not permitted. */
    EPERM(1);

    private static final XsError[] VALUES = values();

    private final int errno;

    XsError(final int errno)
    {
        this.errno = errno;
    }

    /** @return the Linux errno value ({@code ENOENT} is 2). */
    public int errno()
    {
        return errno;
    }

    /**
     * Maps an {@code XS_ERROR} payload name to an error, as libxenstore's {@code get_error} does.
     *
     * @param name the errno name without its NUL.
     * @return the error, or {@link #EINVAL} for a name not in the table (libxenstore's fallback).
     */
    public static XsError fromName(final String name)
    {
        for (final XsError error : VALUES)
        {
            if (error.name().equals(name))
            {
                return error;
            }
        }
        return EINVAL;
    }
}
