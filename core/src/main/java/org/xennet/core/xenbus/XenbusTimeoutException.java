package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.Set;

/**
 * A wait for a peer's xenbus state passed its deadline (iPXE's {@code -ETIMEDOUT} made unique by the last
 * state seen). Names the state awaited and the last state seen, so "timed out in Closing" and "timed out in
 * Unknown" read differently.
 */
public final class XenbusTimeoutException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String path;
    private final transient Set<XenbusState> awaited;
    private final XenbusState lastSeen;
    private final String lastSeenText;
    private final Duration timeout;

    /**
     * @param path         the state node waited on.
     * @param awaited      the states that would have ended the wait.
     * @param lastSeen     the last valid state read, or {@code null} if the last value read was not a state.
     * @param lastSeenText the last value read, {@code null} when the node was missing (read as Unknown).
     * @param timeout      how long the wait lasted.
     */
    public XenbusTimeoutException(final String path, final Set<XenbusState> awaited, final XenbusState lastSeen,
        final String lastSeenText, final Duration timeout)
    {
        super("xenbus state wait timed out: path=" + path + ", awaited=" + describe(awaited) + ", lastSeen=" +
            (lastSeen != null ? lastSeen : "invalid") + (lastSeenText == null ? " (no node)" :
            lastSeen == null ? " \"" + lastSeenText + "\"" : "") + ", timeout=" + timeout.toMillis() + "ms");
        this.path = path;
        this.awaited = Set.copyOf(awaited);
        this.lastSeen = lastSeen;
        this.lastSeenText = lastSeenText;
        this.timeout = timeout;
    }

    /** @return the state node waited on. */
    public String path()
    {
        return path;
    }

    /** @return the states that would have ended the wait. */
    public Set<XenbusState> awaited()
    {
        return awaited;
    }

    /** @return the last valid state read, or {@code null} if the last value was not a valid state. */
    public XenbusState lastSeen()
    {
        return lastSeen;
    }

    /** @return the last raw value read, or {@code null} when the node did not exist. */
    public String lastSeenText()
    {
        return lastSeenText;
    }

    /** @return how long the wait lasted. */
    public Duration timeout()
    {
        return timeout;
    }

    private static String describe(final Set<XenbusState> states)
    {
        if (states.size() == 1)
        {
            return states.iterator().next().toString();
        }
        return new java.util.TreeSet<>(states).toString();
    }
}
