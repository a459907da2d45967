package org.xennet.core.netback;

/**
 * What a frontend said it can do, read from its xenstore directory at connect (netif.h), and what the backend does
 * without each:
 * <pre>
 *   rxNotify       feature-rx-notify        without: the backend polls for rx requests (Linux netback)
 *   scatterGather  feature-sg               without: no multi-slot rx packet; such a packet is dropped, counted
 *   csumOffload    feature-no-csum-offload  "1" turns it off: no NETRXF_csum_blank; a blank-checksum packet is
 *                  (absent = on)            dropped, counted (xennet computes no checksum in software)
 * </pre>
 *
 * @param rxNotify      the frontend notifies when it posts rx requests.
 * @param scatterGather the frontend accepts multi-slot rx packets.
 * @param csumOffload   the frontend accepts packets with a blank checksum.
 */
public record FrontendFeatures(boolean rxNotify, boolean scatterGather, boolean csumOffload)
{
    /** A frontend that offers everything (xennet's own, Linux's netfront). */
    public static final FrontendFeatures ALL = new FrontendFeatures(true, true, true);
}
