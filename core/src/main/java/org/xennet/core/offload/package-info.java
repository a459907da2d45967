/**
 * GSO and checksum offload: the per-packet metadata ({@link org.xennet.core.offload.OffloadInfo}) that travels
 * with a packet through the ring ({@code XEN_NETIF_EXTRA_TYPE_GSO}, {@code NETTXF_csum_blank} /
 * {@code NETTXF_data_validated} and the {@code NETRXF_*} twins), the features a peer negotiates in xenstore
 * ({@link org.xennet.core.offload.OffloadFeatures}), and the software fallbacks a Linux peer's stack would apply for
 * a peer without them: checksum completion ({@link org.xennet.core.offload.InetChecksum}) and TCP segmentation
 * ({@link org.xennet.core.offload.TcpSegmenter}). Everything here is allocation-free after construction.
 */
package org.xennet.core.offload;
