package org.xennet.core.xenbus;

/**
 * XenStore key names of a vif, as {@code io/netif.h}, {@code io/xenbus.h} and the Xen toolstack spell them.
 * <pre>
 *   frontend  /local/domain/&lt;frontDomid&gt;/device/vif/&lt;devid&gt;
 *     backend, backend-id, handle, mac, state                       [toolstack]
 *     tx-ring-ref, rx-ring-ref, event-channel-tx and event-channel-rx
 *     (split) or event-channel (one), request-rx-copy, feature-sg,
 *     feature-no-csum-offload (only when refusing), feature-rx-notify,
 *     feature-gso-tcpv4, feature-gso-tcpv6, feature-ipv6-csum-offload,
 *     multi-queue-num-queues, queue-N/{tx-ring-ref, rx-ring-ref,
 *     event-channel-tx, event-channel-rx | event-channel}, state    [front]
 *   backend   /local/domain/&lt;backDomid&gt;/backend/vif/&lt;frontDomid&gt;/&lt;devid&gt;
 *     frontend, frontend-id, handle, mac, online, state             [toolstack]
 *     feature-rx-copy, feature-sg, feature-split-event-channels
 *     (modern only), feature-gso-tcpv4, feature-gso-tcpv6,
 *     feature-ipv6-csum-offload, multi-queue-max-queues, state, error [back]
 * </pre>
 */
public final class VifKeys
{
    /** Device type directory name. */
    public static final String VIF = "vif";
    /** Both ends: the xenbus state, decimal. */
    public static final String STATE = XenbusStateNode.STATE;
    /** Frontend: absolute path of the backend directory. */
    public static final String BACKEND = "backend";
    /** Frontend: the backend's domain id. */
    public static final String BACKEND_ID = "backend-id";
    /** Backend: absolute path of the frontend directory. */
    public static final String FRONTEND = "frontend";
    /** Backend: the frontend's domain id. */
    public static final String FRONTEND_ID = "frontend-id";
    /** Both: the device id. */
    public static final String HANDLE = "handle";
    /** Both: the MAC address, {@code aa:bb:cc:dd:ee:ff}. */
    public static final String MAC = "mac";
    /** Backend: the toolstack wants the device kept after the frontend closes. */
    public static final String ONLINE = "online";
    /** Frontend: grant ref of the tx ring page. */
    public static final String TX_RING_REF = "tx-ring-ref";
    /** Frontend: grant ref of the rx ring page. */
    public static final String RX_RING_REF = "rx-ring-ref";
    /** Frontend: one event channel for both rings (netif.h; iPXE, or any frontend of a backend without split). */
    public static final String EVENT_CHANNEL = "event-channel";
    /** Frontend: tx event channel port (netif.h split event channels). */
    public static final String EVENT_CHANNEL_TX = "event-channel-tx";
    /** Frontend: rx event channel port (netif.h split event channels). */
    public static final String EVENT_CHANNEL_RX = "event-channel-rx";
    /** Frontend: {@code 1} = rx by grant copy (netback refuses to connect without it, as Linux netback). */
    public static final String REQUEST_RX_COPY = "request-rx-copy";
    /** Frontend: accepts multi-slot (scatter-gather) packets. */
    public static final String FEATURE_SG = "feature-sg";
    /** Frontend: cannot take packets with a blank checksum. */
    public static final String FEATURE_NO_CSUM_OFFLOAD = "feature-no-csum-offload";
    /** Frontend: notifies the backend when it posts rx requests; without it the backend polls for them. */
    public static final String FEATURE_RX_NOTIFY = "feature-rx-notify";
    /** Backend: rx by grant copy is offered (the frontend refuses to connect without it, hardening rule 18). */
    public static final String FEATURE_RX_COPY = "feature-rx-copy";
    /** Backend: split tx/rx event channels are offered. */
    public static final String FEATURE_SPLIT_EVENT_CHANNELS = "feature-split-event-channels";
    /** Both: GSO extra slots of type TCPV4 are taken. */
    public static final String FEATURE_GSO_TCPV4 = "feature-gso-tcpv4";
    /** Both: GSO extra slots of type TCPV6 are taken. */
    public static final String FEATURE_GSO_TCPV6 = "feature-gso-tcpv6";
    /** Both: blank (partial) checksums on IPv6 packets are taken. */
    public static final String FEATURE_IPV6_CSUM_OFFLOAD = "feature-ipv6-csum-offload";
    /** Backend: most queue pairs a frontend may ask for (absent: one queue, flat keys). */
    public static final String MULTI_QUEUE_MAX_QUEUES = "multi-queue-max-queues";
    /** Frontend: queue pairs used (absent: 1); with more than one, the ring and event keys live in queue-N/. */
    public static final String MULTI_QUEUE_NUM_QUEUES = "multi-queue-num-queues";
    /** Backend: why the backend gave up connecting. */
    public static final String ERROR = "error";
    /** Value of a flag that is on. */
    public static final String ON = "1";

    private VifKeys()
    {
    }

    /**
     * @param frontDomid the guest.
     * @param devid      the device id.
     * @return {@code /local/domain/<frontDomid>/device/vif/<devid>}.
     */
    public static String frontendPath(final int frontDomid, final int devid)
    {
        return "/local/domain/" + frontDomid + "/device/" + VIF + "/" + devid;
    }

    /**
     * @param backDomid  the backend domain.
     * @param frontDomid the guest.
     * @param devid      the device id.
     * @return {@code /local/domain/<backDomid>/backend/vif/<frontDomid>/<devid>}.
     */
    public static String backendPath(final int backDomid, final int frontDomid, final int devid)
    {
        return "/local/domain/" + backDomid + "/backend/" + VIF + "/" + frontDomid + "/" + devid;
    }

    /**
     * The name of a per-queue key as Linux's netfront writes it: flat with one queue, {@code queue-N/name} with more.
     *
     * @param queues queue pairs in use.
     * @param queue  this queue's index.
     * @param name   the key, such as {@link #TX_RING_REF}.
     * @return the relative key name.
     */
    public static String queueKey(final int queues, final int queue, final String name)
    {
        return queues == 1 ? name : "queue-" + queue + "/" + name;
    }

    /**
     * Reads a feature flag as Linux's {@code xenbus_read_unsigned(..., 0)} does: absent or not a number is 0.
     *
     * @param text the node's value, or null.
     * @return whether it is a non-zero number.
     */
    public static boolean isOn(final String text)
    {
        return parseU32(text) > 0;
    }

    /**
     * Parses a decimal unsigned 32-bit value strictly (iPXE: {@code strtoul} base 10 consuming everything).
     *
     * @param text the node's value.
     * @return the value, or -1 when the text is not 1..10 ASCII digits within u32.
     */
    public static long parseU32(final String text)
    {
        if (text == null || text.isEmpty() || text.length() > 10)
        {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > 0xFFFF_FFFFL ? -1 : value;
    }

    /**
     * Parses a MAC address {@code aa:bb:cc:dd:ee:ff} (hex, {@code :} separated, as iPXE's probe reads it).
     *
     * @param text the node's value.
     * @return six bytes.
     * @throws IllegalArgumentException when malformed.
     */
    public static byte[] parseMac(final String text)
    {
        final String[] parts = text.split(":", -1);
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("bad mac: value=\"" + text + "\"");
        }
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].length() != 2 || Character.digit(parts[i].charAt(0), 16) < 0 ||
                Character.digit(parts[i].charAt(1), 16) < 0)
            {
                throw new IllegalArgumentException("bad mac: value=\"" + text + "\"");
            }
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
