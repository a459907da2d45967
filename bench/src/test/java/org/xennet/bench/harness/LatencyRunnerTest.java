package org.xennet.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LatencyRunnerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @ParameterizedTest
    @ValueSource(strings = {LatencyProbes.RAW, LatencyProbes.RING, LatencyProbes.TX_PATH, LatencyProbes.RX_PATH})
    void shouldTimeRoundTripsWithOneRequestInFlight(final String name)
    {
        try (LatencyProbe probe = LatencyProbes.create(name, 1500, 2))
        {
            final Histogram h = LatencyRunner.run(probe, 50 * MS, 200 * MS, BenchIdle.BACKOFF);
            assertTrue(h.getTotalCount() > 0, name + " round trips " + h.getTotalCount());
            assertTrue(h.getValueAtPercentile(50) > 0, name + " p50");
        }
    }

    @Test
    void shouldReportPercentilesLogAndPlot()
    {
        final Histogram raw = new Histogram(LatencyRunner.HIGHEST_NANOS, 3);
        raw.recordValueWithCount(100, 99);
        raw.recordValue(5000);
        final Histogram ring = new Histogram(LatencyRunner.HIGHEST_NANOS, 3);
        ring.recordValueWithCount(150, 100);
        final List<LatencyResult> results = List.of(new LatencyResult(LatencyProbes.RAW, 0, 0, BenchIdle.BUSY, raw),
            new LatencyResult(LatencyProbes.RING, 0, 0, BenchIdle.BUSY, ring));
        final String table = LatencyReport.table(results);
        assertTrue(table.lines().anyMatch(l -> l.matches("ring " + BenchIdle.BUSY + " +100 +150 +150 +150 +150 +150 +1\\.50")),
            table);
        final String log = LatencyReport.histogramLog(results);
        assertTrue(log.contains("Tag=raw-ping-pong_" + BenchIdle.BUSY + ",") &&
            log.contains("Tag=ring_" + BenchIdle.BUSY + ","), log);
        final String svg = LatencyReport.svg(results, "t");
        assertEquals(2, svg.split("<polyline").length - 1, svg);
    }

    @Test
    void shouldParseTheCAnchorsOutputAndRefuseATruncatedOne()
    {
        final Histogram h = CLatency.parse("HIST 90 3\nHIST 120 1\nDONE count=4\n");
        assertEquals(4, h.getTotalCount());
        assertEquals(90, h.getValueAtPercentile(50));
        assertThrows(IllegalStateException.class, () -> CLatency.parse("HIST 90 3\n"));
    }
}
