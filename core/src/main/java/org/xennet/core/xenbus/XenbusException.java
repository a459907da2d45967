package org.xennet.core.xenbus;

/**
 * A xenbus handshake step failed for a reason other than a timeout: a peer's key is missing or malformed, a
 * required feature is not offered, the backend gave up connecting, or the device could not be set up.
 */
public final class XenbusException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message {@code "what: name=value"} detail.
     */
    public XenbusException(final String message)
    {
        super(message);
    }
}
