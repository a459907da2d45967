package org.xennet.bench.harness;

/**
 * One benchmark case split into the work of two threads, each step non-blocking: the front counts what
 * completed (packets or round trips), the back does the peer's share. A step that returns 0 found nothing to do
 * and its thread idles. The same steps drive {@code xennet bench} ({@link BenchRunner}) and the JMH benchmarks.
 */
public interface Workload extends AutoCloseable
{
    /**
     * One step of the measured side (producer and completion consumer).
     *
     * @return packets (or round trips) completed in this step; 0 when idle.
     */
    int frontWork();

    /**
     * One step of the peer side.
     *
     * @return work done; 0 when idle.
     */
    int backWork();

    /** @return true when {@link #backWork()} needs its own thread; false for single-thread cases. */
    boolean twoThreads();

    /**
     * A description of anything that went wrong (bad responses, a broken device), or null when all is well.
     *
     * @return the error, or null.
     */
    String error();

    /** Releases what the workload holds (closes devices); idempotent. */
    @Override
    void close();
}
