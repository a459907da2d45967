package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xennet.testkit.ProbeOutput;
import org.xennet.testkit.XenProbes;

/**
 * Pins the Java wire constants to {@code io/xs_wire.h}, compiled with gcc (the xenbus state codes are pinned
 * by core's {@code XenbusStateAbiTest}).
 */
class XsWireAbiTest
{
    private static ProbeOutput probe;

    @BeforeAll
    static void runProbe()
    {
        probe = XenProbes.run(XenProbes.XS_WIRE);
    }

    @Test
    void shouldMatchXsdSockmsgLayout()
    {
        assertEquals(probe.get("sizeof(struct xsd_sockmsg)"), XsWire.HEADER_LENGTH);
        assertEquals(probe.get("offsetof(struct xsd_sockmsg,type)"), XsWire.TYPE_OFFSET);
        assertEquals(probe.get("offsetof(struct xsd_sockmsg,req_id)"), XsWire.REQ_ID_OFFSET);
        assertEquals(probe.get("offsetof(struct xsd_sockmsg,tx_id)"), XsWire.TX_ID_OFFSET);
        assertEquals(probe.get("offsetof(struct xsd_sockmsg,len)"), XsWire.LEN_OFFSET);
        for (final String field : List.of("type", "req_id", "tx_id", "len"))
        {
            assertEquals(probe.get("sizeof(struct xsd_sockmsg." + field + ")"), Integer.BYTES, field);
        }
    }

    @Test
    void shouldMatchSizeLimits()
    {
        assertEquals(probe.get("XENSTORE_PAYLOAD_MAX"), XsWire.PAYLOAD_MAX);
        assertEquals(probe.get("XENSTORE_ABS_PATH_MAX"), XsWire.ABS_PATH_MAX);
        assertEquals(probe.get("XENSTORE_REL_PATH_MAX"), XsWire.REL_PATH_MAX);
        assertEquals(probe.get("XENSTORE_RING_SIZE"), XsWire.RING_SIZE);
        assertEquals(probe.get("XS_WATCH_PATH"), XsWire.WATCH_PATH);
        assertEquals(probe.get("XS_WATCH_TOKEN"), XsWire.WATCH_TOKEN);
    }

    @Test
    void shouldMatchEveryMessageType() throws IllegalAccessException
    {
        int checked = 0;
        for (final Field field : XsMessageType.class.getDeclaredFields())
        {
            if (Modifier.isPublic(field.getModifiers()) && field.getType() == int.class)
            {
                assertEquals(probe.get("XS_" + field.getName()), field.getInt(null), field.getName());
                checked++;
            }
        }
        final long probed = probe.values().keySet().stream()
            .filter(name -> name.startsWith("XS_") && !name.startsWith("XS_WATCH_PATH") &&
                !name.startsWith("XS_WATCH_TOKEN"))
            .count();
        assertEquals(probed, checked, "Java must define every XS_ type the header has");
    }

    @Test
    void shouldMatchXsdErrorsTableInOrder()
    {
        final XsError[] errors = XsError.values();
        assertEquals(probe.get("xsd_errors_count"), errors.length);
        for (int i = 0; i < errors.length; i++)
        {
            assertEquals(probe.get("xsd_errors[" + i + "] " + errors[i].name()), errors[i].errno(),
                errors[i].name());
        }
    }

    @Test
    void shouldPrintNamesAsTheSharedAbiReference()
    {
        final Map<String, Long> values = probe.values();
        assertEquals(Long.valueOf(0xFFFF), values.get("XS_INVALID"));
        assertEquals(Long.valueOf(2), values.get("xsd_errors[4] ENOENT"));
    }
}
