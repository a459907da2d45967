package org.xennet.core.xenbus;

import java.time.Duration;
import java.util.Optional;

import org.xennet.xenstore.XenStore;

/**
 * A device's {@code <device path>/state} node: read (strictly), write, and wait on it.
 */
public final class XenbusStateNode
{
    /** The node's name under the device directory. */
    public static final String STATE = "state";

    private final XenStore store;
    private final String path;
    private final XenbusStateWaiter waiter;

    /**
     * @param store      the xenstore.
     * @param devicePath the device directory, such as {@code device/vif/0} or
     *                   {@code /local/domain/0/backend/vif/1/0}.
     */
    public XenbusStateNode(final XenStore store, final String devicePath)
    {
        this.store = store;
        this.path = devicePath + "/" + STATE;
        this.waiter = new XenbusStateWaiter(store);
    }

    /** @return the state node's path. */
    public String path()
    {
        return path;
    }

    /**
     * @return the state; {@link XenbusState#UNKNOWN} when the node does not exist.
     * @throws IllegalArgumentException when the node holds something other than a decimal state code.
     */
    public XenbusState read()
    {
        final Optional<String> text = store.readIfExists(XenStore.NO_TRANSACTION, path);
        return text.isEmpty() ? XenbusState.UNKNOWN : XenbusState.parse(text.get());
    }

    /**
     * Publishes a state (its decimal code), as {@code xenbus_set_state} does.
     *
     * @param state the new state.
     */
    public void write(final XenbusState state)
    {
        store.write(path, state.text());
    }

    /**
     * Waits until the node holds {@code awaited}.
     *
     * @param awaited the state.
     * @param timeout how long at most ({@link XenbusStateWaiter#DEFAULT_TIMEOUT} is iPXE's).
     * @return {@code awaited}.
     * @throws XenbusTimeoutException naming {@code awaited} and the last state seen.
     */
    public XenbusState await(final XenbusState awaited, final Duration timeout)
    {
        return waiter.await(path, awaited, timeout);
    }
}
