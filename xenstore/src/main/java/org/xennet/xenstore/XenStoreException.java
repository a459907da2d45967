package org.xennet.xenstore;

/**
 * A XenStore request failed with an {@code xsd_errors} error (the same error an {@code XS_ERROR} reply carries).
 */
public final class XenStoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient XsError error;

    /**
     * @param error   the protocol error.
     * @param message {@code "what: name=value"} detail.
     */
    public XenStoreException(final XsError error, final String message)
    {
        super(message + ", error=" + error.name());
        this.error = error;
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
    }

    /** @return the protocol error ({@link XsError#ENOENT} for a missing node). */
    public XsError error()
    {
        return error;
    }
}
