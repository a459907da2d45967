package org.xennet.cli;

import org.xennet.tap.TapConfig;
import org.xennet.tap.TapDevice;
import picocli.CommandLine.Option;

/**
 * {@code --tap NAME} and {@code --netns NS} of {@code xennet backend} (the vif) and {@code xennet frontend} (the
 * guest's {@code eth0}): attach to the TAP of that name, or create it, in that namespace.
 */
final class TapOptions
{
    @Option(names = "--tap", paramLabel = "NAME",
        description = "Connect this end to a Linux TAP device: attached when it exists (ip tuntap add), else created.")
    String name;

    @Option(names = "--netns", paramLabel = "NS",
        description = "Network namespace (ip netns) the TAP lives or is created in; needs --tap.")
    String netns;

    /** @return whether a TAP end was asked for. */
    boolean enabled()
    {
        return null != name;
    }

    /** Opens the TAP (throws TapException naming what is missing, IllegalArgumentException for a bad name). */
    TapDevice open()
    {
        return TapDevice.open(new TapConfig().name(name).netns(netns));
    }
}
