package org.xennet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.xennet.cli.layout.LayoutCatalog;
import org.xennet.cli.layout.LayoutCatalog.Constant;
import org.xennet.cli.layout.LayoutCatalog.Field;
import org.xennet.cli.layout.LayoutCatalog.Struct;
import org.xennet.cli.layout.ProbeFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xennet layout}: prints every structure and constant xennet lays out, as a table or as C-probe
 * {@code NAME VALUE} lines, or verifies a probe's output against them.
 */
@Command(
    name = "layout",
    mixinStandardHelpOptions = true,
    description = {
        "Print every structure xennet lays out (struct, field, offset, size) and the protocol constants.",
        "--format probe prints NAME VALUE lines named as a C probe of Xen's headers prints them;",
        "--verify FILE checks such a probe output and exits 1 listing each mismatch or missing name."})
public final class LayoutCommand implements Callable<Integer>
{
    /** Output formats. */
    enum Format
    {
        table, probe
    }

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or probe")
    private Format format = Format.table;

    @Option(names = "--verify", paramLabel = "FILE", description = "probe output (NAME VALUE lines) to check")
    private Path verify;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final LayoutCatalog catalog = LayoutCatalog.xennet();
        if (verify != null)
        {
            return verify(catalog, out, spec.commandLine().getErr());
        }
        if (format == Format.probe)
        {
            catalog.probeFacts().forEach((name, value) -> out.println(name + " " + value));
        }
        else
        {
            printTable(catalog, out);
        }
        out.flush();
        return 0;
    }

    private int verify(final LayoutCatalog catalog, final PrintWriter out, final PrintWriter err)
    {
        final ProbeFile probe;
        try
        {
            probe = ProbeFile.parse(Files.readString(verify, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            err.println("xennet layout: cannot read probe file " + verify + ": " + ex);
            err.flush();
            return XennetCommand.EXIT_USAGE;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("xennet layout: " + verify + ": " + ex.getMessage());
            err.flush();
            return XennetCommand.EXIT_USAGE;
        }
        final List<String> problems = probe.verify(catalog.probeFacts());
        final Map<String, Long> facts = catalog.probeFacts();
        if (problems.isEmpty())
        {
            out.println("OK: all " + facts.size() + " facts match " + verify + " (" +
                (probe.values().size() - probe.matchedCount(facts)) + " probe lines xennet does not lay out)");
            out.flush();
            return 0;
        }
        for (final String problem : problems)
        {
            out.println(problem);
        }
        out.println(problems.size() + " of " + facts.size() + " facts do not match " + verify);
        out.flush();
        return 1;
    }

    private static void printTable(final LayoutCatalog catalog, final PrintWriter out)
    {
        for (final Struct struct : catalog.structs())
        {
            out.printf("%s  (%d bytes%s)%s%n", struct.name(), struct.size(),
                struct.alignment() > 0 ? ", align " + struct.alignment() : "",
                struct.note().isEmpty() ? "" : "  -- " + struct.note());
            out.printf("  %-28s %6s %6s%n", "field", "offset", "size");
            for (final Field field : struct.fields())
            {
                out.printf("  %-28s %6s %6s%n", field.name(),
                    field.offset() >= 0 ? Integer.toString(field.offset()) : "",
                    field.size() >= 0 ? Integer.toString(field.size()) : "");
            }
            out.println();
        }
        String group = "";
        for (final Constant constant : catalog.constants())
        {
            if (!constant.group().equals(group))
            {
                group = constant.group();
                out.printf("constants: %s%n", group);
            }
            out.printf("  %-40s %12d  0x%x%n", constant.name(), constant.value(), constant.value());
        }
    }
}
