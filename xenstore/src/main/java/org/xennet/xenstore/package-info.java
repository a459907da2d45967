/**
 * XenStore: the {@link org.xennet.xenstore.XenStore} API, a thread-safe in-memory store, and a server and
 * client speaking the {@code io/xs_wire.h} protocol over a UNIX domain socket.
 */
package org.xennet.xenstore;
