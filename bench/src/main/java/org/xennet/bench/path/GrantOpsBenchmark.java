package org.xennet.bench.path;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xennet.bench.BenchmarkRunner;
import org.xennet.core.device.GuestDomain;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantResult;
import org.xennet.grant.GrantTable;

/**
 * Grant table operations alone, one thread, v1 against v2: {@code permitAccess} of {@value #REFS} refs (each
 * invocation starts from ended entries) and {@code endAccess} of {@value #REFS} refs (each invocation starts
 * from permitted ones). The other half of each pair runs in an untimed per-invocation setup, amortized over the
 * {@value #REFS} operations. Score: operations per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true"})
@State(Scope.Thread)
public class GrantOpsBenchmark
{
    /** Refs per invocation: one per netif ring slot. */
    public static final int REFS = 256;

    private static final int FIRST_REF = GrantConstants.NR_RESERVED_ENTRIES;
    private static final int BACKEND_DOMID = 0;
    private static final long FIRST_FRAME = 0x10_0000;

    /** Grant table version. */
    @Param({"1", "2"})
    public int grantVersion;

    private GrantTable table;
    private int failures;

    /** Creates the table. */
    @Setup(Level.Trial)
    public void setUp()
    {
        table = GuestDomain.newGrantTable(grantVersion, FIRST_REF + REFS);
    }

    /** Ends every ref that is permitted (untimed), so {@link #permitAccess()} starts from free entries. */
    @Setup(Level.Invocation)
    public void endAll()
    {
        for (int i = 0; i < REFS; i++)
        {
            table.endAccess(FIRST_REF + i);
        }
    }

    /**
     * Permits {@value #REFS} refs, writable, one frame each.
     *
     * @return failures so far (never expected), so the results stay visible.
     */
    @Benchmark
    @OperationsPerInvocation(REFS)
    public int permitAccess()
    {
        final GrantTable table = this.table;
        for (int i = 0; i < REFS; i++)
        {
            failures += table.permitAccess(FIRST_REF + i, BACKEND_DOMID, FIRST_FRAME + i, false) == GrantResult.OK ?
                0 : 1;
        }
        return failures;
    }

    /**
     * Ends {@value #REFS} refs permitted by the untimed setup of {@link EndState}.
     *
     * @param state permits every ref before each invocation.
     * @return failures so far (never expected).
     */
    @Benchmark
    @OperationsPerInvocation(REFS)
    public int endAccess(final EndState state)
    {
        final GrantTable table = state.table;
        int failed = 0;
        for (int i = 0; i < REFS; i++)
        {
            failed += table.endAccess(FIRST_REF + i) == GrantResult.OK ? 0 : 1;
        }
        return failed;
    }

    /** A table whose refs are all permitted before each {@link #endAccess} invocation. */
    @State(Scope.Thread)
    public static class EndState
    {
        private GrantTable table;

        /**
         * Creates the table.
         *
         * @param outer the benchmark (for its grant version).
         */
        @Setup(Level.Trial)
        public void setUp(final GrantOpsBenchmark outer)
        {
            table = GuestDomain.newGrantTable(outer.grantVersion, FIRST_REF + REFS);
        }

        /** Permits every ref (untimed). */
        @Setup(Level.Invocation)
        public void permitAll()
        {
            for (int i = 0; i < REFS; i++)
            {
                table.permitAccess(FIRST_REF + i, BACKEND_DOMID, FIRST_FRAME + i, false);
            }
        }
    }

    /**
     * Runs this benchmark.
     *
     * @param args JMH command-line options.
     * @throws Exception when JMH fails.
     */
    public static void main(final String[] args) throws Exception
    {
        BenchmarkRunner.run(GrantOpsBenchmark.class, args);
    }
}
