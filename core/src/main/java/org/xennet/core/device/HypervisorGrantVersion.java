package org.xennet.core.device;

import java.util.Locale;

import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.memory.GuestMemory;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.grant.GrantResult;
import org.xennet.grant.GrantTable;
import org.xennet.grant.GrantTableController;
import org.xennet.grant.GrantVersionNegotiator;

/**
 * What the hypervisor offers a guest for its grant table, as a configuration of the {@link GrantTableController}
 * model. A guest's table is always created by iPXE's run-time policy ({@link GrantVersionNegotiator}): ask for v1,
 * then use whatever version the hypervisor reports.
 * <pre>
 *   MODERN     v1 current, v2 offered, set_version allowed while no grant is active     -> v1
 *   V2_LOCKED  v2 current and a grant already active (left by an earlier boot stage):
 *              set_version(1) refused (STILL_IN_USE)                                     -> v2
 *   V2_ONLY    v2 current, set_version not supported                                     -> v2
 *   V1_ONLY    an old hypervisor: v1 only, get_version not supported                     -> v1
 * </pre>
 */
public enum HypervisorGrantVersion
{
    /** A current hypervisor: the policy's v1 request succeeds. */
    MODERN,
    /** v2 is current and grants exist, so the version cannot be changed any more. */
    V2_LOCKED,
    /** Only v2: set_version is refused. */
    V2_ONLY,
    /** An old hypervisor without v2 or get_version. */
    V1_ONLY;

    /**
     * The outcome of the policy: the table and why its version was chosen.
     *
     * @param table   the guest's grant table in the chosen layout.
     * @param version 1 or 2.
     * @param reason  one line: the hypervisor's answers that led to the version.
     */
    public record Choice(GrantTable table, int version, String reason)
    {
    }

    /**
     * Parses a CLI value: {@code modern}, {@code v2-locked}, {@code v2-only}, {@code v1-only} (case-insensitive).
     *
     * @param text the value.
     * @return the model.
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static HypervisorGrantVersion parse(final String text)
    {
        try
        {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("hypervisor grant version must be modern, v2-locked, v2-only or " +
                "v1-only: value=\"" + text + "\"", ex);
        }
    }

    /** @return the CLI spelling ({@code v2-locked}). */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Creates a guest's grant table with at least {@code entries} entries the way a guest does at boot: the
     * hypervisor in this configuration, then iPXE's policy (set_version(1), get_version, use the answer).
     *
     * @param entries entries wanted (reserved ones included).
     * @return the table, its version and why.
     */
    public Choice createGrantTable(final int entries)
    {
        final int frames = (entries + GrantEntryV2Descriptor.ENTRIES_PER_FRAME - 1) /
            GrantEntryV2Descriptor.ENTRIES_PER_FRAME; // v2 entries are larger: enough frames for either layout
        final int statusFrames = (frames * GrantEntryV2Descriptor.ENTRIES_PER_FRAME +
            GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME - 1) / GrantEntryV2Descriptor.STATUS_ENTRIES_PER_FRAME;
        final AtomicBuffer frameBuffer = pages(frames);
        final AtomicBuffer statusBuffer = this == V1_ONLY ? null : pages(statusFrames);
        final GrantTableController controller = switch (this)
        {
            case MODERN -> GrantTableController.modern(frameBuffer, statusBuffer);
            case V2_LOCKED -> new GrantTableController(frameBuffer, statusBuffer, 2, false, true);
            case V2_ONLY -> new GrantTableController(frameBuffer, statusBuffer, 2, true, true);
            case V1_ONLY -> new GrantTableController(frameBuffer, null, 1, true, false);
        };
        if (this == V2_LOCKED)
        {
            // An earlier stage (the toolstack's xenstore page grant) left its reserved entry active in v2 layout.
            final int entry = GrantEntryV2Descriptor.entryOffset(GrantConstants.RESERVED_XENSTORE);
            frameBuffer.putShort(entry + GrantEntryV2Descriptor.DOMID_OFFSET, (short)0);
            frameBuffer.putShortVolatile(entry + GrantEntryV2Descriptor.FLAGS_OFFSET, (short)GrantFlags.PERMIT_ACCESS);
        }
        final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
        final GrantTable table = negotiator.negotiateTable();
        final String reason = "hypervisor " + cliName() + ": set_version(" + GrantVersionNegotiator.TRY_VERSION +
            ") " + GrantResult.resultString(negotiator.setVersionResult()) + ", get_version " +
            (negotiator.reportedVersion() == GrantResult.NOT_SUPPORTED ? "not supported (means v1)" :
            "reports v" + negotiator.reportedVersion());
        return new Choice(table, table.version(), reason);
    }

    private static AtomicBuffer pages(final int count)
    {
        return new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(count * GuestMemory.PAGE_LENGTH, GuestMemory.PAGE_LENGTH));
    }
}
