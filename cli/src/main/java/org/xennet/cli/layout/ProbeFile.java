package org.xennet.cli.layout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output of a C ABI probe: {@code NAME VALUE} lines, optionally followed by a hex copy of the value
 * ({@code GTF_readonly 4 0x4}). Names may contain spaces. Blank lines and {@code #} comments are ignored.
 */
public final class ProbeFile
{
    private final Map<String, Long> values;

    private ProbeFile(final Map<String, Long> values)
    {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Parses probe text.
     *
     * @param text the probe output.
     * @return the parsed facts.
     * @throws IllegalArgumentException naming the first line that is not {@code NAME VALUE}, or a name given twice
     *                                  with different values.
     */
    public static ProbeFile parse(final String text)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] tokens = line.split("\\s+");
            int valueIndex = tokens.length - 1;
            if (tokens.length >= 3 && tokens[valueIndex].matches("0x[0-9a-fA-F]+") && isDecimal(tokens[valueIndex - 1]))
            {
                valueIndex--;
            }
            if (valueIndex < 1 || !isDecimal(tokens[valueIndex]))
            {
                throw new IllegalArgumentException("line " + (i + 1) + " is not NAME VALUE: " + abbreviate(line));
            }
            final String name = String.join(" ", Arrays.copyOfRange(tokens, 0, valueIndex));
            final long value;
            try
            {
                value = Long.parseLong(tokens[valueIndex]);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": value out of range: " + abbreviate(line), ex);
            }
            final Long previous = values.put(name, value);
            if (previous != null && previous != value)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + name + " given twice: " + previous +
                    " and " + value);
            }
        }
        return new ProbeFile(values);
    }

    /** @return the facts by name, in file order. */
    public Map<String, Long> values()
    {
        return values;
    }

    /**
     * Compares expected facts with this probe output.
     *
     * @param expected facts by probe name.
     * @return one line per fact that is missing here or has another value; empty when all match.
     */
    public List<String> verify(final Map<String, Long> expected)
    {
        final List<String> problems = new ArrayList<>();
        expected.forEach((name, value) ->
        {
            final Long actual = values.get(name);
            if (actual == null)
            {
                problems.add("MISSING  " + name + " (xennet: " + value + ")");
            }
            else if (actual.longValue() != value)
            {
                problems.add("MISMATCH " + name + ": probe " + actual + ", xennet " + value);
            }
        });
        return problems;
    }

    /**
     * @param expected facts by probe name.
     * @return how many of them appear in this probe output (whatever their value).
     */
    public int matchedCount(final Map<String, Long> expected)
    {
        int count = 0;
        for (final String name : expected.keySet())
        {
            if (values.containsKey(name))
            {
                count++;
            }
        }
        return count;
    }

    private static boolean isDecimal(final String token)
    {
        return token.matches("-?[0-9]{1,19}");
    }

    private static String abbreviate(final String line)
    {
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }
}
