package org.xennet.grant;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Model of the hypervisor's half of grant-table version choice ({@code GNTTABOP_set_version},
 * {@code GNTTABOP_get_version}) over one domain's grant frames and status frames.
 *
 * <p>{@link #setVersion(int)} succeeds only while no grant is active (no entry with a type, no reading/writing
 * mark), or when the version is already current; a switch converts nothing: both frame buffers are zeroed. It can
 * be configured to refuse always (old hypervisors), and {@link #getVersion()} to be unsupported. Setup-time only,
 * not thread-safe.
 */
public final class GrantTableController
{
    private final AtomicBuffer frames;
    private final AtomicBuffer statusFrames;
    private final boolean setVersionRefused;
    private final boolean getVersionSupported;
    private int version;

    /**
     * Creates a hypervisor model.
     *
     * @param frames              the domain's grant frames (multiple of 4096 bytes).
     * @param statusFrames        status frames for v2, or null when v2 is not offered.
     * @param initialVersion      version reported at start (normally 1; 0 models "not yet specified", other values
     *                            model a hypervisor the negotiator must refuse).
     * @param setVersionRefused   whether {@link #setVersion(int)} always fails ({@link GrantResult#NOT_SUPPORTED}).
     * @param getVersionSupported whether {@link #getVersion()} exists.
     */
    public GrantTableController(
        final AtomicBuffer frames,
        final AtomicBuffer statusFrames,
        final int initialVersion,
        final boolean setVersionRefused,
        final boolean getVersionSupported)
    {
        GrantTable.checkFrames("frames", frames);
        if (null != statusFrames)
        {
            GrantTable.checkFrames("statusFrames", statusFrames);
            if (statusFrames.capacity() / GrantEntryV2Descriptor.STATUS_LENGTH <
                frames.capacity() / GrantEntryV2Descriptor.LENGTH)
            {
                throw new IllegalArgumentException("statusFrames too small: capacity=" + statusFrames.capacity());
            }
        }
        this.frames = frames;
        this.statusFrames = statusFrames;
        this.version = initialVersion;
        this.setVersionRefused = setVersionRefused;
        this.getVersionSupported = getVersionSupported;
    }

    /**
     * A current hypervisor: starts at v1, offers v2, supports both operations.
     *
     * @param frames       grant frames.
     * @param statusFrames status frames for v2.
     * @return the model.
     */
    public static GrantTableController modern(final AtomicBuffer frames, final AtomicBuffer statusFrames)
    {
        return new GrantTableController(frames, statusFrames, 1, false, true);
    }

    /**
     * {@code GNTTABOP_set_version}.
     *
     * @param requested 1 or 2.
     * @return {@link GrantResult#OK}; NOT_SUPPORTED when refused by configuration or v2 has no status frames;
     *         BAD_ARGUMENT for another version; STILL_IN_USE while any grant is active (nothing changes).
     */
    public int setVersion(final int requested)
    {
        if (setVersionRefused)
        {
            return GrantResult.NOT_SUPPORTED;
        }
        if (requested != 1 && requested != 2)
        {
            return GrantResult.BAD_ARGUMENT;
        }
        if (requested == version)
        {
            return GrantResult.OK;
        }
        if (requested == 2 && null == statusFrames)
        {
            return GrantResult.NOT_SUPPORTED;
        }
        if (activeGrants() != 0)
        {
            return GrantResult.STILL_IN_USE; // switching would reinterpret live entries: refuse, convert nothing
        }
        frames.setMemory(0, frames.capacity(), (byte)0);
        if (null != statusFrames)
        {
            statusFrames.setMemory(0, statusFrames.capacity(), (byte)0);
        }
        version = requested;
        return GrantResult.OK;
    }

    /**
     * {@code GNTTABOP_get_version}.
     *
     * @return the current version (as configured, possibly 0 or an odd value), or
     *         {@link GrantResult#NOT_SUPPORTED} when the operation does not exist.
     */
    public int getVersion()
    {
        return getVersionSupported ? version : GrantResult.NOT_SUPPORTED;
    }

    /**
     * Entries with a type or a reading/writing mark, read in the current version's layout (v1 layout unless the
     * version is 2).
     *
     * @return the number of active grants.
     */
    public int activeGrants()
    {
        int active = 0;
        if (version == 2)
        {
            final int count = frames.capacity() / GrantEntryV2Descriptor.LENGTH;
            for (int ref = 0; ref < count; ref++)
            {
                final int flags = frames.getIntVolatile(GrantEntryV2Descriptor.entryOffset(ref));
                final int status = statusFrames.getShortVolatile(GrantEntryV2Descriptor.statusOffset(ref));
                if ((flags & GrantFlags.TYPE_MASK) != 0 || (status & GrantFlags.IN_USE_MASK) != 0)
                {
                    active++;
                }
            }
        }
        else
        {
            final int count = frames.capacity() / GrantEntryV1Descriptor.LENGTH;
            for (int ref = 0; ref < count; ref++)
            {
                final int flags = frames.getIntVolatile(GrantEntryV1Descriptor.entryOffset(ref));
                if ((flags & (GrantFlags.TYPE_MASK | GrantFlags.IN_USE_MASK)) != 0)
                {
                    active++;
                }
            }
        }
        return active;
    }

    /**
     * The grant frames.
     *
     * @return the frames buffer.
     */
    public AtomicBuffer frames()
    {
        return frames;
    }

    /**
     * The status frames.
     *
     * @return the status buffer, or null when v2 is not offered.
     */
    public AtomicBuffer statusFrames()
    {
        return statusFrames;
    }
}
