package org.xennet.core.shm;

import org.xennet.grant.GrantEntryV2Descriptor;

/**
 * What the creator of a shared device file decides: grant version, guest memory size, domids, frame numbers and
 * the optional xenstore socket.
 *
 * @param grantVersion    1 or 2.
 * @param guestPages      pages of frontend guest memory (1 .. 65536).
 * @param grantFrames     grant frames (1 .. 64): 512 v1 or 256 v2 entries each.
 * @param frontendDomid   frontend domain id.
 * @param backendDomid    backend domain id.
 * @param ringFirstFrame  frame of the tx ring page (the rx ring is the next frame).
 * @param guestFirstFrame frame of guest page 0.
 * @param xenstorePath    xenstore socket path ("" when the in-file state words are the control plane).
 */
public record ShmFileConfig(
    int grantVersion,
    int guestPages,
    int grantFrames,
    int frontendDomid,
    int backendDomid,
    long ringFirstFrame,
    long guestFirstFrame,
    String xenstorePath)
{
    /** Default guest pages: 256 rx buffers, 64 tx buffers of 3 pages, 64 application pages. */
    public static final int DEFAULT_GUEST_PAGES = 512;
    /** Default grant frames: enough refs for two rings and 256 + 256 ids in either version. */
    public static final int DEFAULT_GRANT_FRAMES = 4;

    /**
     * Checks every field.
     */
    public ShmFileConfig
    {
        if (grantVersion != 1 && grantVersion != 2)
        {
            throw new IllegalArgumentException("grant version must be 1 or 2: grantVersion=" + grantVersion);
        }
        if (guestPages < 1 || guestPages > 65536)
        {
            throw new IllegalArgumentException("guest pages out of range: guestPages=" + guestPages);
        }
        if (grantFrames < 1 || grantFrames > 64)
        {
            throw new IllegalArgumentException("grant frames out of range: grantFrames=" + grantFrames);
        }
        if (frontendDomid < 0 || frontendDomid > 0x7FEF || backendDomid < 0 || backendDomid > 0x7FEF)
        {
            throw new IllegalArgumentException(
                "domid out of range: frontendDomid=" + frontendDomid + ", backendDomid=" + backendDomid);
        }
        if (ringFirstFrame < 0 || guestFirstFrame < 0 || overlaps(ringFirstFrame, guestFirstFrame, guestPages))
        {
            throw new IllegalArgumentException("frames out of range or overlapping: ringFirstFrame=" + ringFirstFrame +
                ", guestFirstFrame=" + guestFirstFrame);
        }
        if (xenstorePath == null || xenstorePath.length() >= ShmFileDescriptor.XENSTORE_PATH_LENGTH)
        {
            throw new IllegalArgumentException("xenstore path too long: xenstorePath=" + xenstorePath);
        }
    }

    private static boolean overlaps(final long ringFirstFrame, final long guestFirstFrame, final int guestPages)
    {
        return ringFirstFrame + ShmFileDescriptor.RING_PAGES > guestFirstFrame &&
            guestFirstFrame + guestPages > ringFirstFrame;
    }

    /**
     * The defaults: grant version {@code grantVersion}, 512 guest pages, frontend domid 1, backend domid 0,
     * ring frames at 0x1000, guest frames at 0x10000, no xenstore.
     *
     * @param grantVersion 1 or 2.
     * @return the configuration.
     */
    public static ShmFileConfig defaults(final int grantVersion)
    {
        return new ShmFileConfig(grantVersion, DEFAULT_GUEST_PAGES, DEFAULT_GRANT_FRAMES, 1, 0, 0x1000, 0x10000, "");
    }

    /**
     * Status frames a v2 table with {@link #grantFrames()} frames needs (one page holds 2048 entries).
     *
     * @return status frame count (at least 1, also reserved with version 1 so the layout does not depend on it).
     */
    public int statusFrames()
    {
        final int entries = grantFrames * GrantEntryV2Descriptor.ENTRIES_PER_FRAME;
        return Math.max(1, (entries + GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME - 1) /
            GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME);
    }
}
