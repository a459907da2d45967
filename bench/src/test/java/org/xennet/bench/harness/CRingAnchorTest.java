package org.xennet.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CRingAnchorTest
{
    @Test
    void shouldCompileAndReportEveryRepetitionOfEveryBatch()
    {
        final List<CRingAnchor.Summary> summaries =
            CRingAnchor.compile().run(List.of(1, 64, 256), 100, 20, 3, "backoff");

        assertEquals(List.of(1, 64, 256), summaries.stream().map(CRingAnchor.Summary::batch).toList());
        for (final CRingAnchor.Summary summary : summaries)
        {
            assertEquals(3, summary.samples().size(), "repetitions of batch " + summary.batch());
            assertTrue(summary.min() > 0, "messages per second of batch " + summary.batch());
            assertTrue(summary.min() <= summary.median() && summary.median() <= summary.max());
            for (final CRingAnchor.Sample sample : summary.samples())
            {
                assertEquals(0, sample.messages() % sample.batch(), "whole batches only");
                assertEquals(0, sample.ringFull(), "a batch of at most 256 never fills the 256-slot ring");
            }
        }
    }

    @Test
    void shouldFailWithTheExitCodeWhenTheBatchDoesNotFitTheRing()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> CRingAnchor.compile().run(List.of(257), 10, 0, 1, "busy-spin"));

        assertTrue(ex.getMessage().contains("batch must be 1..256"), ex.getMessage());
    }

    @Test
    void shouldSummarizeMedianMinAndMaxPerBatch()
    {
        final String output = """
            RING size=256 slot=12
            RESULT batch=16 rep=0 messages=32 nanos=1000 msgs_per_sec=300.0 notifies=1 ring_full=0 poll_empty=2
            RESULT batch=16 rep=1 messages=32 nanos=1000 msgs_per_sec=100.0 notifies=1 ring_full=0 poll_empty=2
            RESULT batch=16 rep=2 messages=32 nanos=1000 msgs_per_sec=200.0 notifies=1 ring_full=0 poll_empty=2
            RESULT batch=1 rep=0 messages=5 nanos=1000 msgs_per_sec=50.0 notifies=1 ring_full=0 poll_empty=2
            RESULT batch=1 rep=1 messages=5 nanos=1000 msgs_per_sec=70.0 notifies=1 ring_full=0 poll_empty=2
            """;

        final List<CRingAnchor.Summary> summaries = CRingAnchor.summarize(CRingAnchor.parse(output));

        assertEquals(2, summaries.size());
        assertEquals(16, summaries.get(0).batch());
        assertEquals(200.0, summaries.get(0).median());
        assertEquals(100.0, summaries.get(0).min());
        assertEquals(300.0, summaries.get(0).max());
        assertEquals(60.0, summaries.get(1).median());
    }

    @Test
    void shouldRejectAResultLineWithAMissingField()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> CRingAnchor.parse("RESULT batch=1 rep=0 messages=5 nanos=10\n"));

        assertTrue(ex.getMessage().contains("msgs_per_sec"), ex.getMessage());
    }
}
