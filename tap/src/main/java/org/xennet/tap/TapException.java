package org.xennet.tap;

/**
 * A TAP device or network namespace could not be opened or set up; the message names what is missing (root,
 * {@code CAP_NET_ADMIN}, {@code /dev/net/tun}, the namespace, a matching device). Never thrown on the data path.
 */
public final class TapException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what is missing.
     */
    public TapException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and what is missing.
     * @param cause   the underlying failure.
     */
    public TapException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
