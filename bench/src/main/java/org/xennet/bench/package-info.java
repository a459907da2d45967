/**
 * JMH benchmarks of the xennet ring protocol and packet path, side by side with peers.
 */
package org.xennet.bench;
