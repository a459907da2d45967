package org.xennet.xenstore;

/**
 * Receives watch events. Each store calls its listeners on one event thread of its own, in the order the
 * changes happened, never while holding the store's lock: a listener may call the store.
 */
@FunctionalInterface
public interface WatchListener
{
    /**
     * A watched node, or one of its descendants, changed (or the watch was just registered).
     *
     * @param path  the node that changed, relative if the watch was registered with a relative path.
     * @param token the token given when the watch was registered.
     */
    void onWatchEvent(String path, String token);
}
