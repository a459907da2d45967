package org.xennet.core.device;

import org.junit.jupiter.api.Test;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netfront.NetFrontConfig;
import org.xennet.core.netfront.NetFrontResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestDomainContextTest
{
    private static NetFrontConfig config()
    {
        return new NetFrontConfig().txIds(64).rxIds(256).rxBufferFirstPage(0).rxBufferCount(256)
            .txBufferFirstPage(256).txBufferCount(64).txBufferPages(3);
    }

    @Test
    void shouldDeriveRefsAndPagesFromTheDeviceConfig()
    {
        final GuestDomain guest = new GuestDomain.Context().domid(4).device(config()).appPages(16).build();

        assertEquals(256 + 64 * 3 + 16, guest.memory().pageCount());
        assertEquals(2, guest.ringMemory().pageCount());
        try (NetDevice device = new NetDevice(guest, config(), PacketSinks.discard()))
        {
            assertEquals(NetFrontResult.OK, device.open());
        }
    }

    @Test
    void shouldSayHowManyRefsAreMissingAndWhatToChange()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new GuestDomain.Context().device(config()).grantRefs(258).build());

        assertEquals("needs 322 grant refs for 256 rx + 64 tx ids + 2 rings, has 258: raise the guest's grant refs " +
            "or lower rxIds/txIds", e.getMessage());
    }

    @Test
    void shouldSayHowManyPagesAreMissingAndWhatToChange()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new GuestDomain.Context().device(config()).pageCount(300).build());

        assertEquals("needs 448 guest pages for 256 rx buffers at page 0 + 64 tx buffers of 3 pages at page 256, " +
            "has 300: raise the guest's page count or shrink the pools", e.getMessage());
    }

    @Test
    void shouldCountRefsOfEveryDevice()
    {
        final GuestDomain.Context context = new GuestDomain.Context().device(config()).device(config());

        assertEquals(2 * (2 + 64 + 256), context.grantRefsNeeded());
        assertEquals(256 + 64 * 3, context.pagesNeeded());
    }
}
