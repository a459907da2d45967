package org.xennet.core.event;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process {@link EventChannels}: ports per connection, bound only while their owner holds them unbound for
 * the binding domain, freed by close.
 */
final class EventChannelRegistryTest
{
    private final EventChannelRegistry registry = new EventChannelRegistry();

    @Test
    void shouldAllocatePortsPerDomainAndNotReuseAClosedOneAtOnce()
    {
        final EventChannel a = registry.allocUnbound(1, 0);
        final EventChannel b = registry.allocUnbound(1, 0);
        assertEquals(1, a.port());
        assertEquals(2, b.port());
        assertEquals(1, registry.allocUnbound(2, 0).port()); // ports are per domain
        a.close();
        assertEquals(3, registry.allocUnbound(1, 0).port()); // a stale key "1" cannot name the next connection
        assertNull(registry.bindInterdomain(0, 1, 1));
    }

    @Test
    void shouldBindOnlyAPortItsOwnerHoldsUnboundForThatDomain()
    {
        final LocalEventChannel front = (LocalEventChannel)registry.allocUnbound(1, 0);
        assertNull(registry.bindInterdomain(0, 1, 7)); // nobody holds port 7
        assertNull(registry.bindInterdomain(0, 1, 0));
        assertNull(registry.bindInterdomain(0, 1, -1));
        assertNull(registry.bindInterdomain(0, 1, 1L << 32));
        assertNull(registry.bindInterdomain(5, 1, front.port())); // offered to domain 0 only
        final EventChannel back = registry.bindInterdomain(0, 1, front.port());
        assertTrue(back.notifyPeer());
        assertTrue(front.consume());
        assertNull(registry.bindInterdomain(0, 1, front.port())); // bound once
        front.close();
        assertFalse(back.notifyPeer());
        assertNull(registry.bindInterdomain(0, 1, front.port())); // closed: freed, never binds
    }
}
