package org.xennet.core.xenbus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSinks;
import org.xennet.core.netback.XenbusNetBack;
import org.xennet.core.netback.XenbusNetBack.Behaviour;
import org.xennet.core.netfront.XenbusNetFront;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link XenbusNetFront#reset()} from every start: backend behaviour (modern, legacy) x backend state (0..8) x
 * frontend state (0..8). Backend state Unknown stands for "no backend driver": nobody answers. Otherwise the
 * backend driver starts on the prepared store, acts on the frontend's state, and then the frontend resets.
 * Each case must reach InitWait or time out (200 ms) naming the awaited and last seen state; the frontend must
 * write Closed before Initialising unless the backend already was in InitWait; the backend must observe exactly
 * those writes. Every case starts with a dead instance's stale keys in the frontend's directory (they must never
 * connect: a frontend found Connected on them is refused). The model in {@link #expected} is the table in the
 * README (checked by
 * {@link #shouldHaveTheOutcomeTableInTheReadme()}).
 */
class XenbusResetMatrixTest
{
    /** For the awaits that must time out (no backend ever answers): short, nothing else has to happen within it. */
    private static final Duration DEADLINE = Duration.ofMillis(200);
    /** For the awaits that must succeed: only bounds a hang, so a busy machine cannot turn them into timeouts. */
    private static final Duration HANG_BOUND = Duration.ofSeconds(30);
    private static final XenbusState[] STATES = XenbusState.values();

    /** What the model predicts for one start. */
    record Expected(XenbusState settled, List<XenbusState> writes, XenbusState awaited, XenbusState lastSeen)
    {
        boolean timesOut()
        {
            return awaited != null;
        }

        String cell()
        {
            if (timesOut())
            {
                return "timeout " + awaited.xenName() + "/" + lastSeen.xenName();
            }
            return settled.xenName() + ": " + (writes.size() == 1 ? "I" : "C, I");
        }
    }

    /** The backend state after its driver started and acted on the frontend's state (the class Javadoc's table). */
    static XenbusState settle(final Behaviour behaviour, final XenbusState back, final XenbusState front)
    {
        if (back == XenbusState.UNKNOWN)
        {
            return XenbusState.UNKNOWN; // no backend driver
        }
        final XenbusState probed = back == XenbusState.INITIALISING ? XenbusState.INIT_WAIT : back;
        return switch (front)
        {
            case INITIALISING -> behaviour == Behaviour.MODERN || probed == XenbusState.CLOSED ?
                XenbusState.INIT_WAIT : probed;
            // only a dead instance's stale keys are there: connecting fails, the backend closes
            case CONNECTED -> probed == XenbusState.INIT_WAIT || probed == XenbusState.INITIALISED ?
                XenbusState.CLOSED : probed;
            case CLOSING -> probed == XenbusState.CLOSED ? probed : XenbusState.CLOSING;
            case CLOSED -> XenbusState.CLOSED;
            default -> probed;
        };
    }

    static Expected expected(final Behaviour behaviour, final XenbusState back, final XenbusState front)
    {
        final XenbusState settled = settle(behaviour, back, front);
        if (settled == XenbusState.UNKNOWN)
        {
            return new Expected(settled, List.of(XenbusState.CLOSED), XenbusState.CLOSED, XenbusState.UNKNOWN);
        }
        if (settled == XenbusState.INIT_WAIT)
        {
            return new Expected(settled, List.of(XenbusState.INITIALISING), null, null);
        }
        return new Expected(settled, List.of(XenbusState.CLOSED, XenbusState.INITIALISING), null, null);
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void shouldReachInitWaitOrTimeOutNamingTheStateFromEveryStartState(final StoreKind kind) throws Exception
    {
        final List<String> failures = new ArrayList<>();
        int domid = 1;
        try (StoreKind.Handle handle = kind.open())
        {
            for (final Behaviour behaviour : Behaviour.values())
            {
                for (final XenbusState back : STATES)
                {
                    for (final XenbusState front : STATES)
                    {
                        final String failure = runCase(handle, domid++, behaviour, back, front);
                        if (failure != null)
                        {
                            failures.add(behaviour + " back=" + back + " front=" + front + ": " + failure);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), failures, "cases that differ from the model (" + kind + ")");
    }

    private static String runCase(
        final StoreKind.Handle handle,
        final int domid,
        final Behaviour behaviour,
        final XenbusState back,
        final XenbusState front)
    {
        final Expected expected = expected(behaviour, back, front);
        final Duration resetTimeout = expected.timesOut() ? DEADLINE : HANG_BOUND;
        try (VifRig rig = new VifRig(handle.store, domid, PacketSinks.discard(), resetTimeout))
        {
            rig.writeBackendState(back);
            writeStaleKeys(rig);
            rig.writeFrontendState(front);
            final XenbusNetBack backend = back == XenbusState.UNKNOWN ? null : rig.backend(behaviour);
            if (backend != null)
            {
                backend.start();
            }
            final XenbusState settled = rig.backendState();
            if (settled != expected.settled())
            {
                return "settled in " + settled + ", model says " + expected.settled();
            }
            final XenbusNetFront netfront = rig.frontend();
            rig.transitions.clear();
            final long start = System.nanoTime();
            String outcome;
            try
            {
                netfront.reset();
                outcome = "InitWait";
            }
            catch (final XenbusTimeoutException ex)
            {
                outcome = "timeout " + ex.awaited() + "/" + ex.lastSeen();
                if (!ex.getMessage().contains("awaited=" + ex.awaited().iterator().next()) ||
                    !ex.getMessage().contains("lastSeen=" + ex.lastSeen()))
                {
                    return "timeout message does not name the states: " + ex.getMessage();
                }
            }
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            final String expectedOutcome = expected.timesOut() ?
                "timeout [" + expected.awaited() + "]/" + expected.lastSeen() : "InitWait";
            if (!outcome.equals(expectedOutcome))
            {
                return "outcome " + outcome + ", model says " + expectedOutcome;
            }
            if (elapsedMs > resetTimeout.toMillis() + HANG_BOUND.toMillis()) // a hang, not a slow machine
            {
                return "took " + elapsedMs + " ms";
            }
            final List<String> frontWrites = frontWrites(rig.transitions);
            final List<String> expectedWrites = expected.writes().stream().map(XenbusState::xenName).toList();
            if (!frontWrites.equals(expectedWrites))
            {
                return "frontend wrote " + frontWrites + ", model says " + expectedWrites;
            }
            if (backend != null)
            {
                final String problem = checkBackend(rig, backend, behaviour, front, expected);
                if (problem != null)
                {
                    return problem;
                }
            }
            return null;
        }
    }

    /**
     * What an unclean reboot leaves: a dead instance's complete key set, both event-channel forms, naming ports no
     * end holds any more (and ring refs nobody granted). With them in place a backend must still never connect.
     */
    private static void writeStaleKeys(final VifRig rig)
    {
        final String fe = rig.vif.frontendPath() + "/";
        rig.store.write(fe + "tx-ring-ref", "8");
        rig.store.write(fe + "rx-ring-ref", "9");
        rig.store.write(fe + "event-channel", "3");
        rig.store.write(fe + "event-channel-tx", "1");
        rig.store.write(fe + "event-channel-rx", "2");
        rig.store.write(fe + "request-rx-copy", "1");
        rig.store.write(fe + "feature-rx-notify", "1");
        rig.store.write(fe + "feature-sg", "1");
    }

    /**
     * The backend must have acted on the last write; what it observed must be the frontend's start state and
     * writes in order (level-triggered, it may miss a state replaced before it looked, but only when that changed
     * nothing: it was already Closed); a legacy backend must never act on Initialising outside Closed or InitWait;
     * a backend that was neither Closed nor InitWait must have been taken through Closed.
     */
    private static String checkBackend(
        final VifRig rig,
        final XenbusNetBack backend,
        final Behaviour behaviour,
        final XenbusState front,
        final Expected expected)
    {
        final XenbusState last = expected.writes().get(expected.writes().size() - 1);
        final long deadline = System.nanoTime() + HANG_BOUND.toNanos(); // bounds a hang only
        while (lastObserved(backend) != last && System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        final List<XenbusState> seen = backend.observedFrontendStates();
        final List<XenbusState> written = new ArrayList<>(List.of(front));
        written.addAll(expected.writes());
        if (lastObserved(backend) != last || !isSubsequence(seen, written) || seen.get(0) != front)
        {
            return "backend observed " + seen + ", frontend wrote " + written;
        }
        final List<XenbusNetBack.Observation> observations = backend.observations();
        int first = 0;
        while (first < observations.size() && observations.get(first).frontend() == front)
        {
            first++; // the start state was not written by reset
        }
        for (final XenbusNetBack.Observation o : observations.subList(first, observations.size()))
        {
            if (behaviour == Behaviour.LEGACY && o.frontend() == XenbusState.INITIALISING &&
                o.backend() != XenbusState.CLOSED && o.backend() != XenbusState.INIT_WAIT)
            {
                return "legacy backend handed Initialising in " + o.backend() + ": " + backend.observations();
            }
        }
        if (expected.settled() != XenbusState.CLOSED && expected.settled() != XenbusState.INIT_WAIT &&
            !rig.transitions.stream().anyMatch(t -> t.startsWith("back ") && t.endsWith("->Closed")))
        {
            return "backend not taken through Closed: " + rig.transitions;
        }
        if (rig.backendState() != XenbusState.INIT_WAIT || rig.back.state() != NetBack.State.CLOSED)
        {
            return "backend ended in " + rig.backendState() + " with rings " + rig.back.state();
        }
        return null;
    }

    private static XenbusState lastObserved(final XenbusNetBack backend)
    {
        final List<XenbusState> seen = backend.observedFrontendStates();
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }

    private static boolean isSubsequence(final List<XenbusState> seen, final List<XenbusState> written)
    {
        int i = 0;
        for (final XenbusState state : written)
        {
            if (i < seen.size() && seen.get(i) == state)
            {
                i++;
            }
        }
        return i == seen.size();
    }

    private static List<String> frontWrites(final List<String> transitions)
    {
        final List<String> writes = new ArrayList<>();
        synchronized (transitions)
        {
            for (final String t : transitions)
            {
                if (t.startsWith("front "))
                {
                    writes.add(t.substring(t.indexOf("->") + 2));
                }
            }
        }
        return writes;
    }

    @Test
    void shouldNeverHandALegacyBackendInitialisingOutsideClosedOrInitWait()
    {
        for (final XenbusState back : STATES)
        {
            for (final XenbusState front : STATES)
            {
                final Expected e = expected(Behaviour.LEGACY, back, front);
                if (!e.timesOut() && e.settled() != XenbusState.INIT_WAIT)
                {
                    assertEquals(List.of(XenbusState.CLOSED, XenbusState.INITIALISING), e.writes(), back + "/" + front);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Behaviour.class)
    void shouldTimeOutInConnectedWhenALegacyBackendIsNotTakenThroughClosed(final Behaviour behaviour) throws Exception
    {
        try (StoreKind.Handle handle = StoreKind.EMBEDDED.open();
            VifRig rig = new VifRig(handle.store, 1, PacketSinks.discard(), HANG_BOUND))
        {
            rig.writeBackendState(XenbusState.CONNECTED);
            rig.writeFrontendState(XenbusState.CONNECTED);
            rig.backend(behaviour).start();
            // A naive reset: straight to Initialising, skipping Closed (what reset() must not do).
            rig.writeFrontendState(XenbusState.INITIALISING);
            final XenbusStateNode backState = new XenbusStateNode(rig.store, rig.vif.backendPath());
            if (behaviour == Behaviour.MODERN)
            {
                assertEquals(XenbusState.INIT_WAIT, backState.await(XenbusState.INIT_WAIT, HANG_BOUND));
                assertTrue(rig.transitions.containsAll(List.of("back Connected->Closing", "back Closing->Closed",
                    "back Closed->InitWait")), rig.transitions.toString());
            }
            else
            {
                final XenbusTimeoutException ex = assertThrows(XenbusTimeoutException.class,
                    () -> backState.await(XenbusState.INIT_WAIT, DEADLINE));
                assertEquals(XenbusState.CONNECTED, ex.lastSeen());
                assertTrue(ex.getMessage().contains("awaited=InitWait(2), lastSeen=Connected(4)"), ex.getMessage());
                // ... while the real reset goes through Closed and gets there.
                rig.frontend().reset();
                assertEquals(XenbusState.INIT_WAIT, rig.backendState());
                assertEquals(List.of(XenbusState.CONNECTED, XenbusState.INITIALISING, XenbusState.CLOSED,
                    XenbusState.INITIALISING), rig.xenbusBack.observedFrontendStates());
            }
        }
    }

    @Test
    void shouldHaveTheOutcomeTableInTheReadme() throws IOException
    {
        final Path readme = Path.of("..", "README.md");
        final String text = Files.readString(readme, StandardCharsets.UTF_8);
        final String table = outcomeTable();
        assertTrue(text.contains(table), "README.md lacks the reset outcome table; expected:\n" + table);
    }

    /** @return the markdown table of {@link #expected} for every start (as in the README). */
    static String outcomeTable()
    {
        final StringBuilder sb = new StringBuilder("| backend | start |");
        for (final XenbusState front : STATES)
        {
            sb.append(" front ").append(front.xenName()).append(" |");
        }
        sb.append("\n|---|---|");
        sb.append("---|".repeat(STATES.length));
        sb.append('\n');
        for (final Behaviour behaviour : Behaviour.values())
        {
            for (final XenbusState back : STATES)
            {
                sb.append("| ").append(behaviour.name().toLowerCase()).append(" | ").append(back).append(" |");
                for (final XenbusState front : STATES)
                {
                    sb.append(' ').append(expected(behaviour, back, front).cell()).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Prints the table (for the README).
     *
     * @param args unused.
     */
    public static void main(final String[] args)
    {
        System.out.print(outcomeTable());
    }
}
