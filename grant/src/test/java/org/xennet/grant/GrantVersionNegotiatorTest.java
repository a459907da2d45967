package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

class GrantVersionNegotiatorTest
{
    private final AtomicBuffer frames = GrantTestSupport.pages(1);
    private final AtomicBuffer statusFrames = GrantTestSupport.pages(1);

    @Test
    void shouldChooseV1OnModernHypervisor()
    {
        final GrantTableController controller = GrantTableController.modern(frames, statusFrames);
        final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
        assertInstanceOf(GrantTableV1.class, negotiator.negotiateTable());
        assertEquals(GrantResult.OK, negotiator.setVersionResult());
        assertEquals(1, negotiator.reportedVersion());
    }

    @Test
    void shouldSwitchFromV2ToV1WhenNoGrantIsActive()
    {
        final GrantTableController controller = new GrantTableController(frames, statusFrames, 2, false, true);
        assertEquals(1, new GrantVersionNegotiator(controller).negotiate());
        assertEquals(1, controller.getVersion());
    }

    @Test
    void shouldStayOnV2WhenSetVersionIsRefusedWhileGrantsAreLive()
    {
        final GrantTableController controller = new GrantTableController(frames, statusFrames, 2, false, true);
        final GrantTableV2 v2 = new GrantTableV2(frames, statusFrames);
        assertEquals(GrantResult.OK, v2.permitAccess(9, 1, 0x1_0000_0000L, false));
        final byte[] before = GrantTestSupport.bytes(frames);

        final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
        assertInstanceOf(GrantTableV2.class, negotiator.negotiateTable());
        assertEquals(GrantResult.STILL_IN_USE, negotiator.setVersionResult());
        assertEquals(1, controller.activeGrants());
        assertArrayEquals(before, GrantTestSupport.bytes(frames), "nothing converted");
    }

    @Test
    void shouldTreatStatusMarksAsActiveGrants()
    {
        final GrantTableController controller = new GrantTableController(frames, statusFrames, 2, false, true);
        new GrantStatusFlyweight().wrap(statusFrames, GrantEntryV2Descriptor.statusOffset(20))
            .status(GrantFlags.READING);
        assertEquals(GrantResult.STILL_IN_USE, controller.setVersion(1));
        assertEquals(2, controller.getVersion());
    }

    @Test
    void shouldAssumeV1WhenGetVersionIsUnsupported()
    {
        final GrantTableController controller = new GrantTableController(frames, null, 1, true, false);
        final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
        assertEquals(1, negotiator.negotiate());
        assertEquals(GrantResult.NOT_SUPPORTED, negotiator.setVersionResult());
        assertEquals(GrantResult.NOT_SUPPORTED, negotiator.reportedVersion());
    }

    @Test
    void shouldTreatVersionZeroAsV1()
    {
        final GrantTableController controller = new GrantTableController(frames, statusFrames, 0, true, true);
        assertEquals(1, new GrantVersionNegotiator(controller).negotiate());
    }

    @Test
    void shouldUseV2WhenHypervisorAlwaysRefusesAndReportsV2()
    {
        final GrantTableController controller = new GrantTableController(frames, statusFrames, 2, true, true);
        final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
        assertInstanceOf(GrantTableV2.class, negotiator.negotiateTable());
        assertEquals(GrantResult.NOT_SUPPORTED, negotiator.setVersionResult());
    }

    @Test
    void shouldFailClearlyOnUnknownVersion()
    {
        for (final int odd : new int[] {3, 7, -1, Integer.MAX_VALUE})
        {
            final GrantTableController controller = new GrantTableController(frames, statusFrames, odd, true, true);
            final GrantVersionNegotiator negotiator = new GrantVersionNegotiator(controller);
            assertEquals(GrantResult.UNKNOWN_VERSION, negotiator.negotiate());
            final IllegalStateException ex = assertThrows(IllegalStateException.class, negotiator::negotiateTable);
            assertTrue(ex.getMessage().contains("version=" + odd), ex.getMessage());
        }
    }

    @Test
    void shouldRefuseBadVersionsAndV2WithoutStatusFrames()
    {
        final GrantTableController controller = new GrantTableController(frames, null, 1, false, true);
        assertEquals(GrantResult.BAD_ARGUMENT, controller.setVersion(3));
        assertEquals(GrantResult.BAD_ARGUMENT, controller.setVersion(0));
        assertEquals(GrantResult.NOT_SUPPORTED, controller.setVersion(2));
        assertEquals(1, controller.getVersion());
    }

    @Test
    void shouldZeroFramesOnSwitchAndAllowSameVersionWithLiveGrants()
    {
        final GrantTableController controller = GrantTableController.modern(frames, statusFrames);
        final GrantTableV1 v1 = new GrantTableV1(frames);
        frames.putInt(4004, -1); // stale frame of an invalid v1 entry (flags 0)
        assertEquals(GrantResult.OK, controller.setVersion(2));
        assertEquals(0, frames.getInt(4004), "a switch converts nothing and leaves no stale entry bytes");
        assertEquals(GrantResult.OK, controller.setVersion(1));
        assertEquals(GrantResult.OK, v1.permitAccess(8, 1, 1, false));
        assertEquals(GrantResult.OK, controller.setVersion(1), "same version: nothing to do");
        assertEquals(GrantResult.STILL_IN_USE, controller.setVersion(2));
        assertEquals(GrantResult.OK, v1.endAccess(8));
        assertEquals(GrantResult.OK, controller.setVersion(2));
    }
}
