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
 * Events: at each connect the backend binds the ports the frontend published ({@code tx_event_port},
 * {@code rx_event_port}) in the file's event table and hands those ends to {@link NetBack#connect}; a port the
 * frontend does not hold (a dead frontend's, a free one) never binds. Rings are resolved through their grants from
 * any frame of the frontend in the file. A generation whose rings or ports are refused is skipped and the backend
 * stays in {@code InitWait} for the next one. One backend per file ({@link ShmDeviceFile#claimBackend()}).
 * Single-threaded.
 */
public final class ShmBackend implements AutoCloseable
{
    private static final int POLL_LIMIT = 64;

    private final ShmDeviceFile file;
    private final NetBack back;
    private long staleGeneration;
    private long connectedGeneration = -1;
    private long connects;
    private long faults;
    private String lastRefusal;

    /**
     * Creates the backend and announces {@code InitWait}.
     *
     * @param file the attached device file.
     * @param sink where transmitted packets go; {@code null} for loopback (echo into the same frontend's rx).
     * @throws ShmClaimException when another backend serves the file.
     */
    public ShmBackend(final ShmDeviceFile file, final PacketSink sink)
    {
        this.file = file;
        file.claimBackend();
        final NetBack[] self = new NetBack[1];
        // loopback: rx responses are pushed once per backend step (flushRx after pollTx), not per packet
        final PacketSink target = null != sink ? sink :
            (buffer, offset, length) -> self[0].deliver(buffer, offset, length, true);
        this.back = new NetBack(file.backendDomid(), file.grantTable(), file.frontendMemory(), target);
        self[0] = back;
        // A frontend already Connected belongs to a previous backend: wait for its next generation.
        staleGeneration = file.frontendState() == XenbusState.CONNECTED.code() ? file.generation() : -1;
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
        if (work == 0 && back.state() == NetBack.State.CONNECTED)
        {
            back.txEvent().consume(); // wake-up hints only: the ring was just checked
            back.rxEvent().consume();
        }
        return Math.max(0, work);
    }

    private void connect(final long generation)
    {
        final int txPort = file.txEventPort(); // each word read once: the frontend may rewrite them
        final int rxPort = file.rxEventPort();
        final int txRef = file.txRingRef();
        final int rxRef = file.rxRingRef();
        final ShmEventTable events = file.events();
        final EventChannel tx = events.bindInterdomain(file.backendDomid(), file.frontendDomid(), txPort);
        final EventChannel rx = null == tx ? null :
            txPort == rxPort ? tx : events.bindInterdomain(file.backendDomid(), file.frontendDomid(), rxPort);
        if (null == rx)
        {
            closeQuietly(tx);
            refuse(generation, "bad or missing event channel: tx_event_port=" + (txPort & 0xFFFF_FFFFL) +
                ", rx_event_port=" + (rxPort & 0xFFFF_FFFFL) + " (not held unbound by a live frontend)");
            return;
        }
        final int rc = back.connect(file.frontendDomid(), txRef, rxRef, file.frontendMemory(), tx, rx);
        if (rc != 0)
        {
            closeQuietly(rx);
            closeQuietly(tx);
            refuse(generation, "cannot map the frontend's rings: tx_ring_ref=" + (txRef & 0xFFFF_FFFFL) +
                ", rx_ring_ref=" + (rxRef & 0xFFFF_FFFFL) + ", fault=" + back.fault());
            return;
        }
        connectedGeneration = generation;
        connects++;
        lastRefusal = null;
        file.backendState(XenbusState.CONNECTED);
        back.rxEvent().notifyPeer();
    }

    /** A generation that cannot connect is skipped; InitWait again, so the frontend's next attempt can. */
    private void refuse(final long generation, final String reason)
    {
        faults++;
        lastRefusal = reason;
        System.err.println("backend: " + reason + ", waiting for the frontend's next generation");
        back.disconnect();
        staleGeneration = generation;
        file.backendState(XenbusState.INIT_WAIT);
    }

    private static void closeQuietly(final EventChannel end)
    {
        if (null != end)
        {
            end.close();
        }
    }

    /** @return why the last generation was refused ({@code null} after a successful connect or none yet). */
    public String lastRefusal()
    {
        return lastRefusal;
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
