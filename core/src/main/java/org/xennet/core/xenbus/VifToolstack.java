package org.xennet.core.xenbus;

import java.util.List;

import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XsPermission;

/**
 * The toolstack's part of a vif (libxl's {@code device_vif} add/remove): creates the frontend and backend
 * directories, cross-links them and sets their permissions, both ends starting in {@code Initialising}.
 */
public final class VifToolstack
{
    private VifToolstack()
    {
    }

    /**
     * The two directories of one vif.
     *
     * @param frontendPath {@code /local/domain/<frontDomid>/device/vif/<devid>}.
     * @param backendPath  {@code /local/domain/<backDomid>/backend/vif/<frontDomid>/<devid>}.
     * @param frontDomid   the guest.
     * @param backDomid    the backend domain.
     * @param devid        the device id.
     */
    public record Vif(String frontendPath, String backendPath, int frontDomid, int backDomid, int devid)
    {
    }

    /**
     * Creates both directories in one transaction.
     *
     * @param store      the xenstore (privileged).
     * @param backDomid  the backend domain.
     * @param frontDomid the guest.
     * @param devid      the device id.
     * @param mac        the MAC address, {@code aa:bb:cc:dd:ee:ff}.
     * @return the paths.
     */
    public static Vif create(
        final XenStore store, final int backDomid, final int frontDomid, final int devid, final String mac)
    {
        VifKeys.parseMac(mac);
        final Vif vif = new Vif(
            VifKeys.frontendPath(frontDomid, devid), VifKeys.backendPath(backDomid, frontDomid, devid),
            frontDomid, backDomid, devid);
        store.inTransaction(10, txId ->
        {
            // Permissions first: each key written below inherits its directory's (as in xenstored).
            // Each end owns its directory; the other end may read it (as libxl sets them).
            store.mkdir(txId, vif.frontendPath());
            store.setPermissions(txId, vif.frontendPath(), List.of(
                new XsPermission(frontDomid, XsPermission.Access.NONE),
                new XsPermission(backDomid, XsPermission.Access.READ)));
            store.mkdir(txId, vif.backendPath());
            store.setPermissions(txId, vif.backendPath(), List.of(
                new XsPermission(backDomid, XsPermission.Access.NONE),
                new XsPermission(frontDomid, XsPermission.Access.READ)));
            final String f = vif.frontendPath() + "/";
            write(store, txId, f + VifKeys.BACKEND, vif.backendPath());
            write(store, txId, f + VifKeys.BACKEND_ID, Integer.toString(backDomid));
            write(store, txId, f + VifKeys.HANDLE, Integer.toString(devid));
            write(store, txId, f + VifKeys.MAC, mac);
            write(store, txId, f + VifKeys.STATE, XenbusState.INITIALISING.text());
            final String b = vif.backendPath() + "/";
            write(store, txId, b + VifKeys.FRONTEND, vif.frontendPath());
            write(store, txId, b + VifKeys.FRONTEND_ID, Integer.toString(frontDomid));
            write(store, txId, b + VifKeys.HANDLE, Integer.toString(devid));
            write(store, txId, b + VifKeys.MAC, mac);
            write(store, txId, b + VifKeys.ONLINE, VifKeys.ON);
            write(store, txId, b + VifKeys.STATE, XenbusState.INITIALISING.text());
            return null;
        });
        return vif;
    }

    /**
     * Removes both directories (the backend's first, as libxl does).
     *
     * @param store the xenstore.
     * @param vif   what {@link #create} returned.
     */
    public static void destroy(final XenStore store, final Vif vif)
    {
        store.rm(vif.backendPath());
        store.rm(vif.frontendPath());
    }

    private static void write(final XenStore store, final int txId, final String path, final String value)
    {
        store.write(txId, path, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
