package org.xennet.core.netback;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.event.EventChannel;
import org.xennet.core.memory.RoleCounters;
import org.xennet.core.offload.FrameConsumer;
import org.xennet.core.offload.OffloadFeatures;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.PacketHeaders;
import org.xennet.core.offload.TcpSegmenter;
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
import org.xennet.rings.netif.NetifExtraInfoDescriptor;
import org.xennet.rings.netif.NetifExtraInfoFlyweight;
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
 * <b>Offload</b> (as Linux netback): a tx packet's {@code NETTXF_extra_info} slots follow its first request (GSO
 * parsed and validated, other types skipped) and are answered {@code NETIF_RSP_NULL}; {@code NETTXF_csum_blank} and
 * GSO packets get csum_start/offset from their headers ({@code skb_checksum_setup}); the sink receives it all in an
 * {@link OffloadInfo}. On rx, a GSO packet gets {@code NETRXF_extra_info} on its first response and the GSO extra
 * in the next slot; a blank checksum becomes {@code NETRXF_csum_blank | NETRXF_data_validated}. What the frontend
 * did not negotiate ({@link #frontendOffload(int)}) is done in software first: GSO frames are segmented, blank
 * checksums completed.
 * <p>
 * <b>Threading.</b> {@link #pollTx} runs on one thread, {@link #deliver} and {@link #flushRx} on one thread
 * (may differ: e.g. the
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
    private static final int MAX_EXTRA_SLOTS = 8; // Linux allows one of each type (XEN_NETIF_EXTRA_TYPE_MAX - 1)

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
    private FrontendFeatures features = FrontendFeatures.ALL;

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
    private int rxUnpushed; // rx responses written with more, not yet pushed (deliver thread only)
    private final NetifExtraInfoFlyweight extraInfo = new NetifExtraInfoFlyweight();

    // ---- offload --------------------------------------------------------------------------------------------
    private volatile int frontendOffload = OffloadFeatures.SG;
    private final OffloadInfo txOffload = new OffloadInfo();   // the staged packet's metadata
    private final PacketHeaders txHeaders = new PacketHeaders();
    private final PacketHeaders rxHeaders = new PacketHeaders();
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final UnsafeBuffer rxScratch = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(org.agrona.BitUtil.align(TcpSegmenter.MAX_FRAME, 64), 64));
    private final FrameConsumer segmentDelivery = this::deliverSegment;
    private int stagedExtras;         // extra-info slots after the chain's first request (answered NETIF_RSP_NULL)
    private final OffloadInfo deliverFlags = new OffloadInfo(); // deliver(..., int flags)
    private int gsoSegmentsDone;      // segments of a back-pressured software-segmented frame already delivered
    private int gsoSegmentsThisCall;

    // Counters: pollTx and deliver may run on different threads (deliver runs on the peer backend's pollTx in a
    // loopback), so each role writes only its own block (release stores, own cache lines: RoleCounters).
    private static final int ROLE_TX = 0;
    private static final int ROLE_RX = 1;
    private static final int TX_PACKETS = RoleCounters.offset(ROLE_TX, 0);
    private static final int TX_BYTES = RoleCounters.offset(ROLE_TX, 1);
    private static final int TX_ERROR_RESPONSES = RoleCounters.offset(ROLE_TX, 2);
    private static final int TX_DROPPED_RESPONSES = RoleCounters.offset(ROLE_TX, 3);
    private static final int TX_GSO_PACKETS = RoleCounters.offset(ROLE_TX, 4);
    private static final int TX_CSUM_BLANK_PACKETS = RoleCounters.offset(ROLE_TX, 5);
    private static final int TX_CHECKSUM_SETUP_ERRORS = RoleCounters.offset(ROLE_TX, 6);
    private static final int TX_EXTRA_INFO_SLOTS = RoleCounters.offset(ROLE_TX, 7);
    private static final int TX_UNKNOWN_EXTRAS = RoleCounters.offset(ROLE_TX, 8);
    private static final int TX_MULTICAST_CONTROL = RoleCounters.offset(ROLE_TX, 9);
    private static final int RX_PACKETS = RoleCounters.offset(ROLE_RX, 0);
    private static final int RX_BYTES = RoleCounters.offset(ROLE_RX, 1);
    private static final int RX_COPY_ERRORS = RoleCounters.offset(ROLE_RX, 2);
    private static final int RX_BACK_PRESSURED = RoleCounters.offset(ROLE_RX, 3);
    private static final int RX_GSO_PACKETS = RoleCounters.offset(ROLE_RX, 4);
    private static final int RX_CSUM_BLANK_PACKETS = RoleCounters.offset(ROLE_RX, 5);
    private static final int RX_SEGMENTED_FRAMES = RoleCounters.offset(ROLE_RX, 6);
    private static final int RX_SEGMENTS_SENT = RoleCounters.offset(ROLE_RX, 7);
    private static final int RX_CHECKSUMS_COMPLETED = RoleCounters.offset(ROLE_RX, 8);
    private static final int RX_OFFLOAD_ERRORS = RoleCounters.offset(ROLE_RX, 9);
    private static final int RX_DROPPED_NO_SG = RoleCounters.offset(ROLE_RX, 10);
    private static final int RX_DROPPED_CSUM_BLANK = RoleCounters.offset(ROLE_RX, 11);
    private final RoleCounters counters = new RoleCounters(ROLE_RX + 1);
    private int lastGsoSize;
    private int lastGsoType;

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

    /**
     * Sets what the next connection's frontend offers (read by the xenbus layer from the frontend's keys): its
     * {@code feature-sg} and {@code feature-no-csum-offload} also set those bits of {@link #frontendOffload()}.
     * Setup-time: call while not connected.
     *
     * @param frontendFeatures the frontend's features.
     */
    public void frontendFeatures(final FrontendFeatures frontendFeatures)
    {
        if (state == State.CONNECTED)
        {
            throw new IllegalStateException("netback connected: features are fixed for the connection");
        }
        this.features = frontendFeatures;
        final int others = frontendOffload & ~(OffloadFeatures.SG | OffloadFeatures.NO_CSUM);
        frontendOffload = others | (frontendFeatures.scatterGather() ? OffloadFeatures.SG : 0) |
            (frontendFeatures.csumOffload() ? 0 : OffloadFeatures.NO_CSUM);
    }

    /** @return what the current (or next) frontend offers. */
    public FrontendFeatures frontendFeatures()
    {
        return features;
    }

    /**
     * Whether the frontend does not notify when it posts rx requests (no {@code feature-rx-notify}): whoever drives
     * {@link #deliver} must then poll for rx requests (retry a back-pressured packet) rather than wait for an event,
     * as Linux netback does.
     *
     * @return true when rx requests must be polled for.
     */
    public boolean rxRequestPolling()
    {
        return !features.rxNotify();
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
     * @param txEvent       this backend's end of the tx event channel, already bound to the frontend's port
     *                      ({@code bind_interdomain}); owned by this backend from now on, closed at disconnect.
     * @param rxEvent       this backend's end of the rx event channel (may be {@code txEvent}: one channel).
     * @return 0 when connected, {@link #FAULTED} with {@link FrontendFault#BAD_RING_REF} otherwise (the ends are
     *         then still the caller's to close).
     */
    public int connect(
        final int frontendDomid,
        final int txRingRef,
        final int rxRingRef,
        final FrameMapper ringMemory,
        final EventChannel txEvent,
        final EventChannel rxEvent)
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
        this.txEvent = txEvent;
        this.rxEvent = rxEvent;
        stagedSlots = 0;
        rxUnpushed = 0;
        stagedExtras = 0;
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
            if (txEvent != rxEvent)
            {
                txEvent.close();
            }
        }
        stagedSlots = 0;
        stagedExtras = 0;
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

    /**
     * Copies one request chain out of the ring (each slot once), validates it, then copies, sinks and answers.
     * netif.h: the first request may carry {@code NETTXF_extra_info}; then netif_extra_info slots follow it (more
     * while {@code XEN_NETIF_EXTRA_FLAG_MORE}), before the rest of the chain. Known types are parsed (GSO validated
     * and kept for the sink, multicast control answered without a packet), unknown ones skipped.
     */
    private int consumePacket(final BackRing ring, final int reqProd)
    {
        final AtomicBuffer page = ring.buffer();
        final int cons = ring.reqCons();
        int index = cons;
        int slots = 0;
        int firstFlags = 0;
        int gsoType = NetifConstants.GSO_TYPE_NONE;
        int gsoSize = 0;
        int extras = 0;
        boolean multicastControl = false;
        boolean more = true;
        while (more)
        {
            if (index == reqProd)
            {
                return INCOMPLETE; // more_data promised a slot not pushed yet
            }
            if (slots == MAX_TX_SLOTS)
            {
                return markFaulted(FrontendFault.TX_CHAIN_TOO_LONG);
            }
            txRequest.wrap(ring, index++);
            chainGref[slots] = txRequest.gref(); // RING_COPY_REQUEST: each field read once, only copies used
            chainOffset[slots] = txRequest.offset();
            final int flags = txRequest.flags();
            more = (flags & NetifTxFlags.MORE_DATA) != 0;
            chainId[slots] = txRequest.id();
            chainSize[slots] = txRequest.size();
            slots++;
            if (slots == 1 && (flags & NetifTxFlags.EXTRA_INFO) != 0)
            {
                firstFlags = flags;
                // netif.h: the extra-info slots follow the first request, each chaining with EXTRA_FLAG_MORE
                boolean moreExtras = true;
                while (moreExtras)
                {
                    if (index == reqProd)
                    {
                        return INCOMPLETE;
                    }
                    if (extras == MAX_EXTRA_SLOTS)
                    {
                        return markFaulted(FrontendFault.TX_CHAIN_TOO_LONG);
                    }
                    extraInfo.wrap(page, ring.requestOffset(index++));
                    final int type = extraInfo.type(); // each field read once
                    moreExtras = (extraInfo.flags() & NetifConstants.EXTRA_FLAG_MORE) != 0;
                    extras++;
                    if (type == NetifConstants.EXTRA_TYPE_GSO)
                    {
                        gsoSize = extraInfo.gsoSize();
                        gsoType = extraInfo.gsoType();
                        if (gsoSize == 0 || (gsoType != NetifConstants.GSO_TYPE_TCPV4 &&
                            gsoType != NetifConstants.GSO_TYPE_TCPV6))
                        {
                            return markFaulted(FrontendFault.TX_BAD_GSO); // Linux: xenvif_set_skb_gso fatal
                        }
                        lastGsoSize = gsoSize;
                        lastGsoType = gsoType;
                    }
                    else if (type == NetifConstants.EXTRA_TYPE_MCAST_ADD || type == NetifConstants.EXTRA_TYPE_MCAST_DEL)
                    {
                        multicastControl = true;
                    }
                    else if (type != NetifConstants.EXTRA_TYPE_HASH)
                    {
                        // netif.h lets newer types appear: skip it, honouring FLAG_MORE
                        counters.increment(TX_UNKNOWN_EXTRAS);
                    }
                }
            }
            else if (slots == 1)
            {
                firstFlags = flags;
            }
        }
        ring.reqCons(index);
        counters.add(TX_EXTRA_INFO_SLOTS, extras);
        stagedExtras = extras;
        if (multicastControl)
        {
            counters.increment(TX_MULTICAST_CONTROL); // a filter update, not a packet (Linux netback answers it OKAY)
            respondTx(ring, slots, NetifResponseStatus.OKAY);
            return 0;
        }
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
        if (!setupTxOffload(firstFlags, gsoType, gsoSize, total))
        {
            // Linux answers OKAY (the copy succeeded) and drops it later: "Can't setup checksum"; counted here.
            counters.increment(TX_CHECKSUM_SETUP_ERRORS);
            respondTx(ring, slots, NetifResponseStatus.OKAY);
            return 0;
        }
        stagedSlots = slots;
        stagedLength = total;
        offerStaged();
        return 0;
    }

    /**
     * Linux netback's checksum_setup: a blank checksum, and any GSO packet (whose field the frontend may have left
     * anything in: the pseudo-header sum is rewritten), gets csum_start/offset from its headers.
     */
    private boolean setupTxOffload(final int flags, final int gsoType, final int gsoSize, final int length)
    {
        final OffloadInfo info = txOffload.clear();
        final boolean gso = gsoType != NetifConstants.GSO_TYPE_NONE;
        if (gso)
        {
            info.gso(gsoType, gsoSize);
        }
        if (gso || (flags & NetifTxFlags.CSUM_BLANK) != 0)
        {
            return txHeaders.checksumSetup(staging, 0, length, info, gso) == PacketHeaders.OK;
        }
        if ((flags & NetifTxFlags.DATA_VALIDATED) != 0)
        {
            info.flags(OffloadInfo.DATA_VALID);
        }
        return true;
    }

    /** Offers the staged packet to the sink; answers its slots unless back-pressured. */
    private boolean offerStaged()
    {
        final OffloadInfo info = txOffload;
        final int rc = sink.onPacket(staging, 0, stagedLength, info); // defaults down to the flags, then bytes
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
            if (info.isGso())
            {
                counters.increment(TX_GSO_PACKETS);
            }
            else if (info.needsCsum())
            {
                counters.increment(TX_CSUM_BLANK_PACKETS);
            }
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
            txResponse.wrap(ring, prod++).id(chainId[i]).status(status);
            if (i == 0)
            {
                for (int e = 0; e < stagedExtras; e++) // Linux make_tx_response: each extra slot answered NULL
                {
                    txResponse.wrap(ring, prod++).id(0).status(NetifResponseStatus.NULL);
                }
            }
        }
        stagedExtras = 0;
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
     * Delivers one packet without offload metadata (full checksums, not GSO); see
     * {@link #deliver(DirectBuffer, int, int, OffloadInfo)}.
     *
     * @param buffer packet bytes.
     * @param offset offset of the first byte.
     * @param length packet length (1 .. 18 pages).
     * @return {@link PacketSink#ACCEPTED}, {@link PacketSink#BACK_PRESSURED} or {@link PacketSink#DROPPED}.
     */
    public int deliver(final DirectBuffer buffer, final int offset, final int length)
    {
        return deliver(buffer, offset, length, false);
    }

    /**
     * Delivers one packet without offload metadata, optionally leaving its responses unpushed because more packets
     * follow at once (Linux netback pushes once per {@code xenvif_rx_action} batch): the next call without
     * {@code more}, or {@link #flushRx()}, pushes them all with one {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}.
     * A delivery that finds too few posted buffers pushes what is pending before it reports back-pressure, so the
     * frontend always sees the responses it needs to refill. Every other {@code deliver} pushes before it returns.
     *
     * @param buffer packet bytes.
     * @param offset offset of the first byte.
     * @param length packet length (1 .. 18 pages).
     * @param more   true when more packets follow at once: defer the push.
     * @return {@link PacketSink#ACCEPTED}, {@link PacketSink#BACK_PRESSURED} or {@link PacketSink#DROPPED}.
     */
    public int deliver(final DirectBuffer buffer, final int offset, final int length, final boolean more)
    {
        final int result = deliverSlots(buffer, offset, length, 0, NetifConstants.GSO_TYPE_NONE, 0);
        if (!more || result == PacketSink.BACK_PRESSURED)
        {
            flushRx();
        }
        return result;
    }

    /**
     * Pushes rx responses left unpushed by {@code more} ({@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}, notifying the
     * frontend if it asked). Does nothing when none are pending.
     *
     * @return responses published by this call (&ge; 0).
     */
    public int flushRx()
    {
        final int pending = rxUnpushed;
        if (pending == 0)
        {
            return 0;
        }
        rxUnpushed = 0;
        final BackRing ring = rxRing;
        if (state != State.CONNECTED || null == ring)
        {
            return 0;
        }
        if (ring.pushResponsesAndCheckNotify()) // release rsp_prod, full fence, then rsp_event
        {
            rxEvent.notifyPeer();
        }
        return pending;
    }

    /**
     * As {@link #deliver(DirectBuffer, int, int)}, with the sender's checksum flags: {@link PacketSink#CSUM_BLANK}
     * becomes {@code NETRXF_csum_blank | NETRXF_data_validated}, {@link PacketSink#DATA_VALIDATED}
     * {@code NETRXF_data_validated} (as Linux netback maps CHECKSUM_PARTIAL / UNNECESSARY); see
     * {@link #deliver(DirectBuffer, int, int, OffloadInfo)} for the frontend's features.
     *
     * @param buffer packet bytes.
     * @param offset offset of the first byte.
     * @param length packet length (1 .. 18 pages).
     * @param flags  {@link PacketSink#CSUM_BLANK} and/or {@link PacketSink#DATA_VALIDATED}.
     * @return {@link PacketSink#ACCEPTED}, {@link PacketSink#BACK_PRESSURED} or {@link PacketSink#DROPPED}.
     */
    public int deliver(final DirectBuffer buffer, final int offset, final int length, final int flags)
    {
        final OffloadInfo info = deliverFlags.clear();
        if ((flags & PacketSink.CSUM_BLANK) != 0)
        {
            info.flags(OffloadInfo.NEEDS_CSUM); // csum_start/offset found from the headers if it must be completed
        }
        else if ((flags & PacketSink.DATA_VALIDATED) != 0)
        {
            info.flags(OffloadInfo.DATA_VALID);
        }
        return deliver(buffer, offset, length, info);
    }

    /**
     * Delivers one packet into the frontend's posted rx buffers, one page per buffer, {@code NETRXF_more_data} on
     * all but the last. Needs as many posted buffers as the packet needs slots (netback's stall rule B2); otherwise
     * arms {@code req_event} and reports back-pressure. A buffer that cannot be written (bad gref) is answered
     * {@code NETIF_RSP_ERROR}, which ends the packet.
     * <p>
     * Offload: a GSO frame the frontend negotiated goes as one packet with a GSO extra slot after its first
     * response; one it did not is segmented in software (each segment with full checksums; after
     * {@link PacketSink#BACK_PRESSURED} the same frame must be offered again, and delivery resumes at the first
     * segment not yet delivered). A blank checksum goes as {@code NETRXF_csum_blank|NETRXF_data_validated}, or is
     * completed in software for a frontend without checksum offload for its IP version.
     *
     * @param buffer  packet bytes.
     * @param offset  offset of the first byte.
     * @param length  packet length (1 .. 18 pages).
     * @param offload its metadata, or {@code null} for none.
     * @return {@link PacketSink#ACCEPTED}, {@link PacketSink#BACK_PRESSURED} or {@link PacketSink#DROPPED}.
     */
    public int deliver(final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        final int result = deliverOffload(buffer, offset, length, offload);
        flushRx(); // one push per delivered frame, however many segments it became
        return result;
    }

    private int deliverOffload(
        final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        if (null == offload || offload.isPlain())
        {
            return deliverSlots(buffer, offset, length, 0, NetifConstants.GSO_TYPE_NONE, 0);
        }
        if (state != State.CONNECTED || length < 1 || length > TcpSegmenter.MAX_FRAME)
        {
            return PacketSink.DROPPED;
        }
        final int features = frontendOffload;
        final int csumFlags = NetifRxFlags.CSUM_BLANK | NetifRxFlags.DATA_VALIDATED;
        if (offload.isGso())
        {
            if (OffloadFeatures.acceptsGso(features, offload.gsoType()))
            {
                final int rc = deliverSlots(buffer, offset, length, csumFlags, offload.gsoType(), offload.gsoSize());
                if (rc == PacketSink.ACCEPTED)
                {
                    counters.increment(RX_GSO_PACKETS);
                }
                return rc;
            }
            return deliverSegmented(buffer, offset, length, offload);
        }
        if (offload.needsCsum())
        {
            final int ipVersion = rxHeaders.parse(buffer, offset, length) == PacketHeaders.OK ?
                rxHeaders.ipVersion() : 4;
            if (OffloadFeatures.acceptsPartialCsum(features, ipVersion))
            {
                final int rc = deliverSlots(buffer, offset, length, csumFlags, NetifConstants.GSO_TYPE_NONE, 0);
                if (rc == PacketSink.ACCEPTED)
                {
                    counters.increment(RX_CSUM_BLANK_PACKETS);
                }
                return rc;
            }
            return deliverCompleted(buffer, offset, length, offload);
        }
        return deliverSlots(buffer, offset, length,
            offload.dataValid() ? NetifRxFlags.DATA_VALIDATED : 0, NetifConstants.GSO_TYPE_NONE, 0);
    }

    /** Linux's skb_checksum_help for a frontend without checksum offload: complete it on a private copy. */
    private int deliverCompleted(
        final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        rxScratch.putBytes(0, buffer, offset, length);
        if (rxHeaders.completeChecksum(rxScratch, 0, length) != PacketHeaders.OK && (offload.csumStart() == 0 ||
            PacketHeaders.completePartial(rxScratch, 0, length, offload.csumStart(), offload.csumOffset()) !=
            PacketHeaders.OK))
        {
            counters.increment(RX_OFFLOAD_ERRORS);
            // a blank checksum the frontend cannot take and that cannot be completed
            counters.increment(RX_DROPPED_CSUM_BLANK);
            return PacketSink.DROPPED;
        }
        final int rc = deliverSlots(rxScratch, 0, length, 0, NetifConstants.GSO_TYPE_NONE, 0);
        if (rc == PacketSink.ACCEPTED)
        {
            counters.increment(RX_CHECKSUMS_COMPLETED);
        }
        return rc;
    }

    /** Software GSO for a frontend that did not negotiate this GSO type: MSS-sized segments, full checksums. */
    private int deliverSegmented(
        final DirectBuffer buffer, final int offset, final int length, final OffloadInfo offload)
    {
        final int count = segmenter.segmentCount(buffer, offset, length, offload);
        if (count < 1)
        {
            counters.increment(RX_OFFLOAD_ERRORS);
            gsoSegmentsDone = 0;
            return PacketSink.DROPPED;
        }
        gsoSegmentsThisCall = 0;
        final int rc = segmenter.segment(buffer, offset, length, offload, segmentDelivery);
        if (rc == PacketSink.BACK_PRESSURED)
        {
            gsoSegmentsDone += gsoSegmentsThisCall; // resumed when the same frame is offered again
            return PacketSink.BACK_PRESSURED;
        }
        gsoSegmentsDone = 0;
        if (rc < 0)
        {
            return PacketSink.DROPPED;
        }
        counters.increment(RX_SEGMENTED_FRAMES);
        return PacketSink.ACCEPTED;
    }

    /** Takes each segment; skips those a back-pressured earlier call delivered already. */
    private int deliverSegment(final DirectBuffer buffer, final int offset, final int length)
    {
        if (gsoSegmentsThisCall < gsoSegmentsDone)
        {
            gsoSegmentsThisCall++; // delivered before the back-pressure: its number is skipped, not resent
            return 0;
        }
        final int rc = deliverSlots(buffer, offset, length, 0, NetifConstants.GSO_TYPE_NONE, 0);
        if (rc == PacketSink.ACCEPTED)
        {
            counters.increment(RX_SEGMENTS_SENT);
            gsoSegmentsThisCall++;
            return 0;
        }
        return rc;
    }

    /**
     * Puts one packet on the rx ring: data slots, with the GSO extra (when {@code gsoType} is set) in the slot after
     * the first, as Linux's xenvif_rx_skb orders them.
     */
    private int deliverSlots(
        final DirectBuffer buffer, final int offset, final int length, final int csumFlags, final int gsoType,
        final int gsoSize)
    {
        if (state != State.CONNECTED || length < 1 || length > MAX_TX_SLOTS * PAGE_LENGTH)
        {
            return PacketSink.DROPPED;
        }
        final BackRing ring = rxRing;
        final int extras = gsoType == NetifConstants.GSO_TYPE_NONE ? 0 : 1;
        final int dataSlots = (length + PAGE_LENGTH - 1) / PAGE_LENGTH;
        final int needed = dataSlots + extras;
        if (dataSlots > 1 && !features.scatterGather())
        {
            // Linux: without feature-sg the vif's MTU keeps such packets away; never split them
            counters.increment(RX_DROPPED_NO_SG);
            return PacketSink.DROPPED;
        }
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
        for (int i = 0; i < dataSlots; i++)
        {
            rxRequest.wrap(ring, cons++);
            final int id = rxRequest.id(); // each field read once
            final int gref = rxRequest.gref();
            final int fragmentLength = Math.min(PAGE_LENGTH, length - position);
            final boolean last = i == dataSlots - 1;
            final int rc = access.copyToGrant(gref, 0, buffer, offset + position, fragmentLength);
            rxResponse.wrap(ring, prod++).id(id).offset(0);
            if (rc != GrantConstants.GNTST_OKAY)
            {
                rxResponse.flags(0).status(NetifResponseStatus.ERROR); // ends the chain: the packet is lost
                counters.increment(RX_COPY_ERRORS);
                result = PacketSink.DROPPED;
                break;
            }
            int flags = last ? 0 : NetifRxFlags.MORE_DATA;
            if (i == 0)
            {
                flags |= csumFlags | (extras > 0 ? NetifRxFlags.EXTRA_INFO : 0);
            }
            rxResponse.flags(flags).status(fragmentLength);
            position += fragmentLength;
            if (i == 0 && extras > 0)
            {
                // The extra takes the next request's slot (its buffer unused) and overwrites it with the GSO info.
                cons++;
                extraInfo.wrap(page, ring.responseOffset(prod++))
                    .type(NetifConstants.EXTRA_TYPE_GSO).flags(0).gsoSize(gsoSize).gsoType(gsoType).gsoFeatures(0);
                page.putByte(ring.responseOffset(prod - 1) + NetifExtraInfoDescriptor.GSO_PAD_OFFSET, (byte)0);
            }
        }
        rxUnpushed += prod - ring.rspProdPvt();
        ring.reqCons(cons);
        ring.rspProdPvt(prod);
        if (result == PacketSink.ACCEPTED)
        {
            counters.increment(RX_PACKETS);
            counters.add(RX_BYTES, length);
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

    /** @return this backend's domain id (the grantee). */
    public int backendDomid()
    {
        return backendDomid;
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

    /**
     * Sets what the frontend takes, as {@link OffloadFeatures} bits (read from its xenstore keys by
     * {@link XenbusNetBack}); GSO and blank checksums it lacks are done in software before delivery; SG and NO_CSUM
     * also update {@link #frontendFeatures()}. Default: {@link OffloadFeatures#SG} only.
     *
     * @param features an {@link OffloadFeatures} bit set.
     */
    public void frontendOffload(final int features)
    {
        frontendOffload = features;
        this.features = new FrontendFeatures(this.features.rxNotify(), (features & OffloadFeatures.SG) != 0,
            (features & OffloadFeatures.NO_CSUM) == 0);
    }

    /** @return what the frontend takes ({@link OffloadFeatures} bits). */
    public int frontendOffload()
    {
        return frontendOffload;
    }

    /** @return rx packets dropped because they need several slots and the frontend lacks {@code feature-sg}. */
    public long rxDroppedNoSg()
    {
        return counters.get(RX_DROPPED_NO_SG);
    }

    /**
     * @return rx packets dropped because their checksum is blank, the frontend turned csum offload off, and their
     *     headers did not allow completing it in software.
     */
    public long rxDroppedCsumBlank()
    {
        return counters.get(RX_DROPPED_CSUM_BLANK);
    }

    /** @return tx extra-info slots consumed (each answered {@code NETIF_RSP_NULL}). */
    public long txExtraInfoSlots()
    {
        return counters.get(TX_EXTRA_INFO_SLOTS);
    }

    /** @return tx extra-info slots of a type this backend does not know (skipped). */
    public long txUnknownExtras()
    {
        return counters.get(TX_UNKNOWN_EXTRAS);
    }

    /** @return gso_size of the last GSO extra seen (0 before any). */
    public int lastGsoSize()
    {
        return lastGsoSize;
    }

    /** @return gso_type of the last GSO extra seen (0 before any). */
    public int lastGsoType()
    {
        return lastGsoType;
    }

    /** @return tx requests that carried a multicast-control extra (answered OKAY, no packet). */
    public long txMulticastControl()
    {
        return counters.get(TX_MULTICAST_CONTROL);
    }

    /** @return GSO packets (with a GSO extra slot) the sink accepted from the frontend. */
    public long txGsoPackets()
    {
        return counters.get(TX_GSO_PACKETS);
    }

    /** @return non-GSO packets with {@code NETTXF_csum_blank} the sink accepted. */
    public long txCsumBlankPackets()
    {
        return counters.get(TX_CSUM_BLANK_PACKETS);
    }

    /** @return tx packets dropped (answered OKAY, as Linux) because a blank checksum's headers did not parse. */
    public long txChecksumSetupErrors()
    {
        return counters.get(TX_CHECKSUM_SETUP_ERRORS);
    }

    /** @return GSO packets delivered to the frontend with a GSO extra slot. */
    public long rxGsoPackets()
    {
        return counters.get(RX_GSO_PACKETS);
    }

    /** @return non-GSO packets delivered with {@code NETRXF_csum_blank}. */
    public long rxCsumBlankPackets()
    {
        return counters.get(RX_CSUM_BLANK_PACKETS);
    }

    /** @return GSO frames segmented in software for a frontend that did not negotiate their type. */
    public long rxSegmentedFrames()
    {
        return counters.get(RX_SEGMENTED_FRAMES);
    }

    /** @return segments delivered from software-segmented frames. */
    public long rxSegmentsSent()
    {
        return counters.get(RX_SEGMENTS_SENT);
    }

    /** @return blank checksums completed in software for a frontend without checksum offload. */
    public long rxChecksumsCompleted()
    {
        return counters.get(RX_CHECKSUMS_COMPLETED);
    }

    /** @return offloaded packets dropped because their headers did not allow the software fallback. */
    public long rxOffloadErrors()
    {
        return counters.get(RX_OFFLOAD_ERRORS);
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
