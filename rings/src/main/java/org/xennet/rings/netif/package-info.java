/**
 * Xen netif ({@code io/netif.h}) slot layouts, flyweights and constants, and the TX/RX ring shapes.
 */
package org.xennet.rings.netif;
