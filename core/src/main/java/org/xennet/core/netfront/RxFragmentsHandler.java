package org.xennet.core.netfront;

/**
 * Receives each packet from {@link NetFront#pollRxFragments(RxFragmentsHandler, int)} as its fragments in place
 * (scatter-gather: no reassembly copy). The view is valid only during the call. Implementations should be
 * preallocated and must not throw.
 */
@FunctionalInterface
public interface RxFragmentsHandler
{
    /**
     * Called once per received packet.
     *
     * @param packet the packet's fragments (reused: do not keep it).
     */
    void onPacket(RxFragments packet);
}
