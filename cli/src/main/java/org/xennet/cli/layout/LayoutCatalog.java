package org.xennet.cli.layout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every structure and protocol constant xennet lays out, as facts named exactly like a C probe compiled
 * against Xen's public headers prints them ({@code offsetof(struct netif_tx_request,gref) 0},
 * {@code sizeof(struct netif_rx_response) 8}, {@code NETTXF_more_data 4}).
 *
 * <p>All values come from the descriptor and constant classes of the {@code rings}, {@code grant} and
 * {@code core} modules, so this catalogue is what the code really uses; the test suite checks it against a
 * probe built with gcc from Debian's {@code libxen-dev}.
 */
public final class LayoutCatalog
{
    private final List<Struct> structs;
    private final List<Constant> constants;

    LayoutCatalog(final List<Struct> structs, final List<Constant> constants)
    {
        this.structs = Collections.unmodifiableList(new ArrayList<>(structs));
        this.constants = Collections.unmodifiableList(new ArrayList<>(constants));
    }

    /** @return the catalogue of everything xennet lays out. */
    public static LayoutCatalog xennet()
    {
        return XenLayouts.catalog();
    }

    /** @return the structures, in display order. */
    public List<Struct> structs()
    {
        return structs;
    }

    /** @return the protocol constants, in display order. */
    public List<Constant> constants()
    {
        return constants;
    }

    /**
     * Every fact as a probe would print it: {@code sizeof}, {@code alignof} (where the probe prints it),
     * {@code offsetof} and {@code sizeof} of each field, then the constants.
     *
     * @return facts by probe name, in order.
     */
    public Map<String, Long> probeFacts()
    {
        final Map<String, Long> facts = new LinkedHashMap<>();
        for (final Struct struct : structs)
        {
            facts.put("sizeof(" + struct.name() + ")", (long)struct.size());
            if (struct.alignment() > 0)
            {
                facts.put("alignof(" + struct.name() + ")", (long)struct.alignment());
            }
            for (final Field field : struct.fields())
            {
                if (field.offset() >= 0)
                {
                    facts.put("offsetof(" + struct.name() + "," + field.name() + ")", (long)field.offset());
                }
                if (field.size() >= 0)
                {
                    facts.put("sizeof(" + struct.name() + "." + field.name() + ")", (long)field.size());
                }
            }
        }
        for (final Constant constant : constants)
        {
            facts.put(constant.name(), constant.value());
        }
        return facts;
    }

    /**
     * A C structure or union.
     *
     * @param name      C name as the probe spells it ({@code struct netif_tx_request}, {@code union grant_entry_v2}).
     * @param size      {@code sizeof}.
     * @param alignment {@code alignof}, or 0 when the probe does not print it.
     * @param fields    fields in offset order; nested fields are dotted ({@code u.gso.size}).
     * @param note      one line on how xennet uses it (may be empty).
     */
    public record Struct(String name, int size, int alignment, List<Field> fields, String note)
    {
    }

    /**
     * A field of a structure.
     *
     * @param name   dotted field name as in the probe ({@code full_page.frame}, {@code ring[0]}).
     * @param offset byte offset from the start of the structure, or -1 where the probe prints only a size.
     * @param size   size in bytes, or -1 where the probe prints only an offset (a flexible array).
     */
    public record Field(String name, int offset, int size)
    {
    }

    /**
     * A named protocol constant.
     *
     * @param group the header group it belongs to ({@code netif}, {@code grant_table}, ...).
     * @param name  the C name as the probe spells it.
     * @param value its value.
     */
    public record Constant(String group, String name, long value)
    {
    }
}
