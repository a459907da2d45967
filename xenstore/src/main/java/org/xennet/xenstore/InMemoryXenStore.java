package org.xennet.xenstore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe XenStore held in memory, guarded by one lock (xenstore is not a hot path).
 *
 * <p>The store itself is a {@link XenStore} acting as domain 0 (privileged: permissions are not checked).
 * {@link #session(int)} opens a view acting as another domain, whose requests obey node permissions, and which
 * owns its watches and transactions (closing it drops them), as one xenstored connection does.
 *
 * <p>Transactions, as in cxenstored, read the live tree until they modify a node, which is then copied into the
 * transaction's own tree with its ancestors (copy on write: starting one costs nothing). They record the
 * generation of every node they use when they first use it; a commit fails ({@code EAGAIN}) when any of those
 * nodes changed since, and otherwise replays the transaction's changes on the live tree, firing their watches
 * then. So a committed transaction is serializable; an aborted or conflicting one may have seen newer values.
 */
public final class InMemoryXenStore implements XenStore
{
    /** Default cap on the number of nodes in the store ({@code ENOSPC} beyond). */
    public static final int DEFAULT_MAX_NODES = 100_000;
    /** Default cap on watches per session ({@code E2BIG} beyond, as xenstored's watch quota). */
    public static final int DEFAULT_MAX_WATCHES = 128;
    /** Default cap on open transactions per session ({@code ENOSPC} beyond, as xenstored's quota). */
    public static final int DEFAULT_MAX_TRANSACTIONS = 16;

    private static final long ABSENT = -1;

    private final ReentrantLock lock = new ReentrantLock();
    private final Node root = new Node(null, List.of(new XsPermission(0, XsPermission.Access.NONE)));
    private final List<Watch> watches = new ArrayList<>();
    private final Map<Integer, Transaction> transactions = new HashMap<>();
    private final WatchDispatcher dispatcher = new WatchDispatcher("xenstore-events");
    private final int maxNodes;
    private final int maxWatches;
    private final int maxTransactions;
    private final Session privileged;
    private long generation;
    private int nodeCount = 1;
    private int nextTxId = 1;

    /**
     * An empty store (just the root) with the default quotas.
     */
    public InMemoryXenStore()
    {
        this(DEFAULT_MAX_NODES, DEFAULT_MAX_WATCHES, DEFAULT_MAX_TRANSACTIONS);
    }

    /**
     * @param maxNodes        nodes the store may hold.
     * @param maxWatches      watches per session.
     * @param maxTransactions open transactions per session.
     */
    public InMemoryXenStore(final int maxNodes, final int maxWatches, final int maxTransactions)
    {
        if (maxNodes < 1 || maxWatches < 1 || maxTransactions < 1)
        {
            throw new IllegalArgumentException("xenstore quotas must be positive: maxNodes=" + maxNodes +
                ", maxWatches=" + maxWatches + ", maxTransactions=" + maxTransactions);
        }
        this.maxNodes = maxNodes;
        this.maxWatches = maxWatches;
        this.maxTransactions = maxTransactions;
        this.privileged = new Session(0);
    }

    /**
     * Opens a session acting as {@code domid}: relative paths resolve to its home, node permissions apply
     * (unless {@code domid} is 0), and the session owns its watches and transactions.
     *
     * @param domid the domain, 0..65535.
     * @return the session; close it to drop its watches and abort its transactions.
     */
    public Session session(final int domid)
    {
        if (domid < 0 || domid > XsPermission.DOMID_MAX)
        {
            throw new IllegalArgumentException("xenstore session domid out of range: domid=" + domid);
        }
        return new Session(domid);
    }

    /**
     * @return every node as {@code path -> value [perms]} text, sorted by path: a snapshot for tests and
     *     diagnostics.
     */
    public Map<String, String> dump()
    {
        lock.lock();
        try
        {
            final Map<String, String> out = new TreeMap<>();
            dump(root, XsPath.ROOT, out);
            return out;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return a hash of every node's path, value and permissions: a cheap way to tell whether the content changed.
     */
    long contentHash()
    {
        lock.lock();
        try
        {
            return contentHash(root, 17);
        }
        finally
        {
            lock.unlock();
        }
    }

    private static long contentHash(final Node node, final long seed)
    {
        long hash = seed * 31 + (node.name == null ? 0 : node.name.hashCode());
        hash = hash * 31 + java.util.Arrays.hashCode(node.value);
        hash = hash * 31 + node.perms.hashCode();
        for (final Node child : node.children.values())
        {
            hash = contentHash(child, hash);
        }
        return hash * 31 + node.children.size();
    }

    /** @return the number of nodes, the root included. */
    public int nodeCount()
    {
        lock.lock();
        try
        {
            return nodeCount;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** {@inheritDoc} */
    @Override
    public byte[] read(final int txId, final String path)
    {
        return privileged.read(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public void write(final int txId, final String path, final byte[] value)
    {
        privileged.write(txId, path, value);
    }

    /** {@inheritDoc} */
    @Override
    public void mkdir(final int txId, final String path)
    {
        privileged.mkdir(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public void rm(final int txId, final String path)
    {
        privileged.rm(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public List<String> directory(final int txId, final String path)
    {
        return privileged.directory(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public List<XsPermission> getPermissions(final int txId, final String path)
    {
        return privileged.getPermissions(txId, path);
    }

    /** {@inheritDoc} */
    @Override
    public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
    {
        privileged.setPermissions(txId, path, permissions);
    }

    /** {@inheritDoc} */
    @Override
    public int transactionStart()
    {
        return privileged.transactionStart();
    }

    /** {@inheritDoc} */
    @Override
    public boolean transactionEnd(final int txId, final boolean commit)
    {
        return privileged.transactionEnd(txId, commit);
    }

    /** {@inheritDoc} */
    @Override
    public void watch(final String path, final String token, final WatchListener listener)
    {
        privileged.watch(path, token, listener);
    }

    /** {@inheritDoc} */
    @Override
    public void unwatch(final String path, final String token)
    {
        privileged.unwatch(path, token);
    }

    /**
     * Drops the store's own watches and transactions and stops its event thread; sessions stay usable, but
     * their listeners are no longer called.
     */
    @Override
    public void close()
    {
        privileged.close();
        dispatcher.close();
    }

    /**
     * Runs {@code action} while holding the store's lock, so that it and everything it triggers (watch events
     * handed to internal sinks) is ordered against every other request. Used by the wire server.
     *
     * @param action what to run.
     */
    void locked(final Runnable action)
    {
        lock.lock();
        try
        {
            action.run();
        }
        finally
        {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sessions
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A view of the store acting as one domain, owning its watches and transactions (one xenstored connection).
     */
    public final class Session implements XenStore
    {
        private final int domid;
        private final String home;
        private int watchCount;
        private int transactionCount;
        private boolean closed;

        private Session(final int domid)
        {
            this.domid = domid;
            this.home = XsPath.home(domid);
        }

        /** @return the domain this session acts as. */
        public int domid()
        {
            return domid;
        }

        /** {@inheritDoc} */
        @Override
        public byte[] read(final int txId, final String path)
        {
            lock.lock();
            try
            {
                final View view = view(txId);
                final Node node = existing(view, path, false);
                return node.value.clone();
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public void write(final int txId, final String path, final byte[] value)
        {
            final byte[] copy = value.clone();
            if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + copy.length > XsWire.PAYLOAD_MAX)
            {
                // the same limit as on the wire, so the embedded store and the client accept the same writes
                throw new XenStoreException(XsError.E2BIG, "xenstore write too big: path=" + path + ", length=" +
                    copy.length);
            }
            lock.lock();
            try
            {
                final View view = view(txId);
                final String canonical = XsPath.canonical(path, domid);
                doWrite(view, canonical, copy);
                view.log(new Change(Change.WRITE, canonical, copy, null));
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public void mkdir(final int txId, final String path)
        {
            lock.lock();
            try
            {
                final View view = view(txId);
                final String canonical = XsPath.canonical(path, domid);
                if (doMkdir(view, canonical))
                {
                    view.log(new Change(Change.MKDIR, canonical, null, null));
                }
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public void rm(final int txId, final String path)
        {
            lock.lock();
            try
            {
                final View view = view(txId);
                final String canonical = XsPath.canonical(path, domid);
                if (doRm(view, canonical))
                {
                    view.log(new Change(Change.RM, canonical, null, null));
                }
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public List<String> directory(final int txId, final String path)
        {
            lock.lock();
            try
            {
                final Node node = existing(view(txId), path, false);
                return List.copyOf(node.children.keySet());
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public List<XsPermission> getPermissions(final int txId, final String path)
        {
            lock.lock();
            try
            {
                return existing(view(txId), path, false).perms;
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public void setPermissions(final int txId, final String path, final List<XsPermission> permissions)
        {
            final List<XsPermission> copy = List.copyOf(permissions);
            if (copy.isEmpty())
            {
                throw new XenStoreException(XsError.EINVAL, "xenstore permissions empty: path=" + path);
            }
            lock.lock();
            try
            {
                final View view = view(txId);
                final String canonical = XsPath.canonical(path, domid);
                doSetPerms(view, canonical, copy);
                view.log(new Change(Change.SET_PERMS, canonical, null, copy));
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public int transactionStart()
        {
            lock.lock();
            try
            {
                checkOpen();
                if (transactionCount >= maxTransactions)
                {
                    throw new XenStoreException(XsError.ENOSPC, "too many xenstore transactions: max=" +
                        maxTransactions);
                }
                int id;
                do
                {
                    id = nextTxId++;
                }
                while (id == NO_TRANSACTION || transactions.containsKey(id));
                final Transaction tx = new Transaction(id, this, nodeCount);
                tx.root = root.shallowCopy(tx);
                transactions.put(id, tx);
                transactionCount++;
                return id;
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public boolean transactionEnd(final int txId, final boolean commit)
        {
            lock.lock();
            try
            {
                final Transaction tx = transactions.get(txId);
                if (txId == NO_TRANSACTION || tx == null || tx.owner != this)
                {
                    throw new XenStoreException(XsError.ENOENT, "no such xenstore transaction: txId=" + txId);
                }
                transactions.remove(txId);
                transactionCount--;
                return !commit || commit(tx);
            }
            finally
            {
                lock.unlock();
            }
        }

        /** {@inheritDoc} */
        @Override
        public void watch(final String path, final String token, final WatchListener listener)
        {
            final WatchSink sink = (eventPath, eventToken) ->
                dispatcher.execute(() -> listener.onWatchEvent(eventPath, eventToken));
            addWatch(path, token, sink, true);
        }

        /** {@inheritDoc} */
        @Override
        public void unwatch(final String path, final String token)
        {
            lock.lock();
            try
            {
                final String canonical = watchPath(path);
                for (final Iterator<Watch> it = watches.iterator(); it.hasNext(); )
                {
                    final Watch watch = it.next();
                    if (watch.owner == this && watch.canonical.equals(canonical) && watch.token.equals(token))
                    {
                        it.remove();
                        watchCount--;
                        return;
                    }
                }
                throw new XenStoreException(XsError.ENOENT, "no such xenstore watch: path=" + path +
                    ", token=" + token);
            }
            finally
            {
                lock.unlock();
            }
        }

        /**
         * Drops this session's watches and aborts its transactions (idempotent).
         */
        @Override
        public void close()
        {
            lock.lock();
            try
            {
                closed = true;
                resetWatches();
                transactions.values().removeIf(tx -> tx.owner == this);
                transactionCount = 0;
            }
            finally
            {
                lock.unlock();
            }
        }

        /**
         * Registers a watch whose events go to {@code sink}, called while the store's lock is held (so it
         * must only queue). Used by the wire server, which sends the initial event itself after its reply.
         */
        void addWatch(final String path, final String token, final WatchSink sink, final boolean initialEvent)
        {
            lock.lock();
            try
            {
                checkOpen();
                final String canonical = watchPath(path);
                if (token.indexOf('\0') >= 0)
                {
                    throw new XenStoreException(XsError.EINVAL, "xenstore watch token contains NUL");
                }
                for (final Watch watch : watches)
                {
                    if (watch.owner == this && watch.canonical.equals(canonical) && watch.token.equals(token))
                    {
                        throw new XenStoreException(XsError.EEXIST, "xenstore watch exists: path=" + path +
                            ", token=" + token);
                    }
                }
                if (watchCount >= maxWatches)
                {
                    throw new XenStoreException(XsError.E2BIG, "too many xenstore watches: max=" + maxWatches);
                }
                watches.add(new Watch(this, canonical, path.startsWith("/") || XsPath.isSpecial(path) ?
                    null : home, token, sink));
                watchCount++;
                if (initialEvent)
                {
                    sink.event(path, token);
                }
            }
            finally
            {
                lock.unlock();
            }
        }

        /** Drops every watch of this session ({@code XS_RESET_WATCHES}). */
        void resetWatches()
        {
            lock.lock();
            try
            {
                watches.removeIf(watch -> watch.owner == this);
                watchCount = 0;
            }
            finally
            {
                lock.unlock();
            }
        }

        private String watchPath(final String path)
        {
            return XsPath.isSpecial(path) ? path : XsPath.canonical(path, domid);
        }

        private void checkOpen()
        {
            if (closed)
            {
                throw new XenStoreException(XsError.EIO, "xenstore session closed: domid=" + domid);
            }
        }

        private View view(final int txId)
        {
            if (txId == NO_TRANSACTION)
            {
                return new View(this, root, null);
            }
            final Transaction tx = transactions.get(txId);
            if (tx == null || tx.owner != this)
            {
                throw new XenStoreException(XsError.ENOENT, "no such xenstore transaction: txId=" + txId);
            }
            return new View(this, tx.root, tx);
        }

        private Node existing(final View view, final String path, final boolean write)
        {
            final String canonical = XsPath.canonical(path, domid);
            final Node node = lookup(view, canonical);
            if (node == null)
            {
                throw new XenStoreException(XsError.ENOENT, "no such xenstore node: path=" + path);
            }
            checkAccess(node, write, path);
            return node;
        }

        private void checkAccess(final Node node, final boolean write, final String path)
        {
            if (domid == 0)
            {
                return;
            }
            final XsPermission.Access access = accessOf(node.perms, domid);
            if (write ? !access.canWrite() : !access.canRead())
            {
                throw new XenStoreException(XsError.EACCES, "xenstore permission denied: path=" + path +
                    ", domid=" + domid);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tree operations (lock held)
    // ---------------------------------------------------------------------------------------------------------

    private void doWrite(final View view, final String path, final byte[] value)
    {
        Node node = lookup(view, path);
        if (node == null)
        {
            node = create(view, path);
        }
        else
        {
            view.session.checkAccess(node, true, path);
            view.touch(path, node);
            node = mutable(view, path);
        }
        node.value = value;
        node.generation = ++generation;
        view.fire(path, false, node.perms);
    }

    private boolean doMkdir(final View view, final String path)
    {
        if (lookup(view, path) != null)
        {
            return false;
        }
        final Node created = create(view, path);
        view.fire(path, false, created.perms);
        return true;
    }

    private boolean doRm(final View view, final String path)
    {
        if (path.equals(XsPath.ROOT))
        {
            throw new XenStoreException(XsError.EINVAL, "cannot remove the xenstore root: path=" + path);
        }
        final Node node = lookup(view, path);
        final String parentPath = XsPath.parent(path);
        final Node parent = lookup(view, parentPath);
        if (node == null)
        {
            if (parent == null)
            {
                throw new XenStoreException(XsError.ENOENT, "no such xenstore node: path=" + path);
            }
            return false; // xenstored: removing a missing child of an existing node succeeds
        }
        view.session.checkAccess(node, true, path);
        touchSubtree(view, path, node);
        view.touch(parentPath, parent);
        final Node writableParent = mutable(view, parentPath);
        writableParent.children.remove(node.name);
        writableParent.generation = ++generation;
        view.adjustNodeCount(-node.subtreeSize());
        view.fire(path, true, node.perms);
        return true;
    }

    private void doSetPerms(final View view, final String path, final List<XsPermission> perms)
    {
        final Node node = lookup(view, path);
        if (node == null)
        {
            throw new XenStoreException(XsError.ENOENT, "no such xenstore node: path=" + path);
        }
        final int domid = view.session.domid;
        if (domid != 0 && node.perms.get(0).domid() != domid)
        {
            throw new XenStoreException(XsError.EACCES, "only the owner may set xenstore permissions: path=" +
                path + ", domid=" + domid);
        }
        view.touch(path, node);
        final Node writable = mutable(view, path);
        writable.perms = perms;
        writable.generation = ++generation;
        view.fire(path, false, perms);
    }

    /** Creates {@code path} and its missing ancestors, checking write access on the nearest existing one. */
    private Node create(final View view, final String path)
    {
        final String[] names = path.substring(1).split("/");
        Node node = root(view);
        String at = XsPath.ROOT;
        int existing = 0;
        while (existing < names.length && node.children.containsKey(names[existing]))
        {
            node = node.children.get(names[existing]);
            at = XsPath.child(at, names[existing]);
            existing++;
        }
        view.session.checkAccess(node, true, path);
        final int missing = names.length - existing;
        if (view.nodeCount() + missing > maxNodes)
        {
            throw new XenStoreException(XsError.ENOSPC, "xenstore node quota exhausted: maxNodes=" + maxNodes);
        }
        view.touch(at, node);
        node = mutable(view, at);
        node.generation = ++generation;
        for (int i = existing; i < names.length; i++)
        {
            at = XsPath.child(at, names[i]);
            view.touch(at, null);
            final Node child = new Node(names[i], inheritedPerms(node.perms, view.session.domid));
            child.owner = view.tx;
            child.generation = ++generation;
            node.children.put(names[i], child);
            node = child;
        }
        view.adjustNodeCount(missing);
        return node;
    }

    private boolean commit(final Transaction tx)
    {
        for (final Map.Entry<String, Long> used : tx.used.entrySet())
        {
            final Node live = lookup(root, used.getKey());
            if ((live == null ? ABSENT : live.generation) != used.getValue())
            {
                return false; // someone changed a node this transaction used: EAGAIN
            }
        }
        if (nodeCount + (tx.nodeCount - tx.startNodeCount) > maxNodes)
        {
            throw new XenStoreException(XsError.ENOSPC, "xenstore node quota exhausted: maxNodes=" + maxNodes);
        }
        final View live = new View(tx.owner, root, null);
        for (final Change change : tx.changes)
        {
            switch (change.kind)
            {
                case Change.WRITE -> doWrite(live, change.path, change.value);
                case Change.MKDIR -> doMkdir(live, change.path);
                case Change.RM -> doRm(live, change.path);
                default -> doSetPerms(live, change.path, change.perms);
            }
        }
        return true;
    }

    private void touchSubtree(final View view, final String path, final Node node)
    {
        view.touch(path, node);
        for (final Node child : node.children.values())
        {
            touchSubtree(view, XsPath.child(path, child.name), child);
        }
    }

    /**
     * Queues events for every watch on {@code path}, an ancestor, or (when removed) a descendant of it. As in
     * xenstored, an unprivileged watcher only hears about nodes it may read ({@code perms} are the node's).
     */
    private void fireWatches(final String path, final boolean removed, final List<XsPermission> perms)
    {
        for (final Watch watch : watches)
        {
            final int domid = watch.owner.domid;
            if (domid != 0 && !accessOf(perms, domid).canRead())
            {
                continue;
            }
            if (XsPath.isAtOrBelow(watch.canonical, path))
            {
                watch.sink.event(watch.relativise(path), watch.token);
            }
            else if (removed && XsPath.isAtOrBelow(path, watch.canonical))
            {
                watch.sink.event(watch.relativise(watch.canonical), watch.token);
            }
        }
    }

    private Node root(final View view)
    {
        return view.root;
    }

    /**
     * @return the node at {@code path} (which exists), safe to modify in this view: in a transaction, the node and
     *     its ancestors are copied into the transaction's tree on first modification (copy on write), so the
     *     live tree is never touched and starting a transaction costs nothing.
     */
    private Node mutable(final View view, final String path)
    {
        if (view.tx == null || path.equals(XsPath.ROOT))
        {
            return lookup(view.root, path);
        }
        Node node = view.root;
        int start = 1;
        while (start <= path.length())
        {
            int end = path.indexOf('/', start);
            if (end < 0)
            {
                end = path.length();
            }
            final String name = path.substring(start, end);
            Node child = node.children.get(name);
            if (child.owner != view.tx)
            {
                child = child.shallowCopy(view.tx);
                node.children.put(name, child);
            }
            node = child;
            start = end + 1;
        }
        return node;
    }

    private Node lookup(final View view, final String path)
    {
        final Node node = lookup(view.root, path);
        view.touch(path, node);
        return node;
    }

    private static Node lookup(final Node root, final String path)
    {
        if (path.equals(XsPath.ROOT))
        {
            return root;
        }
        Node node = root;
        int start = 1;
        while (node != null && start <= path.length())
        {
            int end = path.indexOf('/', start);
            if (end < 0)
            {
                end = path.length();
            }
            node = node.children.get(path.substring(start, end));
            start = end + 1;
        }
        return node;
    }

    private static List<XsPermission> inheritedPerms(final List<XsPermission> parent, final int domid)
    {
        if (domid == 0)
        {
            return parent;
        }
        // xenstored: a node created by an unprivileged domain inherits its parent's permissions but is owned by
        // the creator.
        final List<XsPermission> perms = new ArrayList<>(parent);
        perms.set(0, new XsPermission(domid, parent.get(0).access()));
        return List.copyOf(perms);
    }

    private static XsPermission.Access accessOf(final List<XsPermission> perms, final int domid)
    {
        if (perms.get(0).domid() == domid)
        {
            return XsPermission.Access.BOTH; // the owner may do anything
        }
        for (int i = 1; i < perms.size(); i++)
        {
            if (perms.get(i).domid() == domid)
            {
                return perms.get(i).access();
            }
        }
        return perms.get(0).access();
    }

    private static void dump(final Node node, final String path, final Map<String, String> out)
    {
        final StringBuilder perms = new StringBuilder();
        for (final XsPermission perm : node.perms)
        {
            perms.append(perms.length() == 0 ? "" : ",").append(perm);
        }
        out.put(path, java.util.HexFormat.of().formatHex(node.value) + " [" + perms + "]");
        for (final Node child : node.children.values())
        {
            dump(child, XsPath.child(path, child.name), out);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------------------------

    /** Receives a watch event while the store's lock is held: must only queue. */
    @FunctionalInterface
    interface WatchSink
    {
        void event(String path, String token);
    }

    private static final class Node
    {
        private final String name;
        private final LinkedHashMap<String, Node> children = new LinkedHashMap<>();
        private byte[] value = new byte[0];
        private List<XsPermission> perms;
        private long generation;
        private Transaction owner; // null: part of the live tree

        private Node(final String name, final List<XsPermission> perms)
        {
            this.name = name;
            this.perms = perms;
        }

        /** A copy owned by {@code tx}, sharing the (not yet copied) children. */
        private Node shallowCopy(final Transaction tx)
        {
            final Node copy = new Node(name, perms);
            copy.value = value;
            copy.generation = generation;
            copy.owner = tx;
            copy.children.putAll(children);
            return copy;
        }

        private int subtreeSize()
        {
            int size = 1;
            for (final Node child : children.values())
            {
                size += child.subtreeSize();
            }
            return size;
        }
    }

    private record Watch(Session owner, String canonical, String relativeTo, String token, WatchSink sink)
    {
        String relativise(final String path)
        {
            if (relativeTo != null && path.startsWith(relativeTo + "/"))
            {
                return path.substring(relativeTo.length() + 1);
            }
            return path;
        }
    }

    private record Change(int kind, String path, byte[] value, List<XsPermission> perms)
    {
        static final int WRITE = 0;
        static final int MKDIR = 1;
        static final int RM = 2;
        static final int SET_PERMS = 3;
    }

    private static final class Transaction
    {
        private final int id;
        private final Session owner;
        private Node root;
        private final int startNodeCount;
        private final Map<String, Long> used = new HashMap<>();
        private final List<Change> changes = new ArrayList<>();
        private int nodeCount;

        private Transaction(final int id, final Session owner, final int nodeCount)
        {
            this.id = id;
            this.owner = owner;
            this.startNodeCount = nodeCount;
            this.nodeCount = nodeCount;
        }

        @Override
        public String toString()
        {
            return "Transaction{id=" + id + "}";
        }
    }

    /** Where one request runs: the live tree (fires watches) or a transaction's copy (records what it used). */
    private final class View
    {
        private final Session session;
        private final Node root;
        private final Transaction tx;

        private View(final Session session, final Node root, final Transaction tx)
        {
            this.session = session;
            this.root = root;
            this.tx = tx;
        }

        void touch(final String path, final Node node)
        {
            if (tx != null)
            {
                tx.used.putIfAbsent(path, node == null ? ABSENT : node.generation);
            }
        }

        void fire(final String path, final boolean removed, final List<XsPermission> perms)
        {
            if (tx == null)
            {
                fireWatches(path, removed, perms);
            }
        }

        void log(final Change change)
        {
            if (tx != null)
            {
                tx.changes.add(change);
            }
        }

        int nodeCount()
        {
            return tx == null ? nodeCount : tx.nodeCount;
        }

        void adjustNodeCount(final int delta)
        {
            if (tx == null)
            {
                nodeCount += delta;
            }
            else
            {
                tx.nodeCount += delta;
            }
        }
    }
}
