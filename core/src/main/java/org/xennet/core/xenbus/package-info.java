/**
 * Xenbus: {@link org.xennet.core.xenbus.XenbusState} ({@code io/xenbus.h}), a device's {@code state} node, and
 * waits for the peer's state with deadlines, driven by xenstore watches; a vif's xenstore layout
 * ({@link org.xennet.core.xenbus.VifKeys}) and the toolstack step that creates it
 * ({@link org.xennet.core.xenbus.VifToolstack}). The two ends of the handshake are
 * {@link org.xennet.core.netfront.XenbusNetFront} and {@link org.xennet.core.netback.XenbusNetBack}.
 */
package org.xennet.core.xenbus;
