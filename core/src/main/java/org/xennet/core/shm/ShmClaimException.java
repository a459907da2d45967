package org.xennet.core.shm;

/**
 * The shared device file is already served by another live backend (or used by another live frontend): a second
 * one would corrupt the rings, so it is refused. The message names the role, the recorded pid and the file.
 */
public final class ShmClaimException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is held and by whom.
     */
    public ShmClaimException(final String message)
    {
        super(message);
    }
}
