package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The contract on the embedded store, plus what only it offers: sessions acting as other domains (permissions),
 * quotas, and session cleanup.
 */
class InMemoryXenStoreTest extends XenStoreContractTest
{
    private InMemoryXenStore backing;

    @Override
    protected void createBackingStore()
    {
        backing = new InMemoryXenStore(200, 4, 2);
    }

    @Override
    protected XenStore openHandle()
    {
        return backing.session(0);
    }

    @Override
    protected void destroyBackingStore()
    {
        backing.close();
    }

    @Override
    void shouldListDirectoriesLongerThanOnePayload()
    {
        backing = new InMemoryXenStore(); // the 200-node quota of this class is too small for this one
        store = backing.session(0);
        super.shouldListDirectoriesLongerThanOnePayload();
    }

    @Test
    void shouldDenyOtherDomainsByDefaultPermissions()
    {
        store.write("/secret", "x");
        final XenStore domU = backing.session(5);
        assertError(XsError.EACCES, () -> domU.read("/secret"));
        assertError(XsError.EACCES, () -> domU.write("/secret", "y"));
        assertError(XsError.EACCES, () -> domU.write("/secret/child", "y"));
        assertError(XsError.ENOENT, () -> domU.read("/absent"));
        assertEquals("x", store.read("/secret"));
    }

    @Test
    void shouldApplyPerDomainPermissionEntries()
    {
        store.write("/local/domain/5/device/vif/0/state", "1");
        store.setPermissions(XenStore.NO_TRANSACTION, "/local/domain/5/device",
            List.of(new XsPermission(5, XsPermission.Access.NONE), new XsPermission(7, XsPermission.Access.READ)));
        store.setPermissions(XenStore.NO_TRANSACTION, "/local/domain/5/device/vif/0/state",
            List.of(new XsPermission(5, XsPermission.Access.NONE), new XsPermission(7, XsPermission.Access.READ)));
        final XenStore owner = backing.session(5);
        final XenStore reader = backing.session(7);
        final XenStore stranger = backing.session(9);
        owner.write("device/vif/0/state", "4"); // relative to the owner's home; the owner may do anything
        assertEquals("4", reader.read("/local/domain/5/device/vif/0/state"));
        assertError(XsError.EACCES, () -> reader.write("/local/domain/5/device/vif/0/state", "6"));
        assertError(XsError.EACCES, () -> stranger.read("/local/domain/5/device/vif/0/state"));
        assertError(XsError.EACCES, () -> reader.setPermissions(XenStore.NO_TRANSACTION,
            "/local/domain/5/device/vif/0/state", List.of(new XsPermission(7, XsPermission.Access.BOTH))));
    }

    @Test
    void shouldMakeCreatorOwnerOfNodesItCreates()
    {
        store.mkdir("/local/domain/5");
        store.setPermissions(XenStore.NO_TRANSACTION, "/local/domain/5",
            List.of(new XsPermission(5, XsPermission.Access.NONE)));
        backing.session(5).write("data/key", "v");
        assertEquals(List.of(new XsPermission(5, XsPermission.Access.NONE)),
            store.getPermissions(XenStore.NO_TRANSACTION, "/local/domain/5/data/key"));
    }

    @Test
    void shouldOnlyTellUnprivilegedWatchersAboutNodesTheyMayRead() throws Exception
    {
        store.write("/shared/open", "1");
        store.write("/shared/hidden", "1");
        store.setPermissions(XenStore.NO_TRANSACTION, "/shared/open",
            List.of(new XsPermission(0, XsPermission.Access.NONE), new XsPermission(5, XsPermission.Access.READ)));
        final XenStore domU = backing.session(5);
        final Events events = new Events();
        domU.watch("/shared", "t", events);
        events.expect("/shared", "t");
        store.write("/shared/hidden", "2");
        events.expectNone();
        store.write("/shared/open", "2");
        events.expect("/shared/open", "t");
    }

    @Test
    void shouldEnforceQuotas()
    {
        for (int i = 0; i < 4; i++)
        {
            store.watch("/q" + i, "t", (path, token) -> { });
        }
        assertError(XsError.E2BIG, () -> store.watch("/q9", "t", (path, token) -> { }));
        store.transactionStart();
        store.transactionStart();
        assertError(XsError.ENOSPC, store::transactionStart);
        final XenStore other = backing.session(0);
        assertError(XsError.ENOSPC, () ->
        {
            for (int i = 0; i < 300; i++)
            {
                other.mkdir("/n/" + i);
            }
        });
        assertEquals(200, backing.nodeCount());
    }

    @Test
    void shouldDropWatchesAndTransactionsOfClosedSession() throws Exception
    {
        final InMemoryXenStore.Session session = backing.session(0);
        final Events events = new Events();
        session.watch("/gone", "t", events);
        events.expect("/gone", "t");
        final int tx = session.transactionStart();
        session.close();
        store.write("/gone", "1");
        events.expectNone();
        assertError(XsError.ENOENT, () -> store.transactionEnd(tx, true));
        assertError(XsError.EIO, session::transactionStart);
        assertFalse(backing.dump().isEmpty());
    }
}
