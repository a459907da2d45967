package org.xennet.core.event;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdleModeTest
{
    @Test
    void shouldParseEveryOptionNameBackToItsMode()
    {
        for (final IdleMode mode : IdleMode.values())
        {
            assertEquals(mode, IdleMode.fromOptionName(mode.optionName()));
            assertEquals(mode, IdleMode.fromOptionName(mode.name()));
        }
        assertEquals("backoff, busy-spin, yield, park", IdleMode.OPTION_NAMES);
        assertInstanceOf(BusySpinIdleStrategy.class, IdleMode.fromOptionName("busy-spin").newIdleStrategy());
        assertInstanceOf(YieldingIdleStrategy.class, IdleMode.fromOptionName("yield").newIdleStrategy());
    }

    @Test
    void shouldNameTheAcceptedNamesForAnUnknownOne()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> IdleMode.fromOptionName("busy"));

        assertEquals("unknown idle mode: idle=busy (expected backoff, busy-spin, yield, park)", e.getMessage());
    }
}
