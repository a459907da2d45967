package org.xennet.core.xenbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class XenbusStateTest
{
    @Test
    void shouldUseProtocolCodesZeroToEight()
    {
        final XenbusState[] states = XenbusState.values();
        assertEquals(9, states.length);
        for (int code = 0; code < states.length; code++)
        {
            assertEquals(code, states[code].code());
            assertEquals(states[code], XenbusState.fromCode(code));
            assertEquals(states[code], XenbusState.parse(states[code].text()));
        }
        assertEquals("XenbusStateInitWait", XenbusState.INIT_WAIT.cName());
        assertEquals("Closing(5)", XenbusState.CLOSING.toString());
    }

    @Test
    void shouldRejectUnknownCodes()
    {
        assertThrows(IllegalArgumentException.class, () -> XenbusState.fromCode(9));
        assertThrows(IllegalArgumentException.class, () -> XenbusState.fromCode(-1));
    }

    @Test
    void shouldParseDecimalTextStrictly()
    {
        assertEquals(XenbusState.CONNECTED, XenbusState.parse("4"));
        assertEquals(XenbusState.CONNECTED, XenbusState.parse("04"), "strtoul accepts leading zeros");
        for (final String bad : List.of("", " 4", "4 ", "+4", "-0", "4\n", "0x4", "9", "10", "four", "4.0",
            "99999999999999999999", "\u0664"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> XenbusState.parse(bad), bad);
            assertEquals(true, ex.getMessage().contains("value="), ex.getMessage());
        }
    }
}
