/**
 * Xenbus: {@link org.xennet.core.xenbus.XenbusState} ({@code io/xenbus.h}), a device's {@code state} node, and
 * waits for the peer's state with deadlines, driven by xenstore watches.
 */
package org.xennet.core.xenbus;
