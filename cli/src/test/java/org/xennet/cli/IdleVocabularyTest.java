package org.xennet.cli;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.xennet.core.event.IdleMode;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code --idle} means the same set of names in every command. */
class IdleVocabularyTest
{
    @Test
    void shouldAcceptTheSameIdleNamesInEveryCommand()
    {
        final List<String> commands = new ArrayList<>();
        for (final CommandLine sub : XennetCommand.commandLine().getSubcommands().values())
        {
            final OptionSpec idle = sub.getCommandSpec().findOption("--idle");
            if (null != idle)
            {
                commands.add(sub.getCommandName());
                assertEquals(IdleMode.class, idle.type(), sub.getCommandName());
                for (final IdleMode mode : IdleMode.values())
                {
                    assertEquals(mode, new IdleModeConverter().convert(mode.optionName()));
                }
                assertTrue(idle.description()[0].contains(IdleMode.OPTION_NAMES), sub.getCommandName());
            }
        }
        assertFalse(commands.isEmpty());
        assertTrue(commands.containsAll(List.of("bench", "backend", "frontend")), commands.toString());
    }

    private static void assertTrue(final boolean condition, final String message)
    {
        org.junit.jupiter.api.Assertions.assertTrue(condition, message);
    }
}
