package org.xennet.core.netfront;

import java.util.concurrent.atomic.AtomicReference;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.xennet.core.event.EventChannel;
import org.xennet.core.event.LocalEventChannel;
import org.xennet.core.memory.GuestMemory;
import org.xennet.core.memory.RoleCounters;
import org.xennet.core.offload.FrameConsumer;
import org.xennet.core.offload.OffloadFeatures;
import org.xennet.core.offload.OffloadInfo;
import org.xennet.core.offload.PacketHeaders;
import org.xennet.core.offload.TcpSegmenter;
import org.xennet.grant.GrantConstants;
import org.xennet.grant.GrantEntryV1Descriptor;
import org.xennet.grant.GrantEntryV2Descriptor;
import org.xennet.grant.GrantRefAllocator;
import org.xennet.grant.GrantResult;
import org.xennet.grant.GrantTable;
import org.xennet.rings.FrontRing;
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
 * A Xen netif frontend over off-heap guest memory: the Java form of iPXE's netfront with Linux's hardening.
 * <p>
 * Lifecycle: {@link #open()} allocates grant refs (two ring refs and one fixed ref per id), initialises and
 * grants both shared rings, creates the event channels and becomes {@link State#CONNECTED};
 * a backend then attaches with {@link #txRingRef()}, {@link #rxRingRef()}, {@link #txEvent()},
 * {@link #rxEvent()}. {@link #close()} undoes the same steps in reverse. A later xenbus layer publishes the refs
 * and ports in xenstore between these steps.
 * <p>
 * <b>Threading.</b> Four roles, each single-threaded; any two may run on different threads:
 * <ul>
 *   <li>tx producer: {@link #transmit}, {@link #tryClaim}, {@link #commit}, {@link #abort}, {@link #offer},
 *       {@link #flushTx};</li>
 *   <li>tx consumer: {@link #pollTx};</li>
 *   <li>rx producer: {@link #refillRx};</li>
 *   <li>rx consumer: {@link #pollRx}.</li>
 * </ul>
 * Each shared index has a single writer; ids and buffers travel between producer and consumer through
 * single-producer single-consumer free-id rings. {@link #open()} and {@link #close()} must run while no
 * other role is active. Counters and {@link #state()} may be read from any thread: each counter is written by one
 * role only (release stores into that role's own cache lines, see {@link RoleCounters}), so none loses updates.
 * <p>
 * <b>Never trusting the backend.</b> {@code rsp_prod} is read once per round and checked against the ring size;
 * each response is read once into locals; ids must be pending; statuses, offsets and sizes are range-checked;
 * rx chains are bounded. Any violation moves the device to {@link State#BROKEN} with a {@link BrokenReason};
 * nothing is thrown and nothing is read out of bounds.
 * <p>
 * <b>Offload</b> (as Linux netfront): {@link #transmit(int, int, OffloadInfo)} puts a GSO frame on the ring with a
 * {@code XEN_NETIF_EXTRA_TYPE_GSO} slot after its first request and a blank checksum as
 * {@code NETTXF_csum_blank|NETTXF_data_validated}; {@link #offer(DirectBuffer, int, int, OffloadInfo, TxClaim)}
 * also segments and completes in software what the backend did not negotiate ({@link #backendFeatures(int)}).
 * Received packets carry their {@code NETRXF_*} flags and GSO extra to
 * {@link RxPacketHandler#onPacket(DirectBuffer, int, int, OffloadInfo)}.
 */
public final class NetFront
{
    /** Device state. */
    public enum State
    {
        /** Not open: nothing granted. */
        CLOSED,
        /** Rings granted and initialised; data path enabled. */
        CONNECTED,
        /** The backend misbehaved; the data path refuses work until close and reopen. */
        BROKEN
    }

    private static final System.Logger LOG = System.getLogger(NetFront.class.getName());
    private static final byte ID_FREE = 0;
    private static final byte ID_PENDING = 1;
    private static final byte ID_DEFERRED = 2; // grant still mapped by the backend: never reused

    private static final int PAGE_LENGTH = GuestMemory.PAGE_LENGTH;
    private static final int PAGE_SHIFT = GuestMemory.PAGE_SHIFT;

    private final NetFrontConfig config;
    private final GuestMemory memory;
    private final GuestMemory ringMemory;
    private final GrantTable grantTable;
    private final GrantRefAllocator allocator;
    private final int backendDomid;
    private final AtomicBuffer memoryBuffer;

    private final FrontRing txRing;
    private final FrontRing rxRing;
    private final AtomicBuffer txRingPage;
    private final AtomicBuffer rxRingPage;
    private EventChannel txEvent;
    private EventChannel rxEvent;
    private int txRingRef = -1;
    private int rxRingRef = -1;
    private boolean txRingDeferred;
    private boolean rxRingDeferred;

    private volatile State state = State.CLOSED;
    private final AtomicReference<BrokenReason> brokenReason = new AtomicReference<>(BrokenReason.NONE);

    // ---- tx: per id (fixed ref, state) kept apart from per-packet bookkeeping -------------------------------
    private final int txIdCount;
    private final int[] txRef;
    private final byte[] txState;
    private final int[] txHead;          // fragment id -> head id of its packet
    private final int[] txNext;          // fragment chain, -1 ends it
    private final int[] txPacketOffset;  // per head id
    private final int[] txPacketLength;  // per head id
    private final int[] txPacketChunk;   // per head id: claim buffer to recycle, or -1
    private final int[] txRemaining;     // per head id: fragments not yet answered
    private final int[] txStatus;        // per head id: worst status so far
    private final FreeIdRing txFreeIds;
    private final FreeIdRing txChunks;
    private final int entryLength;       // grant entry bytes: 8 (v1) or 16 (v2)
    private final long[] savedEntries = new long[2 * (NetifConstants.NR_SLOTS_MIN + 1)];
    private final NetifTxRequestFlyweight txRequest = new NetifTxRequestFlyweight();
    private int txUnpushed;              // slots written with xmitMore, not yet pushed (tx producer only)
    private final NetifTxResponseFlyweight txResponse = new NetifTxResponseFlyweight();
    private final NetifExtraInfoFlyweight txExtra = new NetifExtraInfoFlyweight();
    private long txExtrasPublished;                 // tx producer
    private long rxExtraInfoSlots;                  // rx consumer
    private volatile long txNullResponses;          // tx consumer: extra slots answered (ring room for the producer)
    private final TcpSegmenter segmenter = new TcpSegmenter();   // offer's software fallback (tx producer)
    private final PacketHeaders txHeaders = new PacketHeaders();
    private final FrameConsumer segmentOffer = this::offerSegment;
    private TxClaim segmentClaim;
    private int segmentSlots;

    // ---- rx ------------------------------------------------------------------------------------------------
    private final int rxIdCount;
    private final int[] rxRef;
    private final byte[] rxState;
    private final int[] rxPage;          // per id: pool page posted with it
    private final int[] txPage;          // per id: guest page its fragment lies in
    private final boolean[] quarantined; // per guest page: a grant on it was never ended; never reused
    private final FreeIdRing rxFreeIds;
    private final FreeIdRing rxPool;
    private final NetifRxRequestFlyweight rxRequest = new NetifRxRequestFlyweight();
    private final NetifRxResponseFlyweight rxResponse = new NetifRxResponseFlyweight();
    private final NetifExtraInfoFlyweight rxExtra = new NetifExtraInfoFlyweight();
    private final int[] rxIdAtIndex;     // ring index & mask -> id posted there (an extra slot names no id)
    private final OffloadInfo rxOffload = new OffloadInfo();
    private final PacketHeaders rxHeaders = new PacketHeaders();
    private boolean rxInPlace;           // the packet is one fragment delivered in place
    private int rxExtrasPending;         // > 0: the next response is an extra-info slot
    private boolean rxMoreAfterExtras;   // the first response said more_data
    private int rxExtraCount;
    private int rxGsoType;
    private int rxGsoSize;
    private int rxFirstFlags;
    private volatile int backendFeatures = OffloadFeatures.SG;
    private final UnsafeBuffer reassembly;
    private final RxFragments rxPacket;    // scatter-gather: the packet's fragments, in place in guest memory
    private final int[] rxHeldIds;         // and their ids and pages, recycled once the handler has seen them
    private final int[] rxHeldPages;
    private int rxHeld;
    private RxFragmentsHandler rxFragmentsHandler; // set while pollRxFragments runs (rx consumer only)
    private boolean rxScatter;             // the packet being received is delivered as fragments
    private boolean rxScatterMode;         // pollRxFragments is running
    private int rxFragments;             // fragments of the packet being received
    private int rxLength;                // bytes assembled so far
    private int rxPacketStatus;          // worst status over its fragments
    private int rxFirstOffset;

    // ---- counters (single writer each) ----------------------------------------------------------------------
    // One block per role, one writer per counter (a role may run on its own thread): see RoleCounters.
    private static final int ROLE_TX_PRODUCER = 0;
    private static final int ROLE_TX_CONSUMER = 1;
    private static final int ROLE_RX_PRODUCER = 2;
    private static final int ROLE_RX_CONSUMER = 3;
    private static final int ROLE_LIFECYCLE = 4;
    private static final int TX_GRANT_FAILURES = RoleCounters.offset(ROLE_TX_PRODUCER, 0);
    private static final int TX_GSO_PACKETS = RoleCounters.offset(ROLE_TX_PRODUCER, 1);
    private static final int TX_CSUM_BLANK_PACKETS = RoleCounters.offset(ROLE_TX_PRODUCER, 2);
    private static final int TX_SEGMENTED_FRAMES = RoleCounters.offset(ROLE_TX_PRODUCER, 3);
    private static final int TX_CHECKSUMS_COMPLETED = RoleCounters.offset(ROLE_TX_PRODUCER, 4);
    private static final int TX_PACKETS = RoleCounters.offset(ROLE_TX_CONSUMER, 0);
    private static final int TX_BYTES = RoleCounters.offset(ROLE_TX_CONSUMER, 1);
    private static final int TX_ERRORS = RoleCounters.offset(ROLE_TX_CONSUMER, 2);
    private static final int TX_DROPPED = RoleCounters.offset(ROLE_TX_CONSUMER, 3);
    private static final int TX_DEFERRED_GRANTS = RoleCounters.offset(ROLE_TX_CONSUMER, 4);
    private static final int RX_GRANT_FAILURES = RoleCounters.offset(ROLE_RX_PRODUCER, 0);
    private static final int RX_PACKETS = RoleCounters.offset(ROLE_RX_CONSUMER, 0);
    private static final int RX_BYTES = RoleCounters.offset(ROLE_RX_CONSUMER, 1);
    private static final int RX_ERRORS = RoleCounters.offset(ROLE_RX_CONSUMER, 2);
    private static final int RX_DROPPED = RoleCounters.offset(ROLE_RX_CONSUMER, 3);
    private static final int RX_DEFERRED_GRANTS = RoleCounters.offset(ROLE_RX_CONSUMER, 4);
    private static final int RX_GSO_PACKETS = RoleCounters.offset(ROLE_RX_CONSUMER, 5);
    private static final int RX_CSUM_BLANK_PACKETS = RoleCounters.offset(ROLE_RX_CONSUMER, 6);
    private static final int RX_OFFLOAD_ERRORS = RoleCounters.offset(ROLE_RX_CONSUMER, 7);
    private static final int CLOSE_DEFERRED_GRANTS = RoleCounters.offset(ROLE_LIFECYCLE, 0);
    private final RoleCounters counters = new RoleCounters(ROLE_LIFECYCLE + 1);
    private int rxPoolPages;             // pages given to the rx pool at open
    private int rxPoolUngrantable;       // of those, taken out because they cannot be granted (rx producer)
    private int txPoolChunks;            // claim buffers given to the tx pool at open
    private int txPoolUngrantable;       // of those, taken out because they cannot be granted (tx producer)
    private boolean rxPoolReported;      // rx producer
    private boolean txPoolReported;      // tx producer

    /**
     * Creates a closed frontend.
     *
     * @param config      parameters (validated here).
     * @param memory      guest memory holding packets and rx/tx buffers.
     * @param ringMemory  guest memory holding the two shared ring pages (may be {@code memory}).
     * @param grantTable  this guest's grant table.
     * @param allocator   this guest's grant ref allocator (used at open/close only).
     */
    public NetFront(
        final NetFrontConfig config,
        final GuestMemory memory,
        final GuestMemory ringMemory,
        final GrantTable grantTable,
        final GrantRefAllocator allocator)
    {
        this.config = new NetFrontConfig(config).validate(memory.pageCount(), ringMemory.pageCount());
        this.memory = memory;
        this.ringMemory = ringMemory;
        this.grantTable = grantTable;
        this.allocator = allocator;
        this.backendDomid = config.backendDomid();
        this.memoryBuffer = memory.buffer();
        this.txRingPage = ringMemory.page(config.txRingPage());
        this.rxRingPage = ringMemory.page(config.rxRingPage());
        this.txRing = NetifTxRing.front(txRingPage);
        this.rxRing = NetifRxRing.front(rxRingPage);

        txIdCount = config.txIds();
        txRef = filled(txIdCount, -1);
        txState = new byte[txIdCount];
        txHead = new int[txIdCount];
        txNext = new int[txIdCount];
        txPacketOffset = new int[txIdCount];
        txPacketLength = new int[txIdCount];
        txPacketChunk = new int[txIdCount];
        txRemaining = new int[txIdCount];
        txStatus = new int[txIdCount];
        txFreeIds = new FreeIdRing(txIdCount);
        txChunks = new FreeIdRing(Math.max(1, config.txBufferCount()));
        entryLength = grantTable.version() == 1 ? GrantEntryV1Descriptor.LENGTH : GrantEntryV2Descriptor.LENGTH;

        rxIdCount = config.rxIds();
        rxRef = filled(rxIdCount, -1);
        rxState = new byte[rxIdCount];
        rxPage = new int[rxIdCount];
        txPage = new int[txIdCount];
        quarantined = new boolean[memory.pageCount()];
        rxFreeIds = new FreeIdRing(rxIdCount);
        rxPool = new FreeIdRing(config.rxBufferCount());
        rxIdAtIndex = new int[rxRing.size()];
        reassembly = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(config.maxRxFragments() * PAGE_LENGTH, PAGE_LENGTH));
        rxPacket = new RxFragments(config.maxRxFragments());
        rxPacket.reset(memoryBuffer);
        rxHeldIds = new int[config.maxRxFragments()];
        rxHeldPages = new int[config.maxRxFragments()];
    }

    private static int[] filled(final int length, final int value)
    {
        final int[] array = new int[length];
        java.util.Arrays.fill(array, value);
        return array;
    }

    // =========================================================================================================
    // Lifecycle: open = allocate refs, create tx ring, create rx ring, create event channels, connected;
    // close = the same list backwards. A failing step undoes the finished ones in reverse order.
    // =========================================================================================================

    /**
     * Opens the device: grant refs, both rings granted to the backend, event channels, {@link State#CONNECTED}.
     *
     * @return {@link NetFrontResult#OK}, or a negative result with everything undone
     *         ({@code NO_BUFFERS} when the grant table has too few free refs, {@code FRAME_OUT_OF_RANGE} when a ring
     *         page is beyond the table's reach).
     */
    public int open()
    {
        return open(new LocalEventChannel(config.txEventPort()), new LocalEventChannel(config.rxEventPort()));
    }

    /**
     * Opens the device on event channel ends the caller allocated ({@code alloc_unbound}; in process or in a
     * shared device file): grant refs, both rings granted to the backend, {@link State#CONNECTED}. On success the
     * device owns the ends and {@link #close()} closes them; on failure the caller still owns them.
     *
     * @param tx this end of the tx event channel (its port is what the frontend publishes).
     * @param rx this end of the rx event channel (may be {@code tx}: one channel for both rings).
     * @return as {@link #open()}.
     */
    public int open(final EventChannel tx, final EventChannel rx)
    {
        if (state != State.CLOSED)
        {
            throw new IllegalStateException("netfront already open: state=" + state);
        }
        int rc = allocateRefs();
        if (rc != NetFrontResult.OK)
        {
            return rc;
        }
        rc = createRing(txRing, txRingRef, config.txRingPage());
        if (rc != NetFrontResult.OK)
        {
            freeRefs();
            return rc;
        }
        rc = createRing(rxRing, rxRingRef, config.rxRingPage());
        if (rc != NetFrontResult.OK)
        {
            txRingDeferred = !destroyRing(txRingRef);
            freeRefs();
            return rc;
        }
        txEvent = tx;
        rxEvent = rx;
        resetDataPath();
        brokenReason.set(BrokenReason.NONE);
        state = State.CONNECTED;
        return NetFrontResult.OK;
    }

    /**
     * Closes the device: reclaims outstanding ids (their grants ended, buffers back in the pools), closes the event
     * channels, ends the ring grants and frees every ref whose grant was actually ended. Grants the backend still
     * maps are left deferred (never reused). Idempotent.
     */
    public void close()
    {
        if (state == State.CLOSED)
        {
            return;
        }
        state = State.CLOSED;
        destroyEventChannels();
        reclaimRx();
        rxRingDeferred = !destroyRing(rxRingRef);
        reclaimTx();
        txRingDeferred = !destroyRing(txRingRef);
        freeRefs();
    }

    private int allocateRefs()
    {
        txRingRef = allocator.allocate();
        rxRingRef = txRingRef < 0 ? -1 : allocator.allocate();
        boolean failed = rxRingRef < 0;
        for (int id = 0; id < txIdCount && !failed; id++)
        {
            txRef[id] = allocator.allocate();
            failed = txRef[id] < 0;
        }
        for (int id = 0; id < rxIdCount && !failed; id++)
        {
            rxRef[id] = allocator.allocate();
            failed = rxRef[id] < 0;
        }
        if (failed)
        {
            freeRefs();
            return NetFrontResult.NO_BUFFERS;
        }
        java.util.Arrays.fill(txState, ID_FREE);
        java.util.Arrays.fill(rxState, ID_FREE);
        return NetFrontResult.OK;
    }

    private void freeRefs()
    {
        for (int id = rxIdCount - 1; id >= 0; id--)
        {
            rxRef[id] = freeRef(rxRef[id], rxState[id] == ID_DEFERRED);
        }
        for (int id = txIdCount - 1; id >= 0; id--)
        {
            txRef[id] = freeRef(txRef[id], txState[id] == ID_DEFERRED);
        }
        rxRingRef = freeRef(rxRingRef, rxRingDeferred);
        txRingRef = freeRef(txRingRef, txRingDeferred);
        rxRingDeferred = false;
        txRingDeferred = false;
    }

    private int freeRef(final int ref, final boolean deferred)
    {
        if (ref >= 0 && !deferred)
        {
            allocator.free(ref);
        }
        return -1;
    }

    private int createRing(final FrontRing ring, final int ref, final int page)
    {
        // Initialise the page before granting it: the backend may map it as soon as the grant is live.
        ring.sharedRingInit();
        ring.init();
        final int rc = grantTable.permitAccess(ref, backendDomid, ringMemory.frame(page), false);
        return NetFrontResult.fromGrantResult(rc);
    }

    private boolean destroyRing(final int ref)
    {
        if (ref >= 0 && grantTable.endAccess(ref) != GrantResult.OK)
        {
            counters.increment(CLOSE_DEFERRED_GRANTS); // ring still mapped, never disconnected: leave it granted
            return false;
        }
        return true;
    }

    private void destroyEventChannels()
    {
        rxEvent.close();
        if (txEvent != rxEvent)
        {
            txEvent.close();
        }
    }

    private void resetDataPath()
    {
        txFreeIds.reset(0, txIdCount);
        rxFreeIds.reset(0, rxIdCount);
        rxPool.clear();
        rxPoolPages = 0;
        rxPoolUngrantable = 0;
        for (int page = config.rxBufferFirstPage(), end = page + config.rxBufferCount(); page < end; page++)
        {
            if (!quarantined[page])
            {
                rxPool.give(page);
                rxPoolPages++;
            }
        }
        txChunks.clear();
        txPoolChunks = 0;
        txPoolUngrantable = 0;
        for (int chunk = 0; chunk < config.txBufferCount(); chunk++)
        {
            if (!chunkQuarantined(chunk))
            {
                txChunks.give(chunk);
                txPoolChunks++;
            }
        }
        rxPoolReported = false;
        txPoolReported = false;
        txUnpushed = 0;
        rxFragments = 0;
        rxLength = 0;
        rxHeld = 0;
        rxPacket.reset(memoryBuffer);
        rxPacketStatus = NetifResponseStatus.OKAY;
        rxExtrasPending = 0;
        rxExtraCount = 0;
        txExtrasPublished = 0;
        txNullResponses = 0;
    }

    /** Whether every page of a tx claim buffer lies within the grant table's reach (v1: frames below 2^32). */
    private boolean chunkGrantable(final int chunk)
    {
        if (grantTable.version() != 1)
        {
            return true;
        }
        final int first = config.txBufferFirstPage() + chunk * config.txBufferPages();
        return memory.frame(first + config.txBufferPages() - 1) <= GrantConstants.MAX_V1_FRAME &&
            memory.frame(first) <= GrantConstants.MAX_V1_FRAME;
    }

    /** Once per pool and open: a pool whose every page is beyond the grant table's reach can never be used. */
    private void reportNoGrantablePage(final String pool, final int pages)
    {
        LOG.log(System.Logger.Level.WARNING, "netfront " + pool + " has no grantable page: all " + pages +
            " lie beyond grant table v" + grantTable.version() + "'s reach (frames above 2^32); " +
            "use grant table v2 or memory below 2^32");
    }

    private boolean chunkQuarantined(final int chunk)
    {
        final int first = config.txBufferFirstPage() + chunk * config.txBufferPages();
        for (int page = first; page < first + config.txBufferPages(); page++)
        {
            if (quarantined[page])
            {
                return true;
            }
        }
        return false;
    }

    private void reclaimTx()
    {
        for (int id = 0; id < txIdCount; id++)
        {
            if (txState[id] == ID_PENDING)
            {
                endGrant(txState, txRef, id, txPage[id], CLOSE_DEFERRED_GRANTS);
            }
        }
    }

    private void reclaimRx()
    {
        for (int id = 0; id < rxIdCount; id++)
        {
            if (rxState[id] == ID_PENDING)
            {
                endGrant(rxState, rxRef, id, rxPage[id], CLOSE_DEFERRED_GRANTS);
            }
        }
    }

    /**
     * Ends an id's grant: FREE when ended; DEFERRED when the backend still maps it, and then neither the ref nor the
     * page is ever reused (the page is quarantined: left out of the pools when the device is reopened).
     */
    private boolean endGrant(
        final byte[] states, final int[] refs, final int id, final int page, final int deferredCounter)
    {
        if (grantTable.endAccess(refs[id]) == GrantResult.OK)
        {
            states[id] = ID_FREE;
            return true;
        }
        states[id] = ID_DEFERRED;
        quarantined[page] = true;
        counters.increment(deferredCounter); // the calling role's own counter
        return false;
    }

    // =========================================================================================================
    // Data path: transmit (tx producer)
    // =========================================================================================================

    /**
     * Transmits a packet that lies in guest memory, one request per page it touches ({@code NETTXF_more_data}
     * chains; the first slot carries the total size). Every fallible step (free ids, a grant for every fragment)
     * happens before anything is written; on failure every grant already made is ended and nothing is published.
     * The caller owns the packet until {@link #pollTx} reports it.
     *
     * @param offset offset of the packet in guest memory.
     * @param length packet length (1 .. 65535).
     * @return the number of ring slots used (&gt; 0), or a negative {@link NetFrontResult}.
     */
    public int transmit(final int offset, final int length)
    {
        return transmit(offset, length, -1, 0, NetifConstants.GSO_TYPE_NONE, 0);
    }

    /**
     * Transmits a packet with offload metadata, in place: a GSO frame gets an extra-info slot after its first
     * request ({@code gso.size}, {@code gso.type}) and, like a blank checksum, {@code NETTXF_csum_blank |
     * NETTXF_data_validated}; {@link OffloadInfo#DATA_VALID} alone becomes {@code NETTXF_data_validated}.
     *
     * @param offset  offset of the packet in guest memory.
     * @param length  packet length (1 .. 65535).
     * @param offload its metadata ({@code null} for none).
     * @return ring slots used (&gt; 0), or a negative {@link NetFrontResult};
     *         {@link NetFrontResult#OFFLOAD_NOT_NEGOTIATED} when the backend does not take it (see
     *         {@link #offer(DirectBuffer, int, int, OffloadInfo, TxClaim)}).
     */
    public int transmit(final int offset, final int length, final OffloadInfo offload)
    {
        if (null == offload || offload.isPlain())
        {
            return transmit(offset, length, -1, 0, NetifConstants.GSO_TYPE_NONE, 0);
        }
        final int features = backendFeatures;
        if (offload.isGso())
        {
            if (!OffloadFeatures.acceptsGso(features, offload.gsoType()))
            {
                return NetFrontResult.OFFLOAD_NOT_NEGOTIATED;
            }
            return transmit(offset, length, -1, TX_CSUM_BLANK, offload.gsoType(), offload.gsoSize());
        }
        if (offload.needsCsum())
        {
            if (!acceptsPartialCsum(features, memoryBuffer, offset, length))
            {
                return NetFrontResult.OFFLOAD_NOT_NEGOTIATED;
            }
            return transmit(offset, length, -1, TX_CSUM_BLANK, NetifConstants.GSO_TYPE_NONE, 0);
        }
        return transmit(offset, length, -1, NetifTxFlags.DATA_VALIDATED, NetifConstants.GSO_TYPE_NONE, 0);
    }

    private static final int TX_CSUM_BLANK = NetifTxFlags.CSUM_BLANK | NetifTxFlags.DATA_VALIDATED;

    /** IPv4 blank checksums go to every backend (Linux netfront assumes it); IPv6 needs ipv6-csum-offload. */
    private boolean acceptsPartialCsum(
        final int features, final DirectBuffer buffer, final int offset, final int length)
    {
        if ((features & OffloadFeatures.IPV6_CSUM) != 0)
        {
            return true;
        }
        return txHeaders.parse(buffer, offset, length) == PacketHeaders.OK && txHeaders.ipVersion() == 4;
    }

    /**
     * Transmits a packet, optionally leaving it unpublished to the backend: Linux netfront's {@code xmit_more}.
     * With {@code xmitMore} the requests are written and {@code req_prod_pvt} advances, but {@code req_prod} is not
     * pushed; the next call without it (or {@link #flushTx()}) pushes the whole batch with one
     * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}: one full fence and at most one notification per batch, and the
     * backend is woken exactly when its {@code req_event} lies in the batch. A transmit that fails (no free id, a
     * grant failure, a bad argument) pushes what is pending first, so a batch is never stranded.
     *
     * @param offset   offset of the packet in guest memory.
     * @param length   packet length (1 .. 65535).
     * @param xmitMore true when more packets follow at once: defer the push.
     * @return the number of ring slots used (&gt; 0), or a negative {@link NetFrontResult}.
     */
    public int transmit(final int offset, final int length, final boolean xmitMore)
    {
        return transmit(offset, length, -1, 0, NetifConstants.GSO_TYPE_NONE, 0, xmitMore);
    }

    /**
     * Pushes requests left unpublished by {@code xmitMore} ({@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}, notifying
     * the backend if it asked). Does nothing when none are pending.
     *
     * @return requests published by this call (&ge; 0).
     */
    public int flushTx()
    {
        final int pending = txUnpushed;
        if (pending == 0)
        {
            return 0;
        }
        txUnpushed = 0;
        if (state != State.CONNECTED)
        {
            return 0; // closed or broken: the batch's ids were (or will be) reclaimed, nothing is published
        }
        if (txRing.pushRequestsAndCheckNotify()) // release store of req_prod, full fence, then req_event
        {
            txEvent.notifyPeer();
        }
        return pending;
    }

    private int transmit(
        final int offset, final int length, final int chunk, final int flags, final int gsoType, final int gsoSize)
    {
        return transmit(offset, length, chunk, flags, gsoType, gsoSize, false);
    }

    private int transmit(
        final int offset, final int length, final int chunk, final int flags, final int gsoType, final int gsoSize,
        final boolean xmitMore)
    {
        final int rc = transmitSlots(offset, length, chunk, flags, gsoType, gsoSize);
        if (rc > 0)
        {
            txUnpushed += rc;
        }
        if (!xmitMore || rc < 0)
        {
            flushTx(); // end of the batch, or a failure: never strand what is pending
        }
        return rc;
    }

    private int transmitSlots(
        final int offset, final int length, final int chunk, final int flags, final int gsoType, final int gsoSize)
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        if (length < 1 || length > NetifConstants.MAX_TX_SIZE || offset < 0 ||
            offset > memoryBuffer.capacity() - length)
        {
            return NetFrontResult.BAD_ARGUMENT;
        }
        final int fragments = ((offset & (PAGE_LENGTH - 1)) + length + PAGE_LENGTH - 1) >>> PAGE_SHIFT;
        if (fragments > 1 && (backendFeatures & OffloadFeatures.SG) == 0)
        {
            return NetFrontResult.NO_SCATTER_GATHER; // the backend takes one slot per packet only
        }
        final FreeIdRing freeIds = txFreeIds;
        final int extras = gsoType == NetifConstants.GSO_TYPE_NONE ? 0 : 1;
        final int available = freeIds.available();
        if (available < fragments)
        {
            return NetFrontResult.RING_FULL; // ids bound the outstanding data requests
        }
        if ((extras > 0 || txExtrasPublished != 0) &&
            (txIdCount - available) + (txExtrasPublished - txNullResponses) + fragments + extras > txRing.size())
        {
            return NetFrontResult.RING_FULL; // extra slots take ring room without an id
        }
        final int rc = grantFragments(offset, fragments);
        if (rc != NetFrontResult.OK)
        {
            return rc;
        }
        publishFragments(offset, length, fragments, chunk, flags, gsoType, gsoSize);
        return fragments + extras;
    }

    /** Grants every fragment's page read-only, peeking ids without taking them; rolls back on any failure. */
    private int grantFragments(final int offset, final int fragments)
    {
        final int firstPage = offset >>> PAGE_SHIFT;
        for (int i = 0; i < fragments; i++)
        {
            final int id = txFreeIds.peek(i);
            saveEntry(i, txRef[id]);
            final int rc = grantTable.permitAccess(txRef[id], backendDomid, memory.frame(firstPage + i), true);
            if (rc != GrantResult.OK)
            {
                rollbackGrants(i);
                counters.increment(TX_GRANT_FAILURES);
                return NetFrontResult.fromGrantResult(rc);
            }
        }
        return NetFrontResult.OK;
    }

    private void rollbackGrants(final int granted)
    {
        for (int i = granted - 1; i >= 0; i--)
        {
            final int ref = txRef[txFreeIds.peek(i)];
            if (grantTable.endAccess(ref) != GrantResult.OK)
            {
                // Never published, yet mapped: the backend guessed a ref. Stop trusting it.
                markBroken(BrokenReason.GRANT_STILL_IN_USE);
            }
            else
            {
                restoreEntry(i, ref);
            }
        }
    }

    /** Keeps the (invalid) entry's bytes so a rollback leaves the grant frames exactly as they were. */
    private void saveEntry(final int fragment, final int ref)
    {
        final AtomicBuffer frames = grantTable.frames();
        final int entry = ref * entryLength;
        savedEntries[2 * fragment] = frames.getLong(entry);
        savedEntries[2 * fragment + 1] = entryLength > 8 ? frames.getLong(entry + 8) : 0;
    }

    /** Rewrites an ended entry's old bytes; its flags were and stay 0 (invalid), so the peer cannot use it. */
    private void restoreEntry(final int fragment, final int ref)
    {
        final AtomicBuffer frames = grantTable.frames();
        final int entry = ref * entryLength;
        if (entryLength > 8)
        {
            frames.putLong(entry + 8, savedEntries[2 * fragment + 1]);
        }
        frames.putLongVolatile(entry, savedEntries[2 * fragment]);
    }

    private void publishFragments(
        final int offset, final int length, final int fragments, final int chunk, final int firstFlags,
        final int gsoType, final int gsoSize)
    {
        final FrontRing ring = txRing;
        final AtomicBuffer page = txRingPage;
        final int prod = ring.reqProdPvt();
        final boolean gso = gsoType != NetifConstants.GSO_TYPE_NONE;
        int slot = prod;
        final int head = txFreeIds.peek(0);
        int position = offset;
        int remaining = length;
        int previous = -1;
        for (int i = 0; i < fragments; i++)
        {
            final int id = txFreeIds.peek(i);
            final int pageOffset = position & (PAGE_LENGTH - 1);
            final int fragmentLength = Math.min(PAGE_LENGTH - pageOffset, remaining);
            final boolean last = i == fragments - 1;
            int flags = last ? 0 : NetifTxFlags.MORE_DATA;
            if (i == 0)
            {
                flags |= firstFlags | (gso ? NetifTxFlags.EXTRA_INFO : 0);
            }
            txRequest.wrap(ring, slot++)
                .gref(txRef[id])
                .offset(pageOffset)
                .flags(flags)
                .id(id)
                .size(i == 0 ? length : fragmentLength); // netif.h: first slot carries the total size
            if (i == 0 && gso)
            {
                // netif.h: the extra-info slot follows the first request; the rest of the chain comes after it
                final int extraOffset = ring.requestOffset(slot++);
                txExtra.wrap(page, extraOffset).type(NetifConstants.EXTRA_TYPE_GSO).flags(0)
                    .gsoSize(gsoSize).gsoType(gsoType).gsoFeatures(0);
                page.putByte(extraOffset + NetifExtraInfoDescriptor.GSO_PAD_OFFSET, (byte)0);
            }
            txHead[id] = head;
            txNext[id] = -1;
            if (previous >= 0)
            {
                txNext[previous] = id;
            }
            txPage[id] = position >>> PAGE_SHIFT;
            txState[id] = ID_PENDING; // marked pending only now, just before the producer index moves
            previous = id;
            position += fragmentLength;
            remaining -= fragmentLength;
        }
        txPacketOffset[head] = offset;
        txPacketLength[head] = length;
        txPacketChunk[head] = chunk;
        txRemaining[head] = fragments;
        txStatus[head] = NetifResponseStatus.OKAY;
        if (chunk >= 0)
        {
            txChunks.take(1); // before publishing: pollTx may give it back as soon as the backend answers
        }
        txFreeIds.take(fragments);
        if (gso)
        {
            txExtrasPublished++;
            counters.increment(TX_GSO_PACKETS);
        }
        else if ((firstFlags & NetifTxFlags.CSUM_BLANK) != 0)
        {
            counters.increment(TX_CSUM_BLANK_PACKETS);
        }
        ring.reqProdPvt(slot); // private: the caller pushes now or at the end of the batch
    }

    /**
     * Claims a tx buffer in guest memory to build a packet in place (zero copy). At most one claim at a time.
     *
     * @param length bytes wanted (1 .. txBufferPages * 4096).
     * @param claim  the reusable claim to fill.
     * @return {@code length} (&gt; 0) once claimed, {@code NO_BUFFERS} when every tx buffer is in flight,
     *         {@code NOT_CONNECTED}, {@code BROKEN} or {@code BAD_ARGUMENT}.
     */
    public int tryClaim(final int length, final TxClaim claim)
    {
        if (claim.isClaimed())
        {
            throw new IllegalStateException("claim already active: offset=" + claim.offset);
        }
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        final int bufferLength = config.txBufferPages() * PAGE_LENGTH;
        if (length < 1 || length > bufferLength || length > NetifConstants.MAX_TX_SIZE)
        {
            return NetFrontResult.BAD_ARGUMENT;
        }
        if (config.txBufferCount() == 0)
        {
            return NetFrontResult.NO_BUFFERS;
        }
        while (txChunks.available() > 0 && !chunkGrantable(txChunks.peek(0)))
        {
            // Beyond the table's reach for good: out of the pool (counted, back on the next open), so the
            // grantable buffers behind it are reached.
            txChunks.take(1);
            txPoolUngrantable++;
            if (txPoolUngrantable == txPoolChunks && !txPoolReported)
            {
                txPoolReported = true;
                reportNoGrantablePage("tx claim buffer pool", txPoolChunks);
            }
        }
        if (txChunks.available() == 0)
        {
            return txPoolUngrantable == txPoolChunks ? NetFrontResult.FRAME_OUT_OF_RANGE : NetFrontResult.NO_BUFFERS;
        }
        final int chunk = txChunks.peek(0); // taken only on a successful commit
        claim.buffer = memoryBuffer;
        claim.offset = (config.txBufferFirstPage() << PAGE_SHIFT) + chunk * bufferLength;
        claim.capacity = length;
        claim.chunk = chunk;
        claim.owner = this;
        return length;
    }

    /**
     * Transmits a claimed buffer. On failure the claim stays active (retry or {@link #abort}).
     *
     * @param claim  an active claim from {@link #tryClaim}.
     * @param length bytes written (1 .. claim capacity).
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult}.
     */
    public int commit(final TxClaim claim, final int length)
    {
        return commit(claim, length, false);
    }

    /**
     * Transmits a claimed buffer, deferring the push when more packets follow ({@link #transmit(int, int, boolean)}).
     *
     * @param claim    an active claim from {@link #tryClaim}.
     * @param length   bytes written (1 .. claim capacity).
     * @param xmitMore true when more packets follow at once: defer the push (then {@link #flushTx()}).
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult}.
     */
    public int commit(final TxClaim claim, final int length, final boolean xmitMore)
    {
        if (!claim.isClaimed() || claim.owner != this || length > claim.capacity)
        {
            throw new IllegalStateException("commit without matching claim: claimed=" + claim.isClaimed() +
                ", length=" + length + ", capacity=" + claim.capacity);
        }
        final int rc = transmit(claim.offset, length, claim.chunk, 0, NetifConstants.GSO_TYPE_NONE, 0, xmitMore);
        if (rc > 0)
        {
            claim.chunk = -1; // taken from the pool by publishFragments
        }
        return rc;
    }

    /**
     * Transmits a claimed buffer with offload metadata (as {@link #transmit(int, int, OffloadInfo)}). On failure the
     * claim stays active.
     *
     * @param claim   an active claim from {@link #tryClaim}.
     * @param length  bytes written (1 .. claim capacity).
     * @param offload its metadata ({@code null} for none).
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult}.
     */
    public int commit(final TxClaim claim, final int length, final OffloadInfo offload)
    {
        if (!claim.isClaimed() || claim.owner != this || length > claim.capacity)
        {
            throw new IllegalStateException("commit without matching claim: claimed=" + claim.isClaimed() +
                ", length=" + length + ", capacity=" + claim.capacity);
        }
        int flags = 0;
        int gsoType = NetifConstants.GSO_TYPE_NONE;
        int gsoSize = 0;
        if (null != offload && !offload.isPlain())
        {
            final int features = backendFeatures;
            if (offload.isGso())
            {
                if (!OffloadFeatures.acceptsGso(features, offload.gsoType()))
                {
                    return NetFrontResult.OFFLOAD_NOT_NEGOTIATED;
                }
                flags = TX_CSUM_BLANK;
                gsoType = offload.gsoType();
                gsoSize = offload.gsoSize();
            }
            else if (offload.needsCsum())
            {
                if (!acceptsPartialCsum(features, claim.buffer, claim.offset, length))
                {
                    return NetFrontResult.OFFLOAD_NOT_NEGOTIATED;
                }
                flags = TX_CSUM_BLANK;
            }
            else if (offload.dataValid())
            {
                flags = NetifTxFlags.DATA_VALIDATED;
            }
        }
        final int rc = transmit(claim.offset, length, claim.chunk, flags, gsoType, gsoSize);
        if (rc > 0)
        {
            claim.chunk = -1; // taken from the pool by publishFragments
        }
        return rc;
    }

    /**
     * Releases a claim without transmitting.
     *
     * @param claim an active claim.
     */
    public void abort(final TxClaim claim)
    {
        if (!claim.isClaimed() || claim.owner != this)
        {
            throw new IllegalStateException("abort without matching claim: claimed=" + claim.isClaimed());
        }
        claim.chunk = -1; // never taken from the pool: nothing to give back
    }

    /**
     * Copies a packet into a tx buffer and transmits it (claim, copy, commit; aborts on failure).
     *
     * @param source  the packet bytes.
     * @param offset  offset in {@code source}.
     * @param length  packet length.
     * @param claim   a reusable, inactive claim (scratch).
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult}; the caller keeps its bytes either way.
     */
    public int offer(final DirectBuffer source, final int offset, final int length, final TxClaim claim)
    {
        return offer(source, offset, length, null, claim);
    }

    /**
     * Copies a packet with offload metadata into a tx buffer and transmits it. What the backend did not negotiate
     * is done in software first, as Linux's stack does for a device without the feature: a GSO frame is split into
     * MSS-sized frames with full checksums (each in its own tx buffer; all or none: buffers and ids for every
     * segment are checked first), a blank IPv6 checksum without {@code feature-ipv6-csum-offload} is completed.
     *
     * @param source  the packet bytes.
     * @param offset  offset in {@code source}.
     * @param length  packet length.
     * @param offload its metadata ({@code null} for none).
     * @param claim   a reusable, inactive claim (scratch).
     * @return slots used (&gt; 0) or a negative {@link NetFrontResult}; the caller keeps its bytes either way.
     */
    public int offer(
        final DirectBuffer source, final int offset, final int length, final OffloadInfo offload,
        final TxClaim claim)
    {
        if (null != offload && offload.isGso() && !OffloadFeatures.acceptsGso(backendFeatures, offload.gsoType()))
        {
            return offerSegmented(source, offset, length, offload, claim);
        }
        final int rc = tryClaim(length, claim);
        if (rc < 0)
        {
            return rc;
        }
        claim.buffer.putBytes(claim.offset, source, offset, length);
        int sent;
        if (null != offload && offload.needsCsum() && !offload.isGso() &&
            !acceptsPartialCsum(backendFeatures, claim.buffer, claim.offset, length))
        {
            // Linux's skb_checksum_help: the backend cannot take this blank checksum, so complete it in the copy.
            sent = txHeaders.completeChecksum(claim.buffer, claim.offset, length) == PacketHeaders.OK ||
                PacketHeaders.completePartial(claim.buffer, claim.offset, length, offload.csumStart(),
                    offload.csumOffset()) == PacketHeaders.OK ? commit(claim, length) :
                NetFrontResult.OFFLOAD_NOT_NEGOTIATED;
            if (sent > 0)
            {
                counters.increment(TX_CHECKSUMS_COMPLETED);
            }
        }
        else
        {
            sent = commit(claim, length, offload);
        }
        if (sent < 0)
        {
            abort(claim);
        }
        return sent;
    }

    private int offerSegmented(
        final DirectBuffer source, final int offset, final int length, final OffloadInfo offload,
        final TxClaim claim)
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        final int count = segmenter.segmentCount(source, offset, length, offload);
        if (count < 1 || length > TcpSegmenter.MAX_FRAME)
        {
            return NetFrontResult.OFFLOAD_NOT_NEGOTIATED; // headers that do not allow segmentation
        }
        final int segmentPages = (offload.gsoSize() + 2 * PAGE_LENGTH - 1) / PAGE_LENGTH; // + headers, any offset
        if (txChunks.available() < count || config.txBufferCount() == 0)
        {
            return NetFrontResult.NO_BUFFERS;
        }
        if (txFreeIds.available() < count * Math.min(segmentPages, NetifConstants.NR_SLOTS_MIN))
        {
            return NetFrontResult.RING_FULL;
        }
        segmentClaim = claim;
        segmentSlots = 0;
        final int rc = segmenter.segment(source, offset, length, offload, segmentOffer);
        segmentClaim = null;
        if (rc < 0 && segmentSlots == 0)
        {
            return rc;
        }
        counters.increment(TX_SEGMENTED_FRAMES);
        return segmentSlots; // a failure after the first segment is reported by the counters, not undone
    }

    private int offerSegment(final DirectBuffer buffer, final int offset, final int length)
    {
        final int rc = offer(buffer, offset, length, null, segmentClaim);
        if (rc < 0)
        {
            return rc;
        }
        segmentSlots += rc;
        return 0;
    }

    // =========================================================================================================
    // Data path: pollTx (tx consumer)
    // =========================================================================================================

    /**
     * Consumes tx responses: ends each id's grant, returns ids, reports each packet once all its fragments are
     * answered. Ends with the ring's final check (re-arms {@code rsp_event}) when under the limit.
     *
     * @param handler called per completed packet (may be null).
     * @param limit   most responses to consume.
     * @return packets completed (&ge; 0), or {@code NOT_CONNECTED} / {@code BROKEN}.
     */
    public int pollTx(final TxCompletionHandler handler, final int limit)
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        final FrontRing ring = txRing;
        int responses = 0;
        int packets = 0;
        do
        {
            final int rspProd = ring.rspProdAcquire(); // once; acquire: slots below it are visible
            if (ring.responseProdOverflow(rspProd))
            {
                return markBroken(BrokenReason.TX_RSP_PROD_OVERFLOW);
            }
            int cons = ring.rspCons();
            while (cons != rspProd && responses < limit)
            {
                txResponse.wrap(ring, cons);
                final int id = txResponse.id(); // each field read once, then only the locals are used
                final int status = txResponse.status();
                cons++;
                responses++;
                if (status == NetifResponseStatus.NULL)
                {
                    txNullResponses = txNullResponses + 1; // single writer; frees ring room for the producer
                    continue; // netif.h: a NULL response answers an extra-info slot, not an id
                }
                final int rc = completeTxFragment(id, status, handler);
                if (rc < 0)
                {
                    ring.rspCons(cons);
                    return rc;
                }
                packets += rc;
            }
            ring.rspCons(cons);
        }
        while (responses < limit && ring.finalCheckForResponses() > 0);
        return packets;
    }

    private int completeTxFragment(final int id, final int status, final TxCompletionHandler handler)
    {
        if (id >= txIdCount)
        {
            return markBroken(BrokenReason.TX_BAD_ID);
        }
        if (txState[id] != ID_PENDING)
        {
            return markBroken(BrokenReason.TX_ID_NOT_PENDING);
        }
        if (status != NetifResponseStatus.OKAY && status != NetifResponseStatus.ERROR &&
            status != NetifResponseStatus.DROPPED)
        {
            return markBroken(BrokenReason.TX_BAD_STATUS);
        }
        if (!endGrant(txState, txRef, id, txPage[id], TX_DEFERRED_GRANTS))
        {
            return markBroken(BrokenReason.GRANT_STILL_IN_USE);
        }
        final int head = txHead[id];
        if (status < txStatus[head])
        {
            txStatus[head] = status;
        }
        if (--txRemaining[head] != 0)
        {
            return 0;
        }
        completeTxPacket(head, handler);
        return 1;
    }

    private void completeTxPacket(final int head, final TxCompletionHandler handler)
    {
        final int offset = txPacketOffset[head]; // read before the head id goes back to the producer
        final int length = txPacketLength[head];
        final int chunk = txPacketChunk[head];
        final int status = txStatus[head];
        int id = head;
        while (id >= 0)
        {
            final int next = txNext[id];
            txFreeIds.give(id);
            id = next;
        }
        if (status == NetifResponseStatus.OKAY)
        {
            counters.increment(TX_PACKETS);
            counters.add(TX_BYTES, length);
        }
        else if (status == NetifResponseStatus.DROPPED)
        {
            counters.increment(TX_DROPPED);
        }
        else
        {
            counters.increment(TX_ERRORS);
        }
        if (null != handler)
        {
            handler.onTxComplete(offset, length, status);
        }
        if (chunk >= 0)
        {
            txChunks.give(chunk);
        }
    }

    // =========================================================================================================
    // Data path: refillRx (rx producer)
    // =========================================================================================================

    /**
     * Posts rx buffers until the ids or the buffer pool run out. A grant failure leaves the buffer in the pool,
     * counts an rx error and stops; buffers added before it are still published.
     *
     * @return buffers posted (&ge; 0), or a negative {@link NetFrontResult} when the first buffer failed.
     */
    public int refillRx()
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        final FrontRing ring = rxRing;
        final int prod = ring.reqProdPvt();
        int room = Math.min(rxFreeIds.available(), rxPool.available());
        int added = 0;
        int failure = rxPoolUngrantable == rxPoolPages && rxPoolPages > 0 ?
            NetFrontResult.FRAME_OUT_OF_RANGE : NetFrontResult.OK; // nothing grantable left: say so every time
        while (added < room)
        {
            final int id = rxFreeIds.peek(0);
            final int page = rxPool.peek(0);
            final int rc = grantTable.permitAccess(rxRef[id], backendDomid, memory.frame(page), false);
            if (rc == GrantResult.FRAME_OUT_OF_RANGE)
            {
                // Out of this table's reach for good (v1, frame above 2^32): take the page out of the pool so the
                // grantable pages behind it are reached; counted, and back in the pool on the next open.
                rxPool.take(1);
                rxPoolUngrantable++;
                counters.increment(RX_GRANT_FAILURES); // rx producer's own: pollRx counts RX_ERRORS
                room--;
                failure = NetFrontResult.FRAME_OUT_OF_RANGE;
                if (rxPoolUngrantable == rxPoolPages && !rxPoolReported)
                {
                    rxPoolReported = true;
                    reportNoGrantablePage("rx buffer pool", rxPoolPages);
                }
                continue;
            }
            if (rc != GrantResult.OK)
            {
                counters.increment(RX_GRANT_FAILURES);
                failure = NetFrontResult.fromGrantResult(rc);
                break;
            }
            rxPage[id] = page;
            rxIdAtIndex[(prod + added) & (rxIdAtIndex.length - 1)] = id; // an extra slot's response names no id
            rxRequest.wrap(ring, prod + added).id(id).gref(rxRef[id]);
            rxState[id] = ID_PENDING;
            rxFreeIds.take(1);
            rxPool.take(1);
            added++;
        }
        if (added > 0)
        {
            ring.reqProdPvt(prod + added);
            if (ring.pushRequestsAndCheckNotify())
            {
                rxEvent.notifyPeer();
            }
            return added;
        }
        return failure;
    }

    // =========================================================================================================
    // Data path: pollRx (rx consumer)
    // =========================================================================================================

    /**
     * Consumes rx responses, reassembles {@code more_data} chains and hands each packet to {@code handler}; each
     * buffer goes back to the pool after its grant is ended. Backend errors (ERROR/DROPPED) drop the packet and
     * count; protocol violations make the device BROKEN.
     *
     * @param handler receives each packet (may be null).
     * @param limit   most responses to consume.
     * @return packets delivered or dropped (&ge; 0), or {@code NOT_CONNECTED} / {@code BROKEN}.
     */
    /**
     * Consumes rx responses like {@link #pollRx(RxPacketHandler, int)}, but hands each packet over as its fragments
     * in place in the rx buffers (scatter-gather): no reassembly copy. The buffers go back to the pool after the
     * handler returns. A packet with offload metadata (GSO, a blank checksum) is gathered first, because its
     * checksum is set up from the headers, and then handed over as one fragment.
     *
     * @param handler receives each packet's fragments (may be null).
     * @param limit   most responses to consume.
     * @return packets delivered or dropped (&ge; 0), or {@code NOT_CONNECTED} / {@code BROKEN}.
     */
    public int pollRxFragments(final RxFragmentsHandler handler, final int limit)
    {
        rxFragmentsHandler = handler;
        rxScatterMode = true;
        final int rc = pollRx(null, limit);
        rxScatterMode = false;
        rxFragmentsHandler = null;
        return rc;
    }

    /**
     * Consumes rx responses, reassembles {@code more_data} chains and hands each packet to {@code handler}.
     *
     * @param handler receives each packet (may be null).
     * @param limit   most responses to consume.
     * @return packets delivered or dropped (&ge; 0), or {@code NOT_CONNECTED} / {@code BROKEN}.
     */
    public int pollRx(final RxPacketHandler handler, final int limit)
    {
        final State current = state;
        if (current != State.CONNECTED)
        {
            return current == State.BROKEN ? NetFrontResult.BROKEN : NetFrontResult.NOT_CONNECTED;
        }
        final FrontRing ring = rxRing;
        int responses = 0;
        int packets = 0;
        do
        {
            final int rspProd = ring.rspProdAcquire(); // once; acquire: slots below it are visible
            if (ring.responseProdOverflow(rspProd))
            {
                return markBroken(BrokenReason.RX_RSP_PROD_OVERFLOW);
            }
            int cons = ring.rspCons();
            while (cons != rspProd && responses < limit)
            {
                if (rxExtrasPending > 0)
                {
                    final int rc = receiveExtra(cons, handler);
                    cons++;
                    responses++;
                    if (rc < 0)
                    {
                        ring.rspCons(cons);
                        return rc;
                    }
                    packets += rc;
                    continue;
                }
                rxResponse.wrap(ring, cons);
                final int id = rxResponse.id(); // each field read once, then only the locals are used
                final int offset = rxResponse.offset();
                final int flags = rxResponse.flags();
                final int status = rxResponse.status();
                cons++;
                responses++;
                final int rc = receiveFragment(id, offset, flags, status, handler);
                if (rc < 0)
                {
                    ring.rspCons(cons);
                    return rc;
                }
                packets += rc;
            }
            ring.rspCons(cons);
        }
        while (responses < limit && ring.finalCheckForResponses() > 0);
        return packets;
    }

    private int receiveFragment(
        final int id, final int offset, final int flags, final int status, final RxPacketHandler handler)
    {
        if (id >= rxIdCount)
        {
            return markBroken(BrokenReason.RX_BAD_ID);
        }
        if (rxState[id] != ID_PENDING)
        {
            return markBroken(BrokenReason.RX_ID_NOT_PENDING);
        }
        if (status < 0 && status != NetifResponseStatus.ERROR && status != NetifResponseStatus.DROPPED)
        {
            return markBroken(BrokenReason.RX_BAD_STATUS);
        }
        if (status >= 0 && offset + status > PAGE_LENGTH) // also an offset past the page with status 0
        {
            return markBroken(BrokenReason.RX_BAD_OFFSET);
        }
        if (++rxFragments > config.maxRxFragments())
        {
            return markBroken(BrokenReason.RX_CHAIN_TOO_LONG);
        }
        if (!endGrant(rxState, rxRef, id, rxPage[id], RX_DEFERRED_GRANTS))
        {
            return markBroken(BrokenReason.GRANT_STILL_IN_USE); // page stays with the id, never recycled
        }
        final int page = rxPage[id];
        final boolean more = (flags & NetifRxFlags.MORE_DATA) != 0;
        final boolean extras = rxFragments == 1 && (flags & NetifRxFlags.EXTRA_INFO) != 0;
        if (rxFragments == 1)
        {
            rxFirstFlags = flags;
            rxGsoType = NetifConstants.GSO_TYPE_NONE;
            rxGsoSize = 0;
            rxInPlace = false;
            rxScatter = rxScatterMode; // decided per packet, by the poll that sees its first fragment
        }
        if (status < 0)
        {
            rxPacketStatus = Math.min(rxPacketStatus, status);
        }
        else if (rxFragments == 1 && !more && !extras)
        {
            rxFirstOffset = (page << PAGE_SHIFT) + offset; // single fragment: delivered in place, no copy
            rxLength = status;
            rxInPlace = true;
            rxPacket.add(rxFirstOffset, status);
        }
        else if (rxScatter)
        {
            rxPacket.add((page << PAGE_SHIFT) + offset, status); // scatter-gather: left in place, page held
            rxLength += status;
        }
        else
        {
            reassembly.putBytes(rxLength, memoryBuffer, (page << PAGE_SHIFT) + offset, status);
            rxLength += status;
        }
        if (extras)
        {
            rxExtrasPending = 1; // netif.h: the extra-info slots come next, then the rest of the chain
            rxMoreAfterExtras = more;
            rxExtraCount = 0;
            release(id, page);
            return 0;
        }
        if (more)
        {
            release(id, page);
            return 0;
        }
        final int delivered = finishPacket(handler);
        recycle(id, page);
        return delivered;
    }

    /**
     * One extra-info response (Linux xennet_get_extras): read once; a GSO extra is kept for the packet, other types
     * are skipped; the buffer posted at this ring index was not used and goes back to the pool.
     */
    private int receiveExtra(final int index, final RxPacketHandler handler)
    {
        final int id = rxIdAtIndex[index & (rxIdAtIndex.length - 1)];
        if (rxState[id] != ID_PENDING)
        {
            return markBroken(BrokenReason.RX_ID_NOT_PENDING);
        }
        if (++rxExtraCount >= NetifConstants.EXTRA_TYPE_MAX)
        {
            return markBroken(BrokenReason.RX_BAD_EXTRA);
        }
        rxExtra.wrap(rxRingPage, rxRing.responseOffset(index));
        rxExtraInfoSlots++;
        final int type = rxExtra.type(); // each field read once
        final int extraFlags = rxExtra.flags();
        final int gsoSize = rxExtra.gsoSize();
        final int gsoType = rxExtra.gsoType();
        if (!endGrant(rxState, rxRef, id, rxPage[id], RX_DEFERRED_GRANTS))
        {
            return markBroken(BrokenReason.GRANT_STILL_IN_USE);
        }
        recycle(id, rxPage[id]);
        if (type == NetifConstants.EXTRA_TYPE_GSO)
        {
            rxGsoType = gsoType;
            rxGsoSize = gsoSize;
        }
        if ((extraFlags & NetifConstants.EXTRA_FLAG_MORE) != 0)
        {
            return 0;
        }
        rxExtrasPending = 0;
        return rxMoreAfterExtras ? 0 : finishPacket(handler);
    }

    /**
     * Linux netfront's rx offload: csum_blank becomes a partial checksum located from the headers, a GSO packet
     * (always partial, its pseudo-header sum rewritten) keeps type and size; data_validated alone marks it good.
     *
     * @return false when the packet must be dropped (bad GSO extra, headers that do not parse).
     */
    private boolean setupRxOffload(final AtomicBuffer buffer, final int offset, final int length)
    {
        final OffloadInfo info = rxOffload.clear();
        final boolean gso = rxGsoType != NetifConstants.GSO_TYPE_NONE;
        if (gso)
        {
            if (rxGsoSize == 0 || (rxGsoType != NetifConstants.GSO_TYPE_TCPV4 &&
                rxGsoType != NetifConstants.GSO_TYPE_TCPV6))
            {
                return false; // Linux xennet_set_skb_gso: dropped, not fatal
            }
            info.gso(rxGsoType, rxGsoSize);
        }
        if (gso || (rxFirstFlags & NetifRxFlags.CSUM_BLANK) != 0)
        {
            return rxHeaders.checksumSetup(buffer, offset, length, info, gso) == PacketHeaders.OK;
        }
        if ((rxFirstFlags & NetifRxFlags.DATA_VALIDATED) != 0)
        {
            info.flags(OffloadInfo.DATA_VALID);
        }
        return true;
    }

    private int finishPacket(final RxPacketHandler handler)
    {
        if (rxPacketStatus < 0)
        {
            if (rxPacketStatus == NetifResponseStatus.DROPPED)
            {
                counters.increment(RX_DROPPED);
            }
            else
            {
                counters.increment(RX_ERRORS);
            }
        }
        else
        {
            AtomicBuffer buffer = rxInPlace ? memoryBuffer : reassembly;
            int offset = rxInPlace ? rxFirstOffset : 0;
            if (rxScatter && !rxInPlace)
            {
                if (rxGsoType != NetifConstants.GSO_TYPE_NONE || (rxFirstFlags & NetifRxFlags.CSUM_BLANK) != 0)
                {
                    rxPacket.copyTo(reassembly, 0); // the checksum setup reads and rewrites the headers
                    rxPacket.reset(reassembly);
                    rxPacket.add(0, rxLength);
                }
                else
                {
                    buffer = memoryBuffer; // not read: no offload to set up
                    offset = rxPacket.offset(0);
                }
            }
            if (!setupRxOffload(buffer, offset, rxLength))
            {
                counters.increment(RX_OFFLOAD_ERRORS);
                counters.increment(RX_ERRORS);
            }
            else
            {
                counters.increment(RX_PACKETS);
                counters.add(RX_BYTES, rxLength);
                final OffloadInfo info = rxOffload;
                if (info.isGso())
                {
                    counters.increment(RX_GSO_PACKETS);
                }
                else if (info.needsCsum())
                {
                    counters.increment(RX_CSUM_BLANK_PACKETS);
                }
                if (rxScatter)
                {
                    if (null != rxFragmentsHandler)
                    {
                        rxFragmentsHandler.onPacket(rxPacket);
                    }
                }
                else if (null != handler)
                {
                    handler.onPacket(buffer, offset, rxLength, info); // defaults down to the flags, then bytes
                }
            }
        }
        for (int i = 0; i < rxHeld; i++)
        {
            recycle(rxHeldIds[i], rxHeldPages[i]);
        }
        rxHeld = 0;
        rxPacket.reset(memoryBuffer);
        rxGsoType = NetifConstants.GSO_TYPE_NONE;
        rxFirstFlags = 0;
        rxFragments = 0;
        rxLength = 0;
        rxPacketStatus = NetifResponseStatus.OKAY;
        return 1;
    }

    /** A fragment's id and page: held until the packet is handed over when scatter-gather, else recycled now. */
    private void release(final int id, final int page)
    {
        if (rxScatter)
        {
            rxHeldIds[rxHeld] = id;
            rxHeldPages[rxHeld++] = page;
        }
        else
        {
            recycle(id, page);
        }
    }

    private void recycle(final int id, final int page)
    {
        rxPool.give(page);
        rxFreeIds.give(id);
    }

    // =========================================================================================================
    // Broken state
    // =========================================================================================================

    private int markBroken(final BrokenReason reason)
    {
        brokenReason.compareAndSet(BrokenReason.NONE, reason); // first reason wins
        if (state == State.CONNECTED)
        {
            state = State.BROKEN;
        }
        return NetFrontResult.BROKEN;
    }

    // =========================================================================================================
    // Accessors
    // =========================================================================================================

    /** @return the current state (any thread). */
    public State state()
    {
        return state;
    }

    /** @return why the device is BROKEN, or {@link BrokenReason#NONE}. */
    public BrokenReason brokenReason()
    {
        return brokenReason.get();
    }

    /** @return the configuration. */
    public NetFrontConfig config()
    {
        return new NetFrontConfig(config); // a copy: the device's own parameters never change
    }

    /** @return the guest memory holding packets and buffers. */
    public GuestMemory memory()
    {
        return memory;
    }

    /** @return the guest memory holding the ring pages. */
    public GuestMemory ringMemory()
    {
        return ringMemory;
    }

    /** @return the grant table of this guest. */
    public GrantTable grantTable()
    {
        return grantTable;
    }

    /** @return the grant ref of the tx ring page (-1 when closed). */
    public int txRingRef()
    {
        return txRingRef;
    }

    /** @return the grant ref of the rx ring page (-1 when closed). */
    public int rxRingRef()
    {
        return rxRingRef;
    }

    /** @return this end of the tx event channel (null before the first open). */
    public EventChannel txEvent()
    {
        return txEvent;
    }

    /** @return this end of the rx event channel (null before the first open). */
    public EventChannel rxEvent()
    {
        return rxEvent;
    }

    /** @return the tx front ring (for tests and diagnostics; owned by the tx roles). */
    public FrontRing txRing()
    {
        return txRing;
    }

    /** @return the rx front ring (for tests and diagnostics; owned by the rx roles). */
    public FrontRing rxRing()
    {
        return rxRing;
    }

    /** @return tx ids free right now (snapshot). */
    public int txFreeIds()
    {
        return txFreeIds.size();
    }

    /** @return rx ids free right now (snapshot). */
    public int rxFreeIds()
    {
        return rxFreeIds.size();
    }

    /** @return rx buffers in the pool right now (snapshot). */
    public int rxPoolAvailable()
    {
        return rxPool.size();
    }

    /** @return tx claim buffers free right now (snapshot). */
    public int txBuffersAvailable()
    {
        return config.txBufferCount() == 0 ? 0 : txChunks.size();
    }

    /** @return {@code [prod, cons]} of the tx free-id ring packed in a long (for state comparison in tests). */
    public long txFreeIdIndices()
    {
        return txFreeIds.indices();
    }

    /** @return {@code [prod, cons]} of the rx free-id ring packed in a long. */
    public long rxFreeIdIndices()
    {
        return rxFreeIds.indices();
    }

    /** @return {@code [prod, cons]} of the rx buffer pool packed in a long. */
    public long rxPoolIndices()
    {
        return rxPool.indices();
    }

    /** @return the fixed grant ref of a tx id. @param id the id. */
    public int txRef(final int id)
    {
        return txRef[id];
    }

    /** @return the fixed grant ref of an rx id. @param id the id. */
    public int rxRef(final int id)
    {
        return rxRef[id];
    }

    /** @return packets the backend answered OKAY. */
    public long txPackets()
    {
        return counters.get(TX_PACKETS);
    }

    /** @return bytes of packets answered OKAY. */
    public long txBytes()
    {
        return counters.get(TX_BYTES);
    }

    /** @return packets answered ERROR. */
    public long txErrors()
    {
        return counters.get(TX_ERRORS);
    }

    /** @return packets answered DROPPED. */
    public long txDropped()
    {
        return counters.get(TX_DROPPED);
    }

    /** @return transmits refused because a fragment could not be granted. */
    public long txGrantFailures()
    {
        return counters.get(TX_GRANT_FAILURES);
    }

    /** @return packets received. */
    public long rxPackets()
    {
        return counters.get(RX_PACKETS);
    }

    /** @return bytes received. */
    public long rxBytes()
    {
        return counters.get(RX_BYTES);
    }

    /** @return rx errors: ERROR responses and buffers that could not be granted. */
    public long rxErrors()
    {
        return counters.get(RX_ERRORS) + counters.get(RX_GRANT_FAILURES);
    }

    /** @return rx packets the backend answered DROPPED. */
    public long rxDropped()
    {
        return counters.get(RX_DROPPED);
    }

    /**
     * Whether a guest page is quarantined: a grant on it could not be ended, so it never returns to a pool.
     *
     * @param page guest page index.
     * @return true if quarantined.
     */
    public boolean isQuarantined(final int page)
    {
        return quarantined[page];
    }

    /**
     * rx buffer pages taken out of the pool since open because the grant table cannot reach them
     * ({@code FRAME_OUT_OF_RANGE}: v1 and a frame above 2^32); they return to the pool on the next open.
     *
     * @return the count (rx producer's counter).
     */
    public int rxPoolUngrantable()
    {
        return rxPoolUngrantable;
    }

    /**
     * tx claim buffers taken out of the pool since open because the grant table cannot reach them.
     *
     * @return the count (tx producer's counter).
     */
    public int txPoolUngrantable()
    {
        return txPoolUngrantable;
    }

    /**
     * Sets what the backend takes (read from its xenstore keys by {@link XenbusNetFront}); default
     * {@link OffloadFeatures#SG}. Blank IPv4 checksums go to every backend, as Linux's netfront sends them.
     *
     * @param features an {@link OffloadFeatures} bit set.
     */
    public void backendFeatures(final int features)
    {
        backendFeatures = features;
    }

    /** @return what the backend takes ({@link OffloadFeatures} bits). */
    public int backendFeatures()
    {
        return backendFeatures;
    }

    /**
     * Sets whether the backend takes multi-slot tx packets (its {@code feature-sg}, the {@link OffloadFeatures#SG}
     * bit of {@link #backendFeatures()}); without it a packet that needs several slots is refused with
     * {@link NetFrontResult#NO_SCATTER_GATHER}. Setup-time, before open.
     *
     * @param scatterGather the backend's {@code feature-sg}.
     */
    public void backendScatterGather(final boolean scatterGather)
    {
        backendFeatures = scatterGather ? backendFeatures | OffloadFeatures.SG : backendFeatures & ~OffloadFeatures.SG;
    }

    /** @return whether multi-slot tx packets may be sent. */
    public boolean backendScatterGather()
    {
        return (backendFeatures & OffloadFeatures.SG) != 0;
    }

    /** @return rx extra-info slots consumed (their buffers recycled). */
    public long rxExtraInfoSlots()
    {
        return rxExtraInfoSlots;
    }

    /** @return GSO frames put on the tx ring (with a GSO extra slot). */
    public long txGsoPackets()
    {
        return counters.get(TX_GSO_PACKETS);
    }

    /** @return non-GSO packets sent with {@code NETTXF_csum_blank}. */
    public long txCsumBlankPackets()
    {
        return counters.get(TX_CSUM_BLANK_PACKETS);
    }

    /** @return GSO frames {@code offer} segmented in software (the backend lacks their GSO type). */
    public long txSegmentedFrames()
    {
        return counters.get(TX_SEGMENTED_FRAMES);
    }

    /** @return blank checksums {@code offer} completed in software. */
    public long txChecksumsCompleted()
    {
        return counters.get(TX_CHECKSUMS_COMPLETED);
    }

    /** @return GSO packets received (with a GSO extra slot). */
    public long rxGsoPackets()
    {
        return counters.get(RX_GSO_PACKETS);
    }

    /** @return non-GSO packets received with {@code NETRXF_csum_blank}. */
    public long rxCsumBlankPackets()
    {
        return counters.get(RX_CSUM_BLANK_PACKETS);
    }

    /** @return received packets dropped for bad offload metadata (bad GSO extra, unparsable headers). */
    public long rxOffloadErrors()
    {
        return counters.get(RX_OFFLOAD_ERRORS);
    }

    /** @return grants that could not be ended because the backend still maps them (never reused). */
    public long deferredGrants()
    {
        return counters.get(TX_DEFERRED_GRANTS) + counters.get(RX_DEFERRED_GRANTS) +
            counters.get(CLOSE_DEFERRED_GRANTS);
    }

    @Override
    public String toString()
    {
        return "NetFront{state=" + state + ", brokenReason=" + brokenReason.get() + ", txPackets=" + txPackets() +
            ", rxPackets=" + rxPackets() + '}';
    }
}
