package org.xennet.tap;

/**
 * How to open a {@link TapDevice}: its name, the network namespace it lives in, the virtio-net header and the
 * offloads announced with {@code TUNSETOFFLOAD}, and whether it is one queue of a multi-queue TAP.
 */
public final class TapConfig
{
    private String name;
    private String netns;
    private boolean vnetHeader = true;
    private int offload;
    private boolean multiQueue;

    /** @return the interface name. */
    public String name()
    {
        return name;
    }

    /**
     * @param v the interface name (1..15 characters): attached when it exists, created (non-persistent) otherwise.
     * @return this.
     */
    public TapConfig name(final String v)
    {
        if (null == v || v.isEmpty() || v.length() >= LibC.IFNAMSIZ || v.contains("/") || v.contains(" "))
        {
            throw new IllegalArgumentException("bad TAP name (1..15 characters, no '/' or space): " + v);
        }
        name = v;
        return this;
    }

    /** @return the network namespace name ({@code ip netns}), or {@code null} for this process's. */
    public String netns()
    {
        return netns;
    }

    /**
     * @param v the named network namespace ({@code /var/run/netns/v}) to find or create the TAP in, or {@code null}.
     * @return this.
     */
    public TapConfig netns(final String v)
    {
        if (null != v && (v.isEmpty() || v.contains("/")))
        {
            throw new IllegalArgumentException("bad network namespace name: " + v);
        }
        netns = v;
        return this;
    }

    /** @return whether frames carry a {@code virtio_net_hdr} ({@code IFF_VNET_HDR}). */
    public boolean vnetHeader()
    {
        return vnetHeader;
    }

    /**
     * @param v whether to open with {@code IFF_VNET_HDR} (default true).
     * @return this.
     */
    public TapConfig vnetHeader(final boolean v)
    {
        vnetHeader = v;
        return this;
    }

    /** @return the {@code TUN_F_*} offload flags. */
    public int offload()
    {
        return offload;
    }

    /**
     * @param v {@code TUN_F_*} flags for {@code TUNSETOFFLOAD} (0: the kernel segments and checksums every frame;
     *          needs {@link #vnetHeader} when non-zero).
     * @return this.
     */
    public TapConfig offload(final int v)
    {
        offload = v;
        return this;
    }

    /** @return whether the TAP is opened with {@code IFF_MULTI_QUEUE}. */
    public boolean multiQueue()
    {
        return multiQueue;
    }

    /**
     * @param v open with {@code IFF_MULTI_QUEUE}: each {@link TapDevice} opened on the same name is one queue.
     * @return this.
     */
    public TapConfig multiQueue(final boolean v)
    {
        multiQueue = v;
        return this;
    }

    @Override
    public String toString()
    {
        return "TapConfig{name=" + name + ", netns=" + netns + ", vnetHeader=" + vnetHeader + ", offload=0x" +
            Integer.toHexString(offload) + ", multiQueue=" + multiQueue + '}';
    }
}
