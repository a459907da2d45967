package org.xennet.core.xenbus;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.xennet.xenstore.InMemoryXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;
import org.xennet.xenstore.XsError;
import org.xennet.xenstore.XsPermission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VifToolstackTest
{
    @Test
    void shouldCreateBothDirectoriesCrossLinkedInInitialising()
    {
        try (InMemoryXenStore store = new InMemoryXenStore())
        {
            final VifToolstack.Vif vif = VifToolstack.create(store, 0, 5, 2, "00:16:3e:aa:bb:cc");
            assertEquals("/local/domain/5/device/vif/2", vif.frontendPath());
            assertEquals("/local/domain/0/backend/vif/5/2", vif.backendPath());
            final Map<String, String> dump = store.dump();
            assertEquals(vif.backendPath(), store.read(vif.frontendPath() + "/backend"));
            assertEquals("0", store.read(vif.frontendPath() + "/backend-id"));
            assertEquals("2", store.read(vif.frontendPath() + "/handle"));
            assertEquals("00:16:3e:aa:bb:cc", store.read(vif.frontendPath() + "/mac"));
            assertEquals("1", store.read(vif.frontendPath() + "/state"));
            assertEquals(vif.frontendPath(), store.read(vif.backendPath() + "/frontend"));
            assertEquals("5", store.read(vif.backendPath() + "/frontend-id"));
            assertEquals("1", store.read(vif.backendPath() + "/online"));
            assertEquals("1", store.read(vif.backendPath() + "/state"));
            assertEquals(List.of(new XsPermission(5, XsPermission.Access.NONE),
                new XsPermission(0, XsPermission.Access.READ)), store.getPermissions(0, vif.frontendPath()));

            // The guest may read the backend's directory but not write it; it owns its own.
            final XenStore guest = store.session(5);
            assertEquals("1", guest.read(vif.backendPath() + "/state"));
            final XenStoreException ex = assertThrows(XenStoreException.class,
                () -> guest.write(vif.backendPath() + "/state", "4"));
            assertEquals(XsError.EACCES, ex.error());
            guest.write(vif.frontendPath() + "/state", "2");

            VifToolstack.destroy(store, vif);
            assertFalse(store.exists(vif.frontendPath()) || store.exists(vif.backendPath()), dump.toString());
        }
    }

    @Test
    void shouldParseValuesStrictly()
    {
        assertEquals(0, VifKeys.parseU32("0"));
        assertEquals(0xFFFF_FFFFL, VifKeys.parseU32("4294967295"));
        for (final String bad : new String[]{"", "-1", "+1", " 1", "1 ", "0x10", "4294967296", "12345678901"})
        {
            assertEquals(-1, VifKeys.parseU32(bad), bad);
        }
        assertEquals(-1, VifKeys.parseU32(null));
        assertArrayEquals(new byte[]{0, 0x16, 0x3e, (byte)0xaa, (byte)0xbb, (byte)0xcc},
            VifKeys.parseMac("00:16:3e:AA:bb:cc"));
        for (final String bad : new String[]{"", "00:16:3e:aa:bb", "00:16:3e:aa:bb:cc:dd", "0:16:3e:aa:bb:cc",
            "00-16-3e-aa-bb-cc", "00:16:3e:aa:bb:cg"})
        {
            assertThrows(IllegalArgumentException.class, () -> VifKeys.parseMac(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> VifToolstack.create(new InMemoryXenStore(), 0, 1, 0, "x"));
    }
}
