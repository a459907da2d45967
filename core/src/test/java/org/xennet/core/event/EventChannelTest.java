package org.xennet.core.event;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventChannelTest
{
    @Test
    void shouldSetThePeersPendingBitAndCollapseRepeatedNotifications()
    {
        final LocalEventChannel[] pair = LocalEventChannel.pair(1, 2);
        assertFalse(pair[1].pending());
        assertTrue(pair[0].notifyPeer());
        assertTrue(pair[0].notifyPeer());
        assertFalse(pair[0].pending());
        assertTrue(pair[1].pending());
        assertTrue(pair[1].consume());
        assertFalse(pair[1].consume());
        assertEquals(2, pair[0].notificationsSent());
        assertEquals(2, pair[1].notificationsReceived());
        assertEquals(1, pair[1].eventsConsumed());
    }

    @Test
    void shouldIgnoreNotifyOnAnUnboundEndAndRefuseDoubleBinding()
    {
        final LocalEventChannel unbound = new LocalEventChannel(5);
        assertFalse(unbound.notifyPeer());
        final LocalEventChannel[] pair = LocalEventChannel.pair(1, 2);
        assertThrows(IllegalStateException.class, () -> pair[0].bind(unbound));
    }

    @Test
    void shouldReturnFromAwaitWhenClosedOrTimedOut() throws Exception
    {
        final LocalEventChannel[] pair = LocalEventChannel.pair(1, 2);
        assertFalse(pair[1].await(IdleMode.PARK.newIdleStrategy(), 5, TimeUnit.MILLISECONDS));
        final CountDownLatch done = new CountDownLatch(1);
        final Thread waiter = new Thread(() ->
        {
            if (!pair[1].await(IdleMode.BACKOFF.newIdleStrategy()))
            {
                done.countDown();
            }
        });
        waiter.start();
        pair[0].close();
        assertTrue(done.await(30, TimeUnit.SECONDS));
        waiter.join();
    }

    @ParameterizedTest
    @EnumSource(IdleMode.class)
    void shouldWakeAWaiterForEveryHandOffBetweenThreads(final IdleMode mode) throws Exception
    {
        final LocalEventChannel[] pair = LocalEventChannel.pair(1, 2);
        final AtomicLong value = new AtomicLong();
        final int rounds = 2_000;
        final Thread ponger = new Thread(() ->
        {
            for (int i = 0; i < rounds; i++)
            {
                pair[1].await(mode.newIdleStrategy());
                value.incrementAndGet();
                pair[1].notifyPeer();
            }
        });
        ponger.setDaemon(true);
        ponger.start();
        for (int i = 0; i < rounds; i++)
        {
            pair[0].notifyPeer();
            assertTrue(pair[0].await(mode.newIdleStrategy(), 30, TimeUnit.SECONDS), "round " + i);
            assertEquals(i + 1, value.get());
        }
        ponger.join(10_000);
    }
}
