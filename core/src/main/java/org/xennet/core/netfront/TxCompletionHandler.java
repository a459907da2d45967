package org.xennet.core.netfront;

/**
 * Receives each completed tx packet from {@link NetFront#pollTx(TxCompletionHandler, int)}. Implementations
 * should be preallocated (no capturing lambdas on the hot path) and must not throw.
 */
@FunctionalInterface
public interface TxCompletionHandler
{
    /**
     * Called once per packet when the backend has answered every fragment.
     *
     * @param offset offset of the packet in guest memory (as given to transmit, or the claim's offset).
     * @param length packet length in bytes.
     * @param status {@code NETIF_RSP_OKAY} (0), {@code NETIF_RSP_ERROR} (-1) or {@code NETIF_RSP_DROPPED} (-2):
     *               the worst status over the packet's fragments.
     */
    void onTxComplete(int offset, int length, int status);
}
