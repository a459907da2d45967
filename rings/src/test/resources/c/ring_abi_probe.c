/*
 * ABI probe for xennet's rings module: prints "NAME VALUE" lines for the shared ring header, the netif slot
 * structs and the netif constants, computed by gcc from Debian's libxen-dev headers. Names are spelled exactly
 * like xen-abi-reference.txt so the Java tests can look every fact up by name.
 */
#include <stddef.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

#define SIZE(t) printf("sizeof(%s) %zu\n", #t, sizeof(t))
#define ALIGN(t) printf("alignof(%s) %zu\n", #t, _Alignof(t))
#define FIELD(t, f) do { \
        printf("offsetof(%s,%s) %zu\n", #t, #f, offsetof(t, f)); \
        printf("sizeof(%s.%s) %zu\n", #t, #f, sizeof(((t *)0)->f)); \
    } while (0)
#define CONST(c) printf("%s %lld\n", #c, (long long)(c))

#define SRING(s) do { \
        SIZE(struct s); \
        ALIGN(struct s); \
        FIELD(struct s, req_prod); \
        FIELD(struct s, req_event); \
        FIELD(struct s, rsp_prod); \
        FIELD(struct s, rsp_event); \
        FIELD(struct s, pvt); \
        FIELD(struct s, pvt.netif.smartpoll_active); \
        FIELD(struct s, pvt.pvt_pad); \
        FIELD(struct s, __pad); \
        printf("offsetof(%s,ring) %zu\n", "struct " #s, offsetof(struct s, ring)); \
        printf("sizeof(%s.ring[0]) %zu\n", "struct " #s, sizeof(((struct s *)0)->ring[0])); \
    } while (0)

int main(void)
{
    SIZE(RING_IDX);
    SIZE(grant_ref_t);

    SIZE(struct netif_tx_request);
    ALIGN(struct netif_tx_request);
    FIELD(struct netif_tx_request, gref);
    FIELD(struct netif_tx_request, offset);
    FIELD(struct netif_tx_request, flags);
    FIELD(struct netif_tx_request, id);
    FIELD(struct netif_tx_request, size);
    SIZE(struct netif_tx_response);
    ALIGN(struct netif_tx_response);
    FIELD(struct netif_tx_response, id);
    FIELD(struct netif_tx_response, status);
    SIZE(struct netif_rx_request);
    ALIGN(struct netif_rx_request);
    FIELD(struct netif_rx_request, id);
    FIELD(struct netif_rx_request, pad);
    FIELD(struct netif_rx_request, gref);
    SIZE(struct netif_rx_response);
    ALIGN(struct netif_rx_response);
    FIELD(struct netif_rx_response, id);
    FIELD(struct netif_rx_response, offset);
    FIELD(struct netif_rx_response, flags);
    FIELD(struct netif_rx_response, status);
    SIZE(struct netif_extra_info);
    ALIGN(struct netif_extra_info);
    FIELD(struct netif_extra_info, type);
    FIELD(struct netif_extra_info, flags);
    FIELD(struct netif_extra_info, u);
    FIELD(struct netif_extra_info, u.gso);
    FIELD(struct netif_extra_info, u.gso.size);
    FIELD(struct netif_extra_info, u.gso.type);
    FIELD(struct netif_extra_info, u.gso.pad);
    FIELD(struct netif_extra_info, u.gso.features);
    FIELD(struct netif_extra_info, u.mcast);
    FIELD(struct netif_extra_info, u.mcast.addr);
    FIELD(struct netif_extra_info, u.hash);
    FIELD(struct netif_extra_info, u.hash.type);
    FIELD(struct netif_extra_info, u.hash.algorithm);
    FIELD(struct netif_extra_info, u.hash.value);
    FIELD(struct netif_extra_info, u.pad);

    SIZE(union netif_tx_sring_entry);
    SIZE(union netif_rx_sring_entry);
    SRING(netif_tx_sring);
    SRING(netif_rx_sring);
    printf("__CONST_RING_SIZE(netif_tx,4096) %lu\n", (unsigned long)__CONST_RING_SIZE(netif_tx, 4096));
    printf("__CONST_RING_SIZE(netif_rx,4096) %lu\n", (unsigned long)__CONST_RING_SIZE(netif_rx, 4096));
    printf("__CONST_RING_SIZE(xen_netif_ctrl,4096) %lu\n", (unsigned long)__CONST_RING_SIZE(xen_netif_ctrl, 4096));
    SIZE(struct netif_tx_front_ring);
    FIELD(struct netif_tx_front_ring, req_prod_pvt);
    FIELD(struct netif_tx_front_ring, rsp_cons);
    SIZE(struct netif_tx_back_ring);
    FIELD(struct netif_tx_back_ring, rsp_prod_pvt);
    FIELD(struct netif_tx_back_ring, req_cons);

    CONST(_NETTXF_csum_blank);
    CONST(NETTXF_csum_blank);
    CONST(_NETTXF_data_validated);
    CONST(NETTXF_data_validated);
    CONST(_NETTXF_more_data);
    CONST(NETTXF_more_data);
    CONST(_NETTXF_extra_info);
    CONST(NETTXF_extra_info);
    CONST(_NETRXF_data_validated);
    CONST(NETRXF_data_validated);
    CONST(_NETRXF_csum_blank);
    CONST(NETRXF_csum_blank);
    CONST(_NETRXF_more_data);
    CONST(NETRXF_more_data);
    CONST(_NETRXF_extra_info);
    CONST(NETRXF_extra_info);
    CONST(_NETRXF_gso_prefix);
    CONST(NETRXF_gso_prefix);
    CONST(XEN_NETIF_EXTRA_TYPE_NONE);
    CONST(XEN_NETIF_EXTRA_TYPE_GSO);
    CONST(XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
    CONST(XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
    CONST(XEN_NETIF_EXTRA_TYPE_HASH);
    CONST(XEN_NETIF_EXTRA_TYPE_MAX);
    CONST(_XEN_NETIF_EXTRA_FLAG_MORE);
    CONST(XEN_NETIF_EXTRA_FLAG_MORE);
    CONST(XEN_NETIF_GSO_TYPE_NONE);
    CONST(XEN_NETIF_GSO_TYPE_TCPV4);
    CONST(XEN_NETIF_GSO_TYPE_TCPV6);
    CONST(NETIF_RSP_DROPPED);
    CONST(NETIF_RSP_ERROR);
    CONST(NETIF_RSP_OKAY);
    CONST(NETIF_RSP_NULL);
    CONST(XEN_NETIF_NR_SLOTS_MIN);
    CONST(XEN_NETIF_MAX_TX_SIZE);
    return 0;
}
