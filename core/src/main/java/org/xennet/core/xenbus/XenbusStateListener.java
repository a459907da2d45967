package org.xennet.core.xenbus;

/**
 * Told of every state an end of a device publishes (for logs, the demo and tests). Called on the thread that
 * wrote the state; must not block.
 */
@FunctionalInterface
public interface XenbusStateListener
{
    /** Ignores every transition. */
    XenbusStateListener NONE = (devicePath, from, to) -> { };

    /**
     * @param devicePath the device directory of the end that wrote.
     * @param from       the state the end had published before ({@link XenbusState#UNKNOWN} if none was read).
     * @param to         the state just written.
     */
    void onStateWritten(String devicePath, XenbusState from, XenbusState to);
}
