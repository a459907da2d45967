package org.xennet.bench.harness;

import java.util.List;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.xennet.core.event.IdleMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchIdleTest
{
    @Test
    void shouldTakeTheSameNamesAsEveryIdleOption()
    {
        assertEquals(List.of(IdleMode.OPTION_NAMES.split(", ")),
            List.of(BenchIdle.BACKOFF, BenchIdle.BUSY, BenchIdle.YIELD, BenchIdle.PARK));
        for (final IdleMode mode : IdleMode.values())
        {
            BenchIdle.create(mode.optionName());
        }
        assertInstanceOf(BusySpinIdleStrategy.class, BenchIdle.create("busy-spin"));
        assertInstanceOf(SleepingIdleStrategy.class, BenchIdle.create("park"));
        assertThrows(IllegalArgumentException.class, () -> BenchIdle.create("busy"));
    }
}
