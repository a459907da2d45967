package org.xennet.core.xenbus;

/**
 * Told of every state an end of a device publishes (for logs, the demo and tests), just before it writes it, so
 * that a log of both ends reads in causal order. Called on the writing thread; must not block or throw.
 */
@FunctionalInterface
public interface XenbusStateListener
{
    /** Ignores every transition. */
    XenbusStateListener NONE = (devicePath, from, to) -> { };

    /**
     * @param devicePath the device directory of the end that wrote.
     * @param from       the state the end had published before ({@link XenbusState#UNKNOWN} if none was read).
     * @param to         the state about to be written ({@code xenbus_switch_state}).
     */
    void onSwitchState(String devicePath, XenbusState from, XenbusState to);
}
