/**
 * Xen shared I/O rings ({@code io/ring.h}) and the netif slot layouts ({@code io/netif.h}) over Agrona buffers.
 */
package org.xennet.rings;
