package org.xennet.cli;

import org.xennet.core.event.IdleMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --idle}: the same names in every command ({@link IdleMode#OPTION_NAMES}).
 */
public final class IdleModeConverter implements ITypeConverter<IdleMode>
{
    @Override
    public IdleMode convert(final String value)
    {
        try
        {
            return IdleMode.fromOptionName(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }
}
