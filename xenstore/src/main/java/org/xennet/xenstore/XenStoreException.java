package org.xennet.xenstore;

/**
 * A XenStore request failed with an {@code xsd_errors} error (the same error an {@code XS_ERROR} reply carries),
 * or with oxenstored's {@code EQUOTA}, which is not in that table ({@link #quota}: libxenstore reads it as
 * {@code EINVAL}, so {@link #error()} is {@link XsError#EINVAL} and {@link #wireName()} says {@code EQUOTA}).
 */
public final class XenStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The {@code XS_ERROR} name oxenstored sends when a quota is exhausted. */
    public static final String EQUOTA = "EQUOTA";

    private final transient XsError error;
    private final String wireName;

    /**
     * @param error   the protocol error.
     * @param message {@code "what: name=value"} detail.
     */
    public XenStoreException(final XsError error, final String message)
    {
        this(error, error.name(), message);
    }

    /**
     * @param error    the protocol error as libxenstore maps the name.
     * @param wireName the name sent or received in {@code XS_ERROR}.
     * @param message  {@code "what: name=value"} detail.
     */
    public XenStoreException(final XsError error, final String wireName, final String message)
    {
        super(message + ", error=" + wireName);
        this.error = error;
        this.wireName = wireName;
    }

    /**
     * @param message {@code "what: name=value"} detail.
     * @return an {@code EQUOTA} failure (a per-connection or per-transaction quota is exhausted).
     */
    public static XenStoreException quota(final String message)
    {
        return new XenStoreException(XsError.EINVAL, EQUOTA, message);
    }

    /**
     * @param error   the protocol error.
     * @param message {@code "what: name=value"} detail.
     * @param cause   the underlying failure.
     */
    public XenStoreException(final XsError error, final String message, final Throwable cause)
    {
        super(message + ", error=" + error.name(), cause);
        this.error = error;
        this.wireName = error.name();
    }

    /** @return the protocol error ({@link XsError#ENOENT} for a missing node). */
    public XsError error()
    {
        return error;
    }

    /** @return the name in the {@code XS_ERROR} reply ({@code ENOENT}, or {@code EQUOTA}). */
    public String wireName()
    {
        return wireName;
    }

    /** @return whether a quota was exhausted ({@code EQUOTA}). */
    public boolean isQuota()
    {
        return EQUOTA.equals(wireName);
    }
}
