package org.xennet.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class TapDeviceTest
{
    @Test
    void shouldRefuseBadNames()
    {
        assertThrows(IllegalArgumentException.class, () -> new TapConfig().name("a-name-longer-than-15"));
        assertThrows(IllegalArgumentException.class, () -> new TapConfig().name("../x"));
        assertThrows(IllegalArgumentException.class, () -> new TapConfig().netns("a/b"));
    }

    @Test
    void shouldRefuseOffloadWithoutTheVirtioHeader()
    {
        assertThrows(IllegalArgumentException.class, () -> TapDevice.open(
            new TapConfig().name("xnbad0").vnetHeader(false).offload(VirtioNetHdrDescriptor.TUN_F_CSUM)));
    }

    @Test
    void shouldNameAMissingNamespace()
    {
        final TapException ex = assertThrows(TapException.class,
            () -> TapDevice.open(new TapConfig().name("xnmiss0").netns("xennet-no-such-ns-" + System.nanoTime())));
        assertTrue(ex.getMessage().contains("not found") && ex.getMessage().contains("ip netns add"), ex.getMessage());
    }

    @Test
    void shouldCreateInANamespaceAndReportGoneWhenDeleted()
    {
        TapTestSupport.requireNetworkSandbox();
        try (NetnsSandbox sandbox = new NetnsSandbox("xntd"))
        {
            final String ns = sandbox.addNamespace("a");
            final String name = "xnd" + ProcessHandle.current().pid() % 100_000;
            try (TapDevice tap = TapDevice.open(new TapConfig().name(name).netns(ns)))
            {
                assertTrue(tap.created());
                assertEquals(VirtioNetHdrDescriptor.LENGTH, tap.headerLength());
                final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 17, 4096));
                assertEquals(TapResult.WOULD_BLOCK, tap.read(buffer, 0, TapVifEnd.READ_CAPACITY));
                sandbox.ip(ns, "link", "del", name);
                assertEquals(TapResult.GONE, tap.read(buffer, 0, TapVifEnd.READ_CAPACITY));
                assertEquals(TapResult.GONE, tap.write(buffer, 0, 60));
            }
        }
    }

    @Test
    void shouldAttachToAnExistingTap()
    {
        TapTestSupport.requireNetworkSandbox();
        try (NetnsSandbox sandbox = new NetnsSandbox("xnta"))
        {
            final String ns = sandbox.addNamespace("a");
            final String name = "xna" + ProcessHandle.current().pid() % 100_000;
            sandbox.ip(ns, "tuntap", "add", "dev", name, "mode", "tap", "vnet_hdr");
            try (TapDevice tap = TapDevice.open(new TapConfig().name(name).netns(ns)))
            {
                assertFalse(tap.created());
            }
            sandbox.ip(ns, "link", "show", name); // persistent: still there after we let go
        }
    }

    @Test
    void shouldOpenTwoQueuesOfAMultiQueueTap()
    {
        TapTestSupport.requireNetworkSandbox();
        try (NetnsSandbox sandbox = new NetnsSandbox("xntq"))
        {
            final String ns = sandbox.addNamespace("a");
            final String name = "xnq" + ProcessHandle.current().pid() % 100_000;
            final TapConfig config = new TapConfig().name(name).netns(ns).multiQueue(true)
                .offload(VirtioNetHdrDescriptor.TUN_F_CSUM | VirtioNetHdrDescriptor.TUN_F_TSO4 |
                    VirtioNetHdrDescriptor.TUN_F_TSO6);
            try (TapDevice first = TapDevice.open(config); TapDevice second = TapDevice.open(config))
            {
                assertTrue(first.created());
                assertFalse(second.created()); // the second open is the device's second queue
                final TapException single = assertThrows(TapException.class,
                    () -> TapDevice.open(new TapConfig().name(name).netns(ns)));
                assertTrue(single.getMessage().contains(name), single.getMessage());
            }
        }
    }
}
