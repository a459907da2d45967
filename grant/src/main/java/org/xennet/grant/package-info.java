/**
 * Xen grant tables v1 and v2 ({@code grant_table.h}) over Agrona buffers.
 */
package org.xennet.grant;
