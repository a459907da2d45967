package org.xennet.core.shm;

/**
 * A shared device file that cannot be attached: wrong magic, version or page size, a truncated file, a region out
 * of bounds. The message names the field and the value found ({@code "what: field=value"}).
 */
public final class ShmFormatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * Creates the exception.
     *
     * @param field   the header field at fault (as named in {@code xennet_shm.h}).
     * @param message the full message.
     */
    public ShmFormatException(final String field, final String message)
    {
        super(message);
        this.field = field;
    }

    /**
     * The header field at fault.
     *
     * @return its name, e.g. {@code "magic"} or {@code "file_length"}.
     */
    public String field()
    {
        return field;
    }
}
