package org.xennet.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The C ABI probes kept in this repository (resources under {@code org/xennet/testkit/c/}), each compiled with gcc
 * against Debian's {@code libxen-dev} and run once per JVM. Their {@code NAME VALUE} lines are spelled as in Xen's
 * headers ({@code offsetof(struct netif_tx_request,gref) 0}).
 */
public final class XenProbes
{
    /** Ring header, netif slots and netif constants ({@code io/ring.h}, {@code io/netif.h}). */
    public static final String RINGS = "ring_abi_probe.c";

    /** Grant entries, status frames, GTF/GNTTABOP/GNTST constants ({@code grant_table.h}). */
    public static final String GRANT = "grant_abi_probe.c";

    /** xenstore wire header, limits, message types, error table and xenbus states ({@code io/xs_wire.h}). */
    public static final String XS_WIRE = "xs_wire_probe.c";

    /** {@code enum xenbus_state} ({@code io/xenbus.h}). */
    public static final String XENBUS = "xenbus_state_probe.c";

    private static final Map<String, String> OUTPUTS = new ConcurrentHashMap<>();

    private XenProbes()
    {
    }

    /**
     * @param probe one of the probe names above.
     * @return the probe's raw output (compiled and run on first use).
     */
    public static String output(final String probe)
    {
        return OUTPUTS.computeIfAbsent(probe, p ->
            CProgram.compileResources(XenProbes.class, List.of("c/" + p)).runForOutput());
    }

    /**
     * @param probe one of the probe names above.
     * @return the probe's parsed facts.
     */
    public static ProbeOutput run(final String probe)
    {
        return ProbeOutput.parse(output(probe));
    }

    /**
     * @param probes probe names.
     * @return the outputs of all of them, concatenated.
     */
    public static String outputs(final String... probes)
    {
        final List<String> parts = new ArrayList<>();
        for (final String probe : probes)
        {
            parts.add(output(probe));
        }
        return String.join("", parts);
    }
}
