package org.xennet.core.xenbus;

/**
 * {@code enum xenbus_state} ({@code io/xenbus.h}): the state a frontend or backend publishes, as decimal text, in
 * its {@code state} xenstore node.
 */
public enum XenbusState
{
    /** {@code XenbusStateUnknown} (0): no state yet (also what a missing node means). */
    UNKNOWN(0, "Unknown"),
    /** {@code XenbusStateInitialising} (1): setting up. */
    INITIALISING(1, "Initialising"),
    /** {@code XenbusStateInitWait} (2): backend waiting for the frontend's details (and hotplug). */
    INIT_WAIT(2, "InitWait"),
    /** {@code XenbusStateInitialised} (3): details published, waiting for the peer. */
    INITIALISED(3, "Initialised"),
    /** {@code XenbusStateConnected} (4): the device is in use. */
    CONNECTED(4, "Connected"),
    /** {@code XenbusStateClosing} (5): the device is being shut down. */
    CLOSING(5, "Closing"),
    /** {@code XenbusStateClosed} (6): shut down. */
    CLOSED(6, "Closed"),
    /** {@code XenbusStateReconfiguring} (7): reconfiguration requested. */
    RECONFIGURING(7, "Reconfiguring"),
    /** {@code XenbusStateReconfigured} (8): reconfiguration done. */
    RECONFIGURED(8, "Reconfigured");

    private static final XenbusState[] BY_CODE = values();

    private final int code;
    private final String xenName;

    XenbusState(final int code, final String xenName)
    {
        this.code = code;
        this.xenName = xenName;
    }

    /** @return the protocol code, 0..8. */
    public int code()
    {
        return code;
    }

    /** @return the header's name without its prefix, such as {@code InitWait}. */
    public String xenName()
    {
        return xenName;
    }

    /** @return the C enumerator, such as {@code XenbusStateInitWait}. */
    public String cName()
    {
        return "XenbusState" + xenName;
    }

    /** @return the node text, the decimal code. */
    public String text()
    {
        return Integer.toString(code);
    }

    /**
     * @param code a protocol code.
     * @return its state.
     * @throws IllegalArgumentException when not 0..8.
     */
    public static XenbusState fromCode(final int code)
    {
        if (code < 0 || code >= BY_CODE.length)
        {
            throw new IllegalArgumentException("unknown xenbus state: code=" + code);
        }
        return BY_CODE[code];
    }

    /**
     * Parses a {@code state} node's text strictly, as iPXE does ({@code strtoul} base 10 that must consume
     * everything): only ASCII digits, nothing else (no sign, no spaces, not empty).
     *
     * @param text the node's value.
     * @return its state.
     * @throws IllegalArgumentException when the text is not a decimal code 0..8.
     */
    public static XenbusState parse(final String text)
    {
        if (text.isEmpty() || text.length() > 9)
        {
            throw new IllegalArgumentException("bad xenbus state text: value=\"" + text + "\"");
        }
        int code = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                throw new IllegalArgumentException("bad xenbus state text: value=\"" + text + "\"");
            }
            code = code * 10 + (c - '0');
        }
        if (code >= BY_CODE.length)
        {
            throw new IllegalArgumentException("unknown xenbus state: value=\"" + text + "\"");
        }
        return BY_CODE[code];
    }

    /** @return {@code InitWait(2)}: name and code, as timeouts and logs show it. */
    @Override
    public String toString()
    {
        return xenName + "(" + code + ")";
    }
}
