package org.xennet.core.netback;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.event.EventChannel;
import org.xennet.core.memory.RoleCounters;
import org.xennet.grant.FrameMapper;
import org.xennet.grant.GrantAccess;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantFlags;
import org.xennet.grant.GrantTable;
import org.xennet.rings.BackRing;
import org.xennet.rings.SharedRingDescriptor;
import org.xennet.rings.netif.NetifConstants;
import org.xennet.rings.netif.NetifResponseStatus;
import org.xennet.rings.netif.NetifRxFlags;
import org.xennet.rings.netif.NetifRxRequestFlyweight;
import org.xennet.rings.netif.NetifRxResponseFlyweight;
import org.xennet.rings.netif.NetifRxRing;
import org.xennet.rings.netif.NetifTxFlags;
import org.xennet.rings.netif.NetifTxRequestFlyweight;
import org.xennet.rings.netif.NetifTxResponseFlyweight;
import org.xennet.rings.netif.NetifTxRing;

/**
 * A Xen netif backend (one vif) in copy mode, as Linux netback: consumes tx requests, copies each packet out of
 * the frontend's granted pages through {@link GrantAccess}, hands it to a {@link PacketSink} and answers; delivers
 * packets into the frontend's posted rx buffers ({@code NETRXF_more_data} when a packet needs several).
 * <p>
 * Never trusting the frontend: {@code req_prod} is read once per round and checked for overflow; each request is
 * read once into locals; grefs, offsets, sizes and chains are validated. A bad gref or an inconsistent size is
 * answered {@code NETIF_RSP_ERROR}; a broken ring protocol (producer overflow, over-long chain, a fragment crossing
 * its page, a bad ring grant) disconnects the frontend with a {@link FrontendFault}. Nothing is thrown.
 * <p>
 * <b>Threading.</b> {@link #pollTx} runs on one thread, {@link #deliver} on one thread (may differ: e.g. the
 * peer backend's tx thread in a loopback). {@link #connect} and {@link #disconnect} run while neither is active.
 */
public final class NetBack
{
    /** Result of {@link #pollTx}/{@link #connect}: the backend is not connected. */
    public static final int NOT_CONNECTED = -11;

    /** Result of {@link #pollTx}/{@link #connect}: the frontend was disconnected for a {@link FrontendFault}. */
    public static final int FAULTED = -12;

    /** Backend state. */
    public enum State
    {
        /** No frontend attached. */
        CLOSED,
        /** Rings mapped, event channels bound. */
        CONNECTED,
        /** The frontend broke the protocol; nothing more is consumed or delivered. */
        FAULTED
    }

    private static final int PAGE_LENGTH = SharedRingDescriptor.PAGE_LENGTH;
    private static final int MAX_TX_SLOTS = NetifConstants.NR_SLOTS_MIN; // Linux: fatal_skb_slots
    private static final int INCOMPLETE = Integer.MIN_VALUE;

    private final int backendDomid;
    private final GrantTable frontendTable;
    private final GrantAccess access;
    private final PacketSink sink;

    private volatile State state = State.CLOSED;
    private final AtomicReference<FrontendFault> fault = new AtomicReference<>(FrontendFault.NONE);
    private int frontendDomid = -1;
    private BackRing txRing;
    private BackRing rxRing;
    private EventChannel txEvent;
    private EventChannel rxEvent;

    // ---- tx: one private copy of the chain being consumed ----------------------------------------------------
    private final int[] chainGref = new int[MAX_TX_SLOTS];
    private final int[] chainOffset = new int[MAX_TX_SLOTS];
    private final int[] chainId = new int[MAX_TX_SLOTS];
    private final int[] chainSize = new int[MAX_TX_SLOTS];
    private final UnsafeBuffer staging = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(MAX_TX_SLOTS * PAGE_LENGTH, PAGE_LENGTH));
    private int stagedSlots;   // > 0 while a back-pressured packet waits in staging (ids in chainId)
    private int stagedLength;
    private final NetifTxRequestFlyweight txRequest = new NetifTxRequestFlyweight();
    private final NetifTxResponseFlyweight txResponse = new NetifTxResponseFlyweight();
    private final NetifRxRequestFlyweight rxRequest = new NetifRxRequestFlyweight();
    private final NetifRxResponseFlyweight rxResponse = new NetifRxResponseFlyweight();

    // Counters: pollTx and deliver may run on different threads (deliver runs on the peer backend's pollTx in a
    // loopback), so each role writes only its own block (release stores, own cache lines).
    private static final int ROLE_TX = 0;
    private static final int ROLE_RX = 1;
    private static final int TX_PACKETS = RoleCounters.offset(ROLE_TX, 0);
    private static final int TX_BYTES = RoleCounters.offset(ROLE_TX, 1);
    private static final int TX_ERROR_RESPONSES = RoleCounters.offset(ROLE_TX, 2);
    private static final int TX_DROPPED_RESPONSES = RoleCounters.offset(ROLE_TX, 3);
    private static final int RX_PACKETS = RoleCounters.offset(ROLE_RX, 0);
    private static final int RX_BYTES = RoleCounters.offset(ROLE_RX, 1);
    private static final int RX_COPY_ERRORS = RoleCounters.offset(ROLE_RX, 2);
    private static final int RX_BACK_PRESSURED = RoleCounters.offset(ROLE_RX, 3);
    private final RoleCounters counters = new RoleCounters(ROLE_RX + 1);

    /**
     * Creates a closed backend.
     *
     * @param backendDomid  this backend's domain id (the grantee of the frontend's grants).
     * @param frontendTable the frontend guest's grant table (what the hypervisor consults).
     * @param frontendMemory how the hypervisor reaches the frontend's frames (packets and rx buffers).
     * @param sink          where transmitted packets go.
     */
    public NetBack(
        final int backendDomid,
        final GrantTable frontendTable,
        final FrameMapper frontendMemory,
        final PacketSink sink)
    {
        this.backendDomid = backendDomid;
        this.frontendTable = frontendTable;
        this.access = new GrantAccess(frontendTable, backendDomid, frontendMemory);
        this.sink = sink;
    }

    // =========================================================================================================
    // Lifecycle: connect = map tx ring, map rx ring, bind event channels; disconnect = the reverse.
    // =========================================================================================================

    /**
     * Attaches to a frontend: validates and maps both ring grants, binds the event channels.
     *
     * @param frontendDomid the frontend's domain id.
     * @param txRingRef     grant ref of the tx ring page.
     * @param rxRingRef     grant ref of the rx ring page.
     * @param ringMemory    how to reach the frames of the ring pages.
     * @param frontTxEvent  the frontend's unbound tx event channel end.
     * @param frontRxEvent  the frontend's unbound rx event channel end.
     * @return 0 when connected, {@link #FAULTED} with {@link FrontendFault#BAD_RING_REF} otherwise.
     */
    public int connect(
        final int frontendDomid,
        final int txRingRef,
        final int rxRingRef,
        final FrameMapper ringMemory,
        final EventChannel frontTxEvent,
        final EventChannel frontRxEvent)
    {
        if (state == State.CONNECTED)
        {
            throw new IllegalStateException("netback already connected: frontendDomid=" + this.frontendDomid);
        }
        fault.set(FrontendFault.NONE);
        final AtomicBuffer txPage = mapRing(txRingRef, ringMemory);
        final AtomicBuffer rxPage = null == txPage ? null : mapRing(rxRingRef, ringMemory);
        if (null == rxPage)
        {
            fault.set(FrontendFault.BAD_RING_REF);
            state = State.FAULTED;
            return FAULTED;
        }
        this.frontendDomid = frontendDomid;
        txRing = NetifTxRing.back(txPage);
        txRing.init(); // BACK_RING_INIT: the frontend already ran SHARED_RING_INIT
        rxRing = NetifRxRing.back(rxPage);
        rxRing.init();
        txEvent = new EventChannel(frontTxEvent.port());
        txEvent.bind(frontTxEvent);
        rxEvent = new EventChannel(frontRxEvent.port());
        rxEvent.bind(frontRxEvent);
        stagedSlots = 0;
        state = State.CONNECTED;
        return 0;
    }

    /**
     * Detaches from the frontend: closes the event channels and forgets the rings (a staged packet is dropped
     * unanswered, as a backend going away does). Idempotent.
     */
    public void disconnect()
    {
        if (state == State.CLOSED)
        {
            return;
        }
        state = State.CLOSED;
        if (null != rxEvent)
        {
            rxEvent.close();
            txEvent.close();
        }
        stagedSlots = 0;
        txRing = null;
        rxRing = null;
    }

    /** Validates a ring grant (permit_access, writable, to us) and wraps its page: the simulated map. */
    private AtomicBuffer mapRing(final int ref, final FrameMapper ringMemory)
    {
        if (ref < GrantConstants.NR_RESERVED_ENTRIES || ref >= frontendTable.entryCount())
        {
            return null;
        }
        final AtomicBuffer frames = frontendTable.frames();
        final boolean v1 = frontendTable.version() == 1;
        final int entry = v1 ? GrantEntryV1Descriptor.entryOffset(ref) : ref * GrantEntryV2Descriptor.LENGTH;
        final int flags = frames.getShortVolatile(entry) & 0xFFFF; // acquire: frame and domid were written before
        final int domid = frames.getShort(entry + GrantEntryV1Descriptor.DOMID_OFFSET) & 0xFFFF;
        final long frame = v1 ?
            frames.getInt(entry + GrantEntryV1Descriptor.FRAME_OFFSET) & 0xFFFF_FFFFL :
            frames.getLong(entry + GrantEntryV2Descriptor.FULL_PAGE_FRAME_OFFSET);
        if ((flags & GrantFlags.TYPE_MASK) != GrantFlags.PERMIT_ACCESS || (flags & GrantFlags.READONLY) != 0 ||
            (flags & GrantFlags.SUB_PAGE) != 0 || domid != backendDomid)
        {
            return null;
        }
        final long offset = ringMemory.pageOffset(frame);
        if (offset < 0 || offset + PAGE_LENGTH > ringMemory.buffer().capacity())
        {
            return null;
        }
        return new UnsafeBuffer(ringMemory.buffer(), (int)offset, PAGE_LENGTH);
    }

    // =========================================================================================================
    // tx: frontend -> sink
    // =========================================================================================================

    /**
     * Consumes tx requests: copies each packet out through the grant table, hands it to the sink and answers
     * every slot. Stops early while the sink is back-pressured (the packet stays staged). Ends with the ring's final
     * check (re-arms {@code req_event}) when under the limit.
     *
     * @param limit most packets to process.
     * @return packets processed (&ge; 0), {@link #NOT_CONNECTED} or {@link #FAULTED}.
     */
    public int pollTx(final int limit)
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.FAULTED ? FAULTED : NOT_CONNECTED;
        }
        final BackRing ring = txRing;
        int packets = 0;
        if (stagedSlots > 0)
        {
            if (!offerStaged())
            {
                return 0;
            }
            packets++;
        }
        do
        {
            final int reqProd = ring.reqProdAcquire(); // once; acquire: slots below it are visible
            if (ring.requestProdOverflow(reqProd))
            {
                return markFaulted(FrontendFault.TX_REQ_PROD_OVERFLOW);
            }
            while (ring.reqCons() != reqProd && packets < limit)
            {
                final int rc = consumePacket(ring, reqProd);
                if (rc == INCOMPLETE)
                {
                    armRequestEvent(ring, reqProd); // wake when the rest of the chain is pushed
                    pushTxResponses(ring);
                    return packets;
                }
                if (rc < 0)
                {
                    return rc;
                }
                if (stagedSlots > 0)
                {
                    pushTxResponses(ring);
                    return packets;
                }
                packets++;
            }
            pushTxResponses(ring);
        }
        while (packets < limit && ring.finalCheckForRequests() > 0);
        return packets;
    }

    /** Copies one request chain out of the ring (each slot once), validates it, then copies, sinks and answers. */
    private int consumePacket(final BackRing ring, final int reqProd)
    {
        final AtomicBuffer page = ring.buffer();
        final int cons = ring.reqCons();
        int slots = 0;
        boolean more = true;
        while (more)
        {
            if (cons + slots == reqProd)
            {
                return INCOMPLETE; // more_data promised a slot not pushed yet
            }
            if (slots == MAX_TX_SLOTS)
            {
                return markFaulted(FrontendFault.TX_CHAIN_TOO_LONG);
            }
            txRequest.wrap(page, ring.requestOffset(cons + slots));
            chainGref[slots] = txRequest.gref(); // RING_COPY_REQUEST: each field read once, only copies used
            chainOffset[slots] = txRequest.offset();
            more = (txRequest.flags() & NetifTxFlags.MORE_DATA) != 0;
            chainId[slots] = txRequest.id();
            chainSize[slots] = txRequest.size();
            slots++;
        }
        ring.reqCons(cons + slots);
        final int total = chainSize[0]; // netif.h: the first slot carries the whole packet's size
        int firstLength = total;
        for (int i = 1; i < slots; i++)
        {
            if (chainOffset[i] + chainSize[i] > PAGE_LENGTH)
            {
                return markFaulted(FrontendFault.TX_CROSSES_PAGE);
            }
            firstLength -= chainSize[i];
        }
        if (firstLength > 0 && chainOffset[0] + firstLength > PAGE_LENGTH)
        {
            return markFaulted(FrontendFault.TX_CROSSES_PAGE);
        }
        if (firstLength <= 0)
        {
            respondTx(ring, slots, NetifResponseStatus.ERROR); // sizes do not add up (Linux: "Invalid tx request")
            return 0;
        }
        chainSize[0] = firstLength;
        int position = 0;
        for (int i = 0; i < slots; i++)
        {
            if (access.copyFromGrant(chainGref[i], chainOffset[i], staging, position, chainSize[i]) !=
                GrantConstants.GNTST_OKAY)
            {
                respondTx(ring, slots, NetifResponseStatus.ERROR);
                return 0;
            }
            position += chainSize[i];
        }
        stagedSlots = slots;
        stagedLength = total;
        offerStaged();
        return 0;
    }

    /** Offers the staged packet to the sink; answers its slots unless back-pressured. */
    private boolean offerStaged()
    {
        final int rc = sink.onPacket(staging, 0, stagedLength);
        if (rc == PacketSink.BACK_PRESSURED)
        {
            return false;
        }
        final int slots = stagedSlots;
        stagedSlots = 0;
        if (rc == PacketSink.ACCEPTED)
        {
            counters.increment(TX_PACKETS);
            counters.add(TX_BYTES, stagedLength);
            respondTx(txRing, slots, NetifResponseStatus.OKAY);
        }
        else
        {
            respondTx(txRing, slots, NetifResponseStatus.DROPPED);
        }
        return true; // the caller pushes the responses once per round
    }

    private void respondTx(final BackRing ring, final int slots, final int status)
    {
        final AtomicBuffer page = ring.buffer();
        int prod = ring.rspProdPvt();
        for (int i = 0; i < slots; i++)
        {
            txResponse.wrap(page, ring.responseOffset(prod++)).id(chainId[i]).status(status);
        }
        ring.rspProdPvt(prod);
        if (status == NetifResponseStatus.ERROR)
        {
            counters.increment(TX_ERROR_RESPONSES);
        }
        else if (status == NetifResponseStatus.DROPPED)
        {
            counters.increment(TX_DROPPED_RESPONSES);
        }
    }

    private void pushTxResponses(final BackRing ring)
    {
        if (ring.pushResponsesAndCheckNotify()) // release rsp_prod, full fence, then rsp_event
        {
            txEvent.notifyPeer();
        }
    }

    // =========================================================================================================
    // rx: packet -> frontend
    // =========================================================================================================

    /**
     * Delivers one packet into the frontend's posted rx buffers, one page per buffer, {@code NETRXF_more_data} on
     * all but the last. Needs as many posted buffers as the packet needs slots (netback's stall rule B2); otherwise
     * arms {@code req_event} and reports back-pressure. A buffer that cannot be written (bad gref) is answered
     * {@code NETIF_RSP_ERROR}, which ends the packet.
     *
     * @param buffer packet bytes.
     * @param offset offset of the first byte.
     * @param length packet length (1 .. 18 pages).
     * @return {@link PacketSink#ACCEPTED}, {@link PacketSink#BACK_PRESSURED} or {@link PacketSink#DROPPED}.
     */
    public int deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        if (state != State.CONNECTED || length < 1 || length > MAX_TX_SLOTS * PAGE_LENGTH)
        {
            return PacketSink.DROPPED;
        }
        final BackRing ring = rxRing;
        final int needed = (length + PAGE_LENGTH - 1) / PAGE_LENGTH;
        if (!rxSlotsAvailable(ring, needed))
        {
            if (state != State.CONNECTED)
            {
                return PacketSink.DROPPED;
            }
            counters.increment(RX_BACK_PRESSURED);
            return PacketSink.BACK_PRESSURED;
        }
        final AtomicBuffer page = ring.buffer();
        int cons = ring.reqCons();
        int prod = ring.rspProdPvt();
        int position = 0;
        int result = PacketSink.ACCEPTED;
        for (int i = 0; i < needed; i++)
        {
            rxRequest.wrap(page, ring.requestOffset(cons++));
            final int id = rxRequest.id(); // each field read once
            final int gref = rxRequest.gref();
            final int fragmentLength = Math.min(PAGE_LENGTH, length - position);
            final boolean last = i == needed - 1;
            final int rc = access.copyToGrant(gref, 0, buffer, offset + position, fragmentLength);
            rxResponse.wrap(page, ring.responseOffset(prod++)).id(id).offset(0);
            if (rc != GrantConstants.GNTST_OKAY)
            {
                rxResponse.flags(0).status(NetifResponseStatus.ERROR); // ends the chain: the packet is lost
                counters.increment(RX_COPY_ERRORS);
                result = PacketSink.DROPPED;
                break;
            }
            rxResponse.flags(last ? 0 : NetifRxFlags.MORE_DATA).status(fragmentLength);
            position += fragmentLength;
        }
        ring.reqCons(cons);
        ring.rspProdPvt(prod);
        if (result == PacketSink.ACCEPTED)
        {
            counters.increment(RX_PACKETS);
            counters.add(RX_BYTES, length);
        }
        if (ring.pushResponsesAndCheckNotify()) // release rsp_prod, full fence, then rsp_event
        {
            rxEvent.notifyPeer();
        }
        return result;
    }

    /** Linux's xenvif_rx_ring_slots_available: enough requests for the next packet, else arm req_event. */
    private boolean rxSlotsAvailable(final BackRing ring, final int needed)
    {
        while (true)
        {
            final int reqProd = ring.reqProdAcquire();
            if (ring.requestProdOverflow(reqProd))
            {
                markFaulted(FrontendFault.RX_REQ_PROD_OVERFLOW);
                return false;
            }
            if (reqProd - ring.reqCons() >= needed)
            {
                return true;
            }
            armRequestEvent(ring, reqProd);
            if (ring.reqProdAcquire() == reqProd)
            {
                return false;
            }
        }
    }

    /** Sets req_event = reqProd + 1 so the next push notifies; full fence before the caller re-reads req_prod. */
    private static void armRequestEvent(final BackRing ring, final int reqProd)
    {
        ring.buffer().putIntRelease(SharedRingDescriptor.REQ_EVENT_OFFSET, reqProd + 1);
        VarHandle.fullFence(); // ring.h xen_mb(): frontend sees req_event before we re-read req_prod
    }

    private int markFaulted(final FrontendFault reason)
    {
        fault.compareAndSet(FrontendFault.NONE, reason); // first fault wins
        state = State.FAULTED;
        return FAULTED;
    }

    // =========================================================================================================
    // Accessors
    // =========================================================================================================

    /** @return the current state (any thread). */
    public State state()
    {
        return state;
    }

    /** @return why the frontend was disconnected, or {@link FrontendFault#NONE}. */
    public FrontendFault fault()
    {
        return fault.get();
    }

    /** @return the connected frontend's domain id (-1 before the first connect). */
    public int frontendDomid()
    {
        return frontendDomid;
    }

    /** @return this end of the tx event channel (null before connect). */
    public EventChannel txEvent()
    {
        return txEvent;
    }

    /** @return this end of the rx event channel (null before connect). */
    public EventChannel rxEvent()
    {
        return rxEvent;
    }

    /** @return the mapped tx back ring (null when not connected; for tests). */
    public BackRing txRing()
    {
        return txRing;
    }

    /** @return the mapped rx back ring (null when not connected; for tests). */
    public BackRing rxRing()
    {
        return rxRing;
    }

    /** @return whether a back-pressured packet waits in staging. */
    public boolean hasStagedPacket()
    {
        return stagedSlots > 0;
    }

    /** @return tx packets the sink accepted. */
    public long txPackets()
    {
        return counters.get(TX_PACKETS);
    }

    /** @return bytes of tx packets the sink accepted. */
    public long txBytes()
    {
        return counters.get(TX_BYTES);
    }

    /** @return tx packets answered ERROR (bad gref, inconsistent sizes). */
    public long txErrorResponses()
    {
        return counters.get(TX_ERROR_RESPONSES);
    }

    /** @return tx packets answered DROPPED by the sink. */
    public long txDroppedResponses()
    {
        return counters.get(TX_DROPPED_RESPONSES);
    }

    /** @return packets delivered into rx buffers. */
    public long rxPackets()
    {
        return counters.get(RX_PACKETS);
    }

    /** @return bytes delivered into rx buffers. */
    public long rxBytes()
    {
        return counters.get(RX_BYTES);
    }

    /** @return rx buffers that could not be written (answered ERROR). */
    public long rxCopyErrors()
    {
        return counters.get(RX_COPY_ERRORS);
    }

    /** @return deliveries refused for lack of posted rx buffers. */
    public long rxBackPressured()
    {
        return counters.get(RX_BACK_PRESSURED);
    }

    /**
     * Names a {@link #pollTx}/{@link #connect} result.
     *
     * @param result the result.
     * @return its name.
     */
    public static String resultString(final int result)
    {
        if (result >= 0)
        {
            return "COUNT(" + result + ")";
        }
        return result == NOT_CONNECTED ? "NOT_CONNECTED" : result == FAULTED ? "FAULTED" : "UNKNOWN(" + result + ")";
    }

    @Override
    public String toString()
    {
        return "NetBack{state=" + state + ", fault=" + fault.get() + ", txPackets=" + txPackets() +
            ", rxPackets=" + rxPackets() + '}';
    }
}
