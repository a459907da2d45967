package org.xennet.core.device;

import org.junit.jupiter.api.Test;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netfront.NetFrontConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NetDeviceTest
{
    @Test
    void shouldNotChangeTheCallersConfigWhenBuildingDevicesForTwoGuests()
    {
        final NetFrontConfig shared = new NetFrontConfig().frontendDomid(7).rxBufferCount(32).txBufferFirstPage(32);
        final GuestDomain guestA = new GuestDomain.Context().domid(1).device(shared).build();
        final GuestDomain guestB = new GuestDomain.Context().domid(2).device(shared).build();

        final NetDevice a = new NetDevice(guestA, shared, PacketSinks.discard());
        final NetDevice b = new NetDevice(guestB, shared, PacketSinks.discard());

        assertEquals(1, a.front().config().frontendDomid());
        assertEquals(2, b.front().config().frontendDomid());
        assertEquals(7, shared.frontendDomid());
    }

    @Test
    void shouldNotLetTheCallerChangeAnOpenDevicesConfig()
    {
        final NetFrontConfig config = new NetFrontConfig().rxBufferCount(32).txBufferFirstPage(32);
        final NetDevice device = new NetDevice(
            new GuestDomain.Context().domid(3).device(config).build(), config, PacketSinks.discard());

        config.rxBufferCount(8);
        device.front().config().rxBufferCount(4);

        assertEquals(32, device.front().config().rxBufferCount());
    }
}
