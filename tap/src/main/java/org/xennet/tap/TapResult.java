package org.xennet.tap;

/**
 * Hot-path result codes of {@link TapDevice} reads and writes: negative named ints, never exceptions. Non-negative
 * returns are byte counts.
 */
public final class TapResult
{
    /** Nothing to read right now (non-blocking descriptor), or the write would block. */
    public static final int WOULD_BLOCK = -1;

    /** The TAP device is gone (deleted, moved away or its descriptor closed): the end must close. */
    public static final int GONE = -2;

    /** Another read or write failure (see {@link TapDevice#lastErrno()}); the frame is dropped. */
    public static final int ERROR = -3;

    private TapResult()
    {
    }

    /**
     * Names a result code.
     *
     * @param result a result of {@link TapDevice#read} or {@link TapDevice#write}.
     * @return its name, or {@code "BYTES(n)"} for a byte count.
     */
    public static String resultString(final int result)
    {
        switch (result)
        {
            case WOULD_BLOCK:
                return "WOULD_BLOCK";
            case GONE:
                return "GONE";
            case ERROR:
                return "ERROR";
            default:
                return result >= 0 ? "BYTES(" + result + ")" : "UNKNOWN(" + result + ")";
        }
    }
}
