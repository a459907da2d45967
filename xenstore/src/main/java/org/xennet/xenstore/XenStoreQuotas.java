package org.xennet.xenstore;

import java.time.Duration;

/**
 * The limits a {@link XenStoreServer} and its {@link InMemoryXenStore} enforce so that one client cannot exhaust
 * the daemon, modelled on Xen's: oxenstored's {@code quota-*} settings ({@code maxrequests}, entries, watches,
 * transactions, node size) and C xenstored's XSA-326 limits (outstanding requests, transaction nodes, memory).
 *
 * <p>Every wire connection is privileged (domain 0) here, unlike in Xen, so the per-domain quotas of Xen apply
 * per connection instead. Build with {@link #builder()}; {@link #DEFAULTS} are the defaults that
 * {@code xennet xenstored} starts with.
 *
 * <pre>
 * limit                       default   when exceeded
 * nodes (whole store)         100000    ENOSPC
 * nodes per connection        10000     EQUOTA
 * node size (value bytes)     4096      E2BIG (a write over the wire limit is E2BIG anyway)
 * watches per connection      128       E2BIG
 * transactions per connection 16        ENOSPC
 * operations per transaction  1024      EQUOTA
 * memory (estimate)           64 MiB    ENOMEM
 * outstanding requests        64        the connection is not read until replies drain
 * queued watch events         4096 / 1 MiB per connection: further events are dropped (counted)
 * connections                 64        the longest-idle stateless or half-sent one is evicted, else refused
 * half-sent message           5 s       the connection is closed
 * idle connection             off       closed when it holds no watch or transaction
 * </pre>
 */
public final class XenStoreQuotas
{
    /** The defaults ({@code xennet xenstored} without options). */
    public static final XenStoreQuotas DEFAULTS = builder().build();

    private final int maxNodes;
    private final int maxNodesPerConnection;
    private final int maxNodeSize;
    private final int maxWatches;
    private final int maxTransactions;
    private final int maxTransactionOps;
    private final long maxMemoryBytes;
    private final int maxOutstandingRequests;
    private final int maxQueuedEvents;
    private final long maxQueuedEventBytes;
    private final int maxConnections;
    private final Duration halfMessageTimeout;
    private final Duration idleTimeout;

    private XenStoreQuotas(final Builder builder)
    {
        this.maxNodes = positive("maxNodes", builder.maxNodes);
        this.maxNodesPerConnection = positive("maxNodesPerConnection", builder.maxNodesPerConnection);
        this.maxNodeSize = positive("maxNodeSize", builder.maxNodeSize);
        this.maxWatches = positive("maxWatches", builder.maxWatches);
        this.maxTransactions = positive("maxTransactions", builder.maxTransactions);
        this.maxTransactionOps = positive("maxTransactionOps", builder.maxTransactionOps);
        this.maxMemoryBytes = positive("maxMemoryBytes", builder.maxMemoryBytes);
        this.maxOutstandingRequests = positive("maxOutstandingRequests", builder.maxOutstandingRequests);
        this.maxQueuedEvents = positive("maxQueuedEvents", builder.maxQueuedEvents);
        this.maxQueuedEventBytes = positive("maxQueuedEventBytes", builder.maxQueuedEventBytes);
        this.maxConnections = positive("maxConnections", builder.maxConnections);
        if (builder.halfMessageTimeout.isNegative() || builder.halfMessageTimeout.isZero())
        {
            throw new IllegalArgumentException("xenstore halfMessageTimeout must be positive: " +
                builder.halfMessageTimeout);
        }
        if (builder.idleTimeout.isNegative())
        {
            throw new IllegalArgumentException("xenstore idleTimeout must not be negative: " + builder.idleTimeout);
        }
        this.halfMessageTimeout = builder.halfMessageTimeout;
        this.idleTimeout = builder.idleTimeout;
    }

    private static long positive(final String name, final long value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("xenstore quota must be positive: " + name + "=" + value);
        }
        return value;
    }

    private static int positive(final String name, final int value)
    {
        return (int)positive(name, (long)value);
    }

    /** @return a builder starting from the defaults. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return nodes the whole store may hold ({@code ENOSPC} beyond). */
    public int maxNodes()
    {
        return maxNodes;
    }

    /** @return nodes one connection may have created and not yet removed ({@code EQUOTA} beyond). */
    public int maxNodesPerConnection()
    {
        return maxNodesPerConnection;
    }

    /** @return the largest node value in bytes ({@code E2BIG} beyond). */
    public int maxNodeSize()
    {
        return maxNodeSize;
    }

    /** @return watches per connection ({@code E2BIG} beyond). */
    public int maxWatches()
    {
        return maxWatches;
    }

    /** @return open transactions per connection ({@code ENOSPC} beyond). */
    public int maxTransactions()
    {
        return maxTransactions;
    }

    /** @return requests one transaction may carry ({@code EQUOTA} beyond; oxenstored's {@code maxrequests}). */
    public int maxTransactionOps()
    {
        return maxTransactionOps;
    }

    /** @return estimated bytes the tree and all open transactions may hold ({@code ENOMEM} beyond). */
    public long maxMemoryBytes()
    {
        return maxMemoryBytes;
    }

    /** @return unanswered requests per connection before the server stops reading it (flow control). */
    public int maxOutstandingRequests()
    {
        return maxOutstandingRequests;
    }

    /** @return watch events queued per connection before further ones are dropped. */
    public int maxQueuedEvents()
    {
        return maxQueuedEvents;
    }

    /** @return bytes of watch events queued per connection before further ones are dropped. */
    public long maxQueuedEventBytes()
    {
        return maxQueuedEventBytes;
    }

    /** @return connections served at once. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @return how long a connection may leave a message half-sent before it is closed. */
    public Duration halfMessageTimeout()
    {
        return halfMessageTimeout;
    }

    /** @return how long a connection without watches or transactions may idle; zero: forever. */
    public Duration idleTimeout()
    {
        return idleTimeout;
    }

    @Override
    public String toString()
    {
        return "XenStoreQuotas{maxNodes=" + maxNodes + ", maxNodesPerConnection=" + maxNodesPerConnection +
            ", maxNodeSize=" + maxNodeSize + ", maxWatches=" + maxWatches + ", maxTransactions=" + maxTransactions +
            ", maxTransactionOps=" + maxTransactionOps + ", maxMemoryBytes=" + maxMemoryBytes +
            ", maxOutstandingRequests=" + maxOutstandingRequests + ", maxQueuedEvents=" + maxQueuedEvents +
            ", maxQueuedEventBytes=" + maxQueuedEventBytes + ", maxConnections=" + maxConnections +
            ", halfMessageTimeout=" + halfMessageTimeout + ", idleTimeout=" + idleTimeout + "}";
    }

    /** Collects the limits; each setter names one row of the table in the class comment. */
    public static final class Builder
    {
        private int maxNodes = 100_000;
        private int maxNodesPerConnection = 10_000;
        private int maxNodeSize = XsWire.PAYLOAD_MAX;
        private int maxWatches = 128;
        private int maxTransactions = 16;
        private int maxTransactionOps = 1024;
        private long maxMemoryBytes = 64L << 20;
        private int maxOutstandingRequests = 64;
        private int maxQueuedEvents = 4096;
        private long maxQueuedEventBytes = 1L << 20;
        private int maxConnections = 64;
        private Duration halfMessageTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ZERO;

        private Builder()
        {
        }

        /** @param value nodes in the whole store. @return this builder. */
        public Builder maxNodes(final int value)
        {
            this.maxNodes = value;
            return this;
        }

        /** @param value nodes per connection. @return this builder. */
        public Builder maxNodesPerConnection(final int value)
        {
            this.maxNodesPerConnection = value;
            return this;
        }

        /** @param value largest value in bytes. @return this builder. */
        public Builder maxNodeSize(final int value)
        {
            this.maxNodeSize = value;
            return this;
        }

        /** @param value watches per connection. @return this builder. */
        public Builder maxWatches(final int value)
        {
            this.maxWatches = value;
            return this;
        }

        /** @param value open transactions per connection. @return this builder. */
        public Builder maxTransactions(final int value)
        {
            this.maxTransactions = value;
            return this;
        }

        /** @param value requests per transaction. @return this builder. */
        public Builder maxTransactionOps(final int value)
        {
            this.maxTransactionOps = value;
            return this;
        }

        /** @param value estimated bytes of the tree and open transactions. @return this builder. */
        public Builder maxMemoryBytes(final long value)
        {
            this.maxMemoryBytes = value;
            return this;
        }

        /** @param value unanswered requests per connection. @return this builder. */
        public Builder maxOutstandingRequests(final int value)
        {
            this.maxOutstandingRequests = value;
            return this;
        }

        /** @param value watch events queued per connection. @return this builder. */
        public Builder maxQueuedEvents(final int value)
        {
            this.maxQueuedEvents = value;
            return this;
        }

        /** @param value bytes of watch events queued per connection. @return this builder. */
        public Builder maxQueuedEventBytes(final long value)
        {
            this.maxQueuedEventBytes = value;
            return this;
        }

        /** @param value connections served at once. @return this builder. */
        public Builder maxConnections(final int value)
        {
            this.maxConnections = value;
            return this;
        }

        /** @param value how long a message may stay half-sent. @return this builder. */
        public Builder halfMessageTimeout(final Duration value)
        {
            this.halfMessageTimeout = value;
            return this;
        }

        /** @param value how long a stateless connection may idle; zero: forever. @return this builder. */
        public Builder idleTimeout(final Duration value)
        {
            this.idleTimeout = value;
            return this;
        }

        /** @return the quotas. @throws IllegalArgumentException when a limit is not positive. */
        public XenStoreQuotas build()
        {
            return new XenStoreQuotas(this);
        }
    }
}
