package org.xennet.core.xenbus;

import static org.junit.jupiter.api.Assertions.assertEquals;


import org.junit.jupiter.api.Test;
import org.xennet.testkit.ProbeOutput;
import org.xennet.testkit.XenProbes;

/**
 * Pins {@link XenbusState}'s codes to {@code enum xenbus_state} of {@code io/xenbus.h}, compiled with gcc.
 */
class XenbusStateAbiTest
{
    @Test
    void shouldMatchXenbusStateCodes()
    {
        final ProbeOutput probe = XenProbes.run(XenProbes.XENBUS);
        for (final XenbusState state : XenbusState.values())
        {
            assertEquals(probe.get(state.cName()), state.code(), state.cName());
        }
        final long probed = probe.values().keySet().stream().filter(name -> name.startsWith("XenbusState")).count();
        assertEquals(probed, XenbusState.values().length, "Java must define every state the header has");
    }
}
