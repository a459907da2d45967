/**
 * The front door for embedding: {@link org.xennet.core.pipe.XenPipe}, a one-way packet pipe between two threads
 * over the Xen netif path, with the backend run as an Agrona agent.
 */
package org.xennet.core.pipe;
