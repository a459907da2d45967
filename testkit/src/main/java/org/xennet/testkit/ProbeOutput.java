package org.xennet.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parsed output of a C ABI probe: one {@code NAME VALUE [0xHEX]} line per fact; the name may contain spaces
 * (as in {@code offsetof(struct netif_tx_request,gref)}), the value is the first integer after the name.
 */
public final class ProbeOutput
{
    private final Map<String, Long> values;

    private ProbeOutput(final Map<String, Long> values)
    {
        this.values = values;
    }

    /**
     * Parses probe text. A line whose last one or two tokens are integers (decimal, or a trailing hex copy) is
     * a fact; blank lines and lines starting with {@code #} are ignored.
     *
     * @param text the probe's output.
     * @return the facts by name, in order.
     */
    public static ProbeOutput parse(final String text)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final String raw : text.split("\n"))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            String[] tokens = line.split("\\s+");
            int valueIndex = tokens.length - 1;
            if (tokens.length >= 3 && tokens[valueIndex].startsWith("0x") && isDecimal(tokens[valueIndex - 1]))
            {
                valueIndex--;
            }
            if (valueIndex < 1 || !isDecimal(tokens[valueIndex]))
            {
                throw new IllegalArgumentException("probe line not NAME VALUE: " + line);
            }
            final String name = String.join(" ", java.util.Arrays.copyOfRange(tokens, 0, valueIndex));
            values.put(name, Long.parseLong(tokens[valueIndex]));
        }
        return new ProbeOutput(Collections.unmodifiableMap(values));
    }

    private static boolean isDecimal(final String token)
    {
        return token.matches("-?[0-9]+");
    }

    /**
     * @param name a fact's name exactly as the probe prints it.
     * @return its value.
     * @throws AssertionError naming the fact when the probe did not print it.
     */
    public long get(final String name)
    {
        final Long value = values.get(name);
        if (value == null)
        {
            throw new AssertionError("probe did not print " + name);
        }
        return value;
    }

    /** @return all facts by name, in probe order. */
    public Map<String, Long> values()
    {
        return values;
    }
}
