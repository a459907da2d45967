package org.xennet.grant;

/**
 * The guest's grant-table version choice, with iPXE's policy ({@code xengrant_init}): ask for v1; whatever the
 * answer, ask the current version; unsupported, 0 or 1 mean v1, 2 means v2, anything else is an error.
 *
 * <p>v1 is preferred because some guests' drivers only understand v1 and some hypervisors refuse to change version
 * once grants exist; its cost is frames limited to 32 bits ({@link GrantResult#FRAME_OUT_OF_RANGE}) and no
 * sub-page grants. Setup-time only.
 */
public final class GrantVersionNegotiator
{
    /** Version asked for first ({@code XENGRANT_TRY_VERSION}). */
    public static final int TRY_VERSION = 1;

    private final GrantTableController controller;
    private int setVersionResult = Integer.MIN_VALUE;
    private int reportedVersion = Integer.MIN_VALUE;

    /**
     * Creates a negotiator against a hypervisor model.
     *
     * @param controller the hypervisor's side.
     */
    public GrantVersionNegotiator(final GrantTableController controller)
    {
        if (null == controller)
        {
            throw new IllegalArgumentException("controller must not be null");
        }
        this.controller = controller;
    }

    /**
     * Runs the negotiation.
     *
     * @return 1 or 2, or {@link GrantResult#UNKNOWN_VERSION} when the hypervisor reports another version.
     */
    public int negotiate()
    {
        // a refused set_version is only noted: use whatever version is current
        setVersionResult = controller.setVersion(TRY_VERSION);
        reportedVersion = controller.getVersion();
        switch (reportedVersion)
        {
            case GrantResult.NOT_SUPPORTED: // older hypervisors lack get_version: they only know v1
            case 0:                         // "not yet specified"
            case 1:
                return 1;
            case 2:
                return 2;
            default:
                return GrantResult.UNKNOWN_VERSION;
        }
    }

    /**
     * Negotiates and builds the guest's table over the controller's frames in the chosen layout.
     *
     * @return a {@link GrantTableV1} or {@link GrantTableV2}.
     * @throws IllegalStateException if the hypervisor reports an unknown version, or v2 without status frames.
     */
    public GrantTable negotiateTable()
    {
        final int version = negotiate();
        if (version == 2)
        {
            if (null == controller.statusFrames())
            {
                throw new IllegalStateException("grant table v2 reported but no status frames: version=2");
            }
            return new GrantTableV2(controller.frames(), controller.statusFrames());
        }
        if (version == 1)
        {
            return new GrantTableV1(controller.frames());
        }
        throw new IllegalStateException("grant table version not supported: version=" + reportedVersion);
    }

    /**
     * Result of the last {@code set_version} attempt.
     *
     * @return a {@link GrantResult} code, or {@link Integer#MIN_VALUE} before {@link #negotiate()}.
     */
    public int setVersionResult()
    {
        return setVersionResult;
    }

    /**
     * Answer of the last {@code get_version}.
     *
     * @return the version reported, {@link GrantResult#NOT_SUPPORTED}, or {@link Integer#MIN_VALUE} before
     *         {@link #negotiate()}.
     */
    public int reportedVersion()
    {
        return reportedVersion;
    }
}
