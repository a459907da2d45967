package org.xennet.tap;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** Gates tests that need root, namespaces and TAPs: in CI (CI=true) they fail when they cannot run, else skip. */
final class TapTestSupport
{
    private TapTestSupport()
    {
    }

    static void requireNetworkSandbox(final String... tools)
    {
        final String missing = NetnsSandbox.missing(tools);
        if (null == missing)
        {
            return;
        }
        final String message = "TAP/namespace test cannot run: " + missing;
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            fail(message + " (CI=true: these tests must run in CI, as root)");
        }
        Assumptions.abort(message + " (skipped outside CI)");
    }
}
