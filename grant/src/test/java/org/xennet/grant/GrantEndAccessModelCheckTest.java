package org.xennet.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exhaustive interleavings, at shared-access granularity, of the owner's {@code endAccess} against a backend's
 * grant copies ({@link GrantAccess}) on the real classes: no interleaving lets {@code endAccess} return OK while a
 * copy is between its mark and its unmark. Planted variants that check then write (no compare-and-swap in v1,
 * status read before the flags are cleared in v2) are shown to fail, so the explorer can find the race.
 */
class GrantEndAccessModelCheckTest
{
    private static final int BACKEND = 1;
    private static final int REF = 9;
    private static final long FRAME = 77;
    private static final int MAX_RUNS = 200_000;

    private final InterleavingExplorer explorer = new InterleavingExplorer();

    @ParameterizedTest(name = "v{0}, write={1}")
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void shouldNeverEndGrantWhileCopyInProgress(final int version, final boolean write)
    {
        final int runs = explorer.exploreAll(() -> new Scenario(version, write, false), MAX_RUNS);
        System.out.println("v" + version + " endAccess vs " + (write ? "write" : "read") + " copy: " + runs +
            " interleavings");
        assertTrue(runs > 50, "too few interleavings to mean anything: " + runs);
    }

    @Test
    void shouldFindRaceInPlantedV1EndAccessWithoutCompareAndSwap()
    {
        final InterleavingExplorer.Violation violation = assertThrows(InterleavingExplorer.Violation.class,
            () -> explorer.exploreAll(() -> new Scenario(1, false, true), MAX_RUNS));
        assertTrue(violation.getMessage().contains("while a copy"), violation.getMessage());
        System.out.println("planted v1: " + violation.getMessage());
    }

    @Test
    void shouldFindRaceInPlantedV2EndAccessReadingStatusFirst()
    {
        final InterleavingExplorer.Violation violation = assertThrows(InterleavingExplorer.Violation.class,
            () -> explorer.exploreAll(() -> new Scenario(2, false, true), MAX_RUNS));
        assertTrue(violation.getMessage().contains("while a copy"), violation.getMessage());
        System.out.println("planted v2: " + violation.getMessage());
    }

    /** Owner ends the grant (at most twice); the backend reads or writes the page once through GrantAccess. */
    private final class Scenario implements InterleavingExplorer.Execution
    {
        private final GrantTable table;
        private final AtomicBuffer frames;
        private final AtomicBuffer statusFrames;
        private final GrantAccess access;
        private final IntSupplier endAccess;
        private final UnsafeBuffer data = new UnsafeBuffer(new byte[8]);
        private boolean copyInside;
        private boolean endedWhileInside;
        private int endResult = Integer.MIN_VALUE;
        private final boolean write;
        private int copyResult = Integer.MIN_VALUE;
        private final UnsafeBuffer destinationForRead;

        Scenario(final int version, final boolean write, final boolean planted)
        {
            this.write = write;
            frames = new InterleavingExplorer.ScheduledBuffer(GrantTestSupport.pages(1), explorer);
            statusFrames = new InterleavingExplorer.ScheduledBuffer(GrantTestSupport.pages(1), explorer);
            table = version == 1 ? new GrantTableV1(frames) : new GrantTableV2(frames, statusFrames);
            assertEquals(GrantResult.OK, table.permitAccess(REF, BACKEND, FRAME, false)); // unscheduled set-up
            final UnsafeBuffer page = new UnsafeBuffer(GrantTestSupport.pages(1))
            {
                @Override
                public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
                {
                    explorer.pause(); // the copy touches the granted page: the owner may run meanwhile
                    super.putBytes(index, src, srcIndex, length);
                    copyInside = false; // write copy done; unmark follows
                }
            };
            final UnsafeBuffer destination = new UnsafeBuffer(new byte[8])
            {
                @Override
                public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
                {
                    explorer.pause(); // the copy reads the granted page: the owner may run meanwhile
                    super.putBytes(index, src, srcIndex, length);
                    copyInside = false; // read copy done; unmark follows
                }
            };
            access = new GrantAccess(table, BACKEND, new FrameMapper()
            {
                public long pageOffset(final long frame)
                {
                    copyInside = true; // GrantAccess looks the frame up only after marking
                    return frame == FRAME ? 0 : -1;
                }

                public AtomicBuffer buffer()
                {
                    return page;
                }
            });
            data.putLong(0, 42);
            if (!planted)
            {
                endAccess = () -> table.endAccess(REF);
            }
            else if (version == 1)
            {
                endAccess = this::plantedV1EndAccess;
            }
            else
            {
                endAccess = this::plantedV2EndAccess;
            }
            this.destinationForRead = destination;
        }

        @Override
        public List<Runnable> threads()
        {
            final Runnable owner = () ->
            {
                int result = endAccess.getAsInt();
                endedWhileInside |= result == GrantResult.OK && copyInside; // backend is paused right now
                if (result == GrantResult.STILL_IN_USE)
                {
                    result = endAccess.getAsInt();
                    endedWhileInside |= result == GrantResult.OK && copyInside;
                }
                endResult = result;
            };
            final Runnable backend = () ->
            {
                copyResult = write ? access.copyToGrant(REF, 0, data, 0, 8) :
                    access.copyFromGrant(REF, 0, destinationForRead, 0, 8);
            };
            return List.of(owner, backend);
        }

        @Override
        public void checkFinal()
        {
            if (endedWhileInside)
            {
                throw new AssertionError("endAccess returned OK while a copy was in progress");
            }
            assertFalse(table.isInUse(REF), "marks left after the copies");
            assertTrue(copyResult == GrantConstants.GNTST_OKAY ||
                copyResult == GrantConstants.GNTST_PERMISSION_DENIED ||
                copyResult == GrantConstants.GNTST_GENERAL_ERROR, "copy result " + copyResult);
            assertTrue(endResult == GrantResult.OK || endResult == GrantResult.STILL_IN_USE, "end " + endResult);
            if (endResult == GrantResult.OK)
            {
                final int entry = table.version() == 1 ? GrantEntryV1Descriptor.entryOffset(REF) :
                    GrantEntryV2Descriptor.entryOffset(REF);
                assertEquals(GrantFlags.INVALID, frames.getShort(entry) & GrantFlags.TYPE_MASK, "entry ended");
            }
        }

        /** iPXE-style check-then-write: reads flags, then stores flags 0 without compare-and-swap. */
        private int plantedV1EndAccess()
        {
            final int offset = GrantEntryV1Descriptor.entryOffset(REF);
            final int word = frames.getIntVolatile(offset);
            if ((word & GrantFlags.IN_USE_MASK) != 0)
            {
                return GrantResult.STILL_IN_USE;
            }
            frames.putIntVolatile(offset, word & 0xFFFF_0000);
            return GrantResult.OK;
        }

        /** Wrong order: reads the status before invalidating the flags. */
        private int plantedV2EndAccess()
        {
            final int status = statusFrames.getShortVolatile(GrantEntryV2Descriptor.statusOffset(REF));
            if ((status & GrantFlags.IN_USE_MASK) != 0)
            {
                return GrantResult.STILL_IN_USE;
            }
            frames.putShort(GrantEntryV2Descriptor.entryOffset(REF), (short)0);
            return GrantResult.OK;
        }
    }
}
