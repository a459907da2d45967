package org.xennet.core.shm;

import org.xennet.core.event.EventChannel;
import org.xennet.core.netback.NetBack;
import org.xennet.core.netback.PacketSink;
import org.xennet.core.xenbus.XenbusState;

/**
 * A netback serving a {@link ShmDeviceFile} from another process: a duty-cycle agent ({@link #doWork()}) that runs
 * the in-file handshake (see {@code xennet_shm.h}) and the {@link NetBack} data path.
 * <p>
 * Handshake: on start it writes {@code InitWait}. It connects when the frontend is {@code Connected} at a
 * generation it may use, writes {@code Connected}, and polls the tx ring. A frontend found {@code Connected} at
 * start was connected to a previous backend (one that crashed): its rings hold that backend's progress, so this
 * backend waits for the frontend to reset (a new generation) rather than re-reading old requests. A frontend that
 * leaves {@code Connected} or bumps the generation disconnects us back to {@code InitWait}.
 * <p>
 * Events: the {@link NetBack}'s notifications land on local relay ends and are forwarded to the file's
 * to-frontend word; the to-backend word is consumed as a wake-up hint. Single-threaded.
 */
public final class ShmBackend implements AutoCloseable
{
    private static final int POLL_LIMIT = 64;

    private final ShmDeviceFile file;
    private final NetBack back;
    private final EventChannel relayTx = new EventChannel(1);
    private final EventChannel relayRx = new EventChannel(2);
    private long staleGeneration;
    private long connectedGeneration = -1;
    private long connects;
    private long faults;

    /**
     * Creates the backend and announces {@code InitWait}.
     *
     * @param file the attached device file.
     * @param sink where transmitted packets go; {@code null} for loopback (echo into the same frontend's rx).
     */
    public ShmBackend(final ShmDeviceFile file, final PacketSink sink)
    {
        this.file = file;
        final NetBack[] self = new NetBack[1];
        // loopback: rx responses are pushed once per backend step (flushRx after pollTx), not per packet
        final PacketSink target = null != sink ? sink :
            (buffer, offset, length) -> self[0].deliver(buffer, offset, length, true);
        this.back = new NetBack(file.backendDomid(), file.grantTable(), file.guestMemory(), target);
        self[0] = back;
        // A frontend already Connected belongs to a previous backend: wait for its next generation.
        staleGeneration = file.frontendState() == XenbusState.CONNECTED.code() ? file.generation() : -1;
        file.backendPid(ProcessHandle.current().pid());
        file.backendState(XenbusState.INIT_WAIT);
    }

    /**
     * One duty cycle: follows the frontend's state, polls the tx ring, forwards notifications.
     *
     * @return work done (packets), 0 when idle.
     */
    public int doWork()
    {
        final int frontendState = file.frontendState();
        final long generation = file.generation();
        if (back.state() == NetBack.State.CLOSED)
        {
            if (frontendState == XenbusState.CONNECTED.code() && generation != staleGeneration)
            {
                connect(generation);
            }
            file.toBackend().consume();
            return 0;
        }
        if (frontendState != XenbusState.CONNECTED.code() || generation != connectedGeneration)
        {
            disconnect(); // frontend reset or left: its next generation gets a fresh connect
            return 0;
        }
        int work = back.pollTx(POLL_LIMIT);
        back.flushRx(); // loopback: one rx push per backend step
        if (work == NetBack.FAULTED)
        {
            faults++;
            System.err.println("backend: frontend faulted: " + back.fault() + ", waiting for a reset");
            disconnect();
            work = 0;
        }
        if (relayTx.consume() | relayRx.consume())
        {
            file.toFrontend().notifyPeer();
        }
        if (work == 0)
        {
            file.toBackend().consume();
        }
        return Math.max(0, work);
    }

    private void connect(final long generation)
    {
        final int rc = back.connect(
            file.frontendDomid(), file.txRingRef(), file.rxRingRef(), file.ringMemory(), relayTx, relayRx);
        if (rc != 0)
        {
            faults++;
            System.err.println("backend: cannot map the frontend's rings: " + back.fault());
            back.disconnect();
            staleGeneration = generation;
            file.backendState(XenbusState.CLOSING);
            return;
        }
        connectedGeneration = generation;
        connects++;
        file.backendState(XenbusState.CONNECTED);
        file.toFrontend().notifyPeer();
    }

    private void disconnect()
    {
        back.disconnect();
        staleGeneration = connectedGeneration;
        connectedGeneration = -1;
        file.backendState(XenbusState.INIT_WAIT);
    }

    /**
     * Detaches cleanly: {@code Closing}, disconnect, {@code Closed}.
     */
    @Override
    public void close()
    {
        file.backendState(XenbusState.CLOSING);
        back.disconnect();
        file.backendState(XenbusState.CLOSED);
        file.toFrontend().notifyPeer();
    }

    /** @return the netback (counters, state). */
    public NetBack netBack()
    {
        return back;
    }

    /** @return how many times a frontend generation was connected. */
    public long connects()
    {
        return connects;
    }

    /** @return frontend faults and refused rings. */
    public long faults()
    {
        return faults;
    }
}
