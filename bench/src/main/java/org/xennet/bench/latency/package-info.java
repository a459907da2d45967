/**
 * Latency benchmarks: one request in flight, round trips sampled by JMH over the CLI's
 * {@link org.xennet.bench.harness.LatencyProbe}s.
 */
package org.xennet.bench.latency;
