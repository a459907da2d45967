package org.xennet.tap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One queue of a Linux TAP device opened through {@code /dev/net/tun} ({@code IFF_TAP | IFF_NO_PI}, optionally
 * {@code IFF_VNET_HDR} and {@code IFF_MULTI_QUEUE}), non-blocking. {@link #open(TapConfig)} attaches to an existing
 * TAP of that name (made with {@code ip tuntap add}) or creates a non-persistent one, inside the configured network
 * namespace: the open runs on a short-lived thread that joins the namespace with {@code setns}, so no thread of the
 * caller ever changes namespace.
 * <p>
 * Data path: {@link #read} and {@link #write} return byte counts or a negative {@link TapResult}; a device that was
 * deleted while open answers {@link TapResult#GONE} (the kernel's {@code EBADFD}) and the end using it closes.
 * <p>
 * Threading: one reader thread and one writer thread may use the device at once (each has its own scratch).
 */
public final class TapDevice implements AutoCloseable
{
    private static final String TUN_PATH = "/dev/net/tun";
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final int IOVEC_LENGTH = 16;

    private final TapConfig config;
    private final int fd;
    private final boolean created;
    private final int headerLength;
    private final UnsafeBuffer zeroHeader;   // writer: an all-zero virtio_net_hdr (no offload)
    private final UnsafeBuffer writeIov;     // writer: iovec[2] = { header, frame }
    private final UnsafeBuffer writeScratch; // writer: frames that do not live in native memory are copied here
    private volatile boolean closed;
    private int lastErrno;

    private TapDevice(final TapConfig config, final int fd, final boolean created)
    {
        this.config = config;
        this.fd = fd;
        this.created = created;
        this.headerLength = config.vnetHeader() ? VirtioNetHdrDescriptor.LENGTH : 0;
        this.zeroHeader = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        this.writeIov = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        this.writeScratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1 << 17, 4096));
    }

    /**
     * Opens (attaches to or creates) a TAP device.
     *
     * @param config name, namespace, header and offloads.
     * @return the open device.
     * @throws TapException naming what is missing: root / {@code CAP_NET_ADMIN}, {@code /dev/net/tun}, the
     *                      namespace, or a device of that name that is not a matching TAP.
     */
    public static TapDevice open(final TapConfig config)
    {
        if (null == config.name())
        {
            throw new IllegalArgumentException("TapConfig has no name");
        }
        if (config.offload() != 0 && !config.vnetHeader())
        {
            throw new IllegalArgumentException("offload needs the virtio-net header: " + config);
        }
        if (null == config.netns())
        {
            return openHere(config);
        }
        final Path nsPath = NETNS_DIR.resolve(config.netns());
        if (!Files.exists(nsPath))
        {
            throw new TapException("network namespace " + config.netns() + " not found (" + nsPath +
                "): create it with 'ip netns add " + config.netns() + "'");
        }
        final AtomicReference<Object> result = new AtomicReference<>();
        final Thread opener = new Thread(() ->
        {
            try
            {
                result.set(openInNamespace(config, nsPath));
            }
            catch (final RuntimeException | Error ex)
            {
                result.set(ex);
            }
        }, "tap-open-" + config.name());
        opener.start();
        try
        {
            opener.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TapException("interrupted while opening TAP " + config.name(), ex);
        }
        final Object outcome = result.get();
        if (outcome instanceof TapDevice)
        {
            return (TapDevice)outcome;
        }
        if (outcome instanceof RuntimeException)
        {
            throw (RuntimeException)outcome;
        }
        throw (Error)outcome;
    }

    /** Runs on a throw-away thread: joins the namespace for good (the thread ends right after). */
    private static TapDevice openInNamespace(final TapConfig config, final Path nsPath)
    {
        final int nsFd = LibC.open(nsPath.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (nsFd < 0)
        {
            throw new TapException("cannot open network namespace " + nsPath + ": " + LibC.describe(LibC.errno()));
        }
        try
        {
            if (LibC.setns(nsFd, LibC.CLONE_NEWNET) != 0)
            {
                final int errno = LibC.errno();
                throw new TapException("cannot enter network namespace " + config.netns() + ": " +
                    LibC.describe(errno) + (errno == LibC.EPERM ? " (needs root / CAP_SYS_ADMIN)" : ""));
            }
        }
        finally
        {
            LibC.close(nsFd);
        }
        return openHere(config);
    }

    private static TapDevice openHere(final TapConfig config)
    {
        final boolean existed = LibC.if_nametoindex(config.name()) != 0;
        final int fd = LibC.open(TUN_PATH, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            final int errno = LibC.errno();
            if (errno == LibC.ENOENT || errno == LibC.ENODEV || errno == LibC.ENXIO)
            {
                throw new TapException(TUN_PATH + " is missing: " + LibC.describe(errno) +
                    " (load the tun module: modprobe tun)");
            }
            if (errno == LibC.EACCES || errno == LibC.EPERM)
            {
                throw new TapException("no permission to open " + TUN_PATH + ": " + LibC.describe(errno) +
                    " (run as root or with CAP_NET_ADMIN)");
            }
            throw new TapException("cannot open " + TUN_PATH + ": " + LibC.describe(errno));
        }
        try
        {
            setInterface(fd, config, existed);
            if (config.vnetHeader())
            {
                setHeaderLength(fd, config.name());
                if (LibC.ioctl(fd, LibC.TUNSETOFFLOAD, config.offload()) != 0)
                {
                    throw new TapException("TUNSETOFFLOAD 0x" + Integer.toHexString(config.offload()) + " on " +
                        config.name() + " refused: " + LibC.describe(LibC.errno()));
                }
            }
            return new TapDevice(config, fd, !existed);
        }
        catch (final RuntimeException ex)
        {
            LibC.close(fd);
            throw ex;
        }
    }

    private static void setInterface(final int fd, final TapConfig config, final boolean existed)
    {
        final UnsafeBuffer ifreq = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        final byte[] name = config.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ifreq.putBytes(0, name);
        int flags = LibC.IFF_TAP | LibC.IFF_NO_PI;
        flags |= config.vnetHeader() ? LibC.IFF_VNET_HDR : 0;
        flags |= config.multiQueue() ? LibC.IFF_MULTI_QUEUE : 0;
        ifreq.putShort(LibC.IFREQ_FLAGS_OFFSET, (short)flags);
        if (LibC.ioctl(fd, LibC.TUNSETIFF, ifreq.addressOffset()) != 0)
        {
            final int errno = LibC.errno();
            final String what = (existed ? "attaching to TAP " : "creating TAP ") + config.name() +
                (null == config.netns() ? "" : " in network namespace " + config.netns());
            if (errno == LibC.EPERM || errno == LibC.EACCES)
            {
                throw new TapException(what + " needs CAP_NET_ADMIN (run as root): " + LibC.describe(errno));
            }
            if (errno == LibC.EBUSY)
            {
                throw new TapException(what + ": busy (another process holds it, or its multi-queue setting " +
                    "differs: multiQueue=" + config.multiQueue() + "): " + LibC.describe(errno));
            }
            if (errno == LibC.EINVAL)
            {
                throw new TapException(what + ": " + config.name() + " exists but is not a TAP device " +
                    "with these flags: " + LibC.describe(errno));
            }
            throw new TapException(what + " failed: " + LibC.describe(errno));
        }
    }

    private static void setHeaderLength(final int fd, final String name)
    {
        final UnsafeBuffer size = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        size.putInt(0, VirtioNetHdrDescriptor.LENGTH);
        if (LibC.ioctl(fd, LibC.TUNSETVNETHDRSZ, size.addressOffset()) != 0)
        {
            throw new TapException("TUNSETVNETHDRSZ on " + name + " refused: " + LibC.describe(LibC.errno()));
        }
    }

    // =========================================================================================================
    // Data path
    // =========================================================================================================

    /**
     * Reads one frame (with its virtio-net header first when {@link #headerLength()} &gt; 0) without blocking.
     *
     * @param buffer   a buffer over native memory (e.g. {@code BufferUtil.allocateDirectAligned}).
     * @param offset   where the header (or frame) starts.
     * @param capacity room from {@code offset}: header plus the largest frame (65536 + 10 with offload).
     * @return bytes read including the header (&gt; 0), or a negative {@link TapResult}.
     */
    public int read(final DirectBuffer buffer, final int offset, final int capacity)
    {
        if (buffer.byteArray() != null || offset < 0 || capacity < 0 || offset > buffer.capacity() - capacity)
        {
            throw new IllegalArgumentException("read needs native memory in range: offset=" + offset +
                ", capacity=" + capacity);
        }
        final long n = LibC.read(fd, buffer.addressOffset() + offset, capacity);
        if (n >= 0)
        {
            return (int)n;
        }
        return failure(LibC.errno());
    }

    /**
     * Writes one frame behind an all-zero virtio-net header (no offload: the frame is complete, checksums filled).
     *
     * @param frame  the frame's bytes.
     * @param offset offset of its first byte.
     * @param length its length.
     * @return bytes written (&gt; 0) or a negative {@link TapResult}.
     */
    public int write(final DirectBuffer frame, final int offset, final int length)
    {
        return write(zeroHeader, 0, frame, offset, length);
    }

    /**
     * Writes one frame behind the given virtio-net header (ignored when the device has none), with one
     * {@code writev}: the frame is not copied when it lies in native memory.
     *
     * @param header       buffer holding a {@link VirtioNetHdrDescriptor} header.
     * @param headerOffset offset of the header.
     * @param frame        the frame's bytes.
     * @param offset       offset of its first byte.
     * @param length       its length.
     * @return bytes written (&gt; 0) or a negative {@link TapResult}.
     */
    public int write(
        final DirectBuffer header, final int headerOffset, final DirectBuffer frame, final int offset, final int length)
    {
        long frameAddress;
        if (frame.byteArray() == null)
        {
            frameAddress = frame.addressOffset() + offset;
        }
        else
        {
            if (length > writeScratch.capacity())
            {
                return TapResult.ERROR;
            }
            writeScratch.putBytes(0, frame, offset, length);
            frameAddress = writeScratch.addressOffset();
        }
        final UnsafeBuffer iov = writeIov;
        int count = 0;
        if (headerLength > 0)
        {
            final long headerAddress;
            if (header.byteArray() == null)
            {
                headerAddress = header.addressOffset() + headerOffset;
            }
            else
            {
                zeroHeader.putBytes(VirtioNetHdrDescriptor.LENGTH * 2, header, headerOffset, headerLength);
                headerAddress = zeroHeader.addressOffset() + VirtioNetHdrDescriptor.LENGTH * 2;
            }
            iov.putLong(0, headerAddress);
            iov.putLong(8, headerLength);
            count = 1;
        }
        iov.putLong(count * IOVEC_LENGTH, frameAddress);
        iov.putLong(count * IOVEC_LENGTH + 8, length);
        final long n = LibC.writev(fd, iov.addressOffset(), count + 1);
        if (n >= 0)
        {
            return (int)n;
        }
        return failure(LibC.errno());
    }

    private int failure(final int errno)
    {
        lastErrno = errno;
        if (errno == LibC.EAGAIN || errno == LibC.EINTR)
        {
            return TapResult.WOULD_BLOCK;
        }
        if (closed || errno == LibC.EBADFD) // tun.c: a detached file (device deleted) answers -EBADFD
        {
            return TapResult.GONE;
        }
        return TapResult.ERROR; // e.g. EIO: a write while the interface is down is dropped, the device stays
    }

    /**
     * Whether the device still exists in its namespace (cold path: a look-up by name on a short-lived thread when
     * the device lives in another namespace is too costly here, so this checks the descriptor instead).
     *
     * @return false once a read or write saw {@link TapResult#GONE} or the device was closed.
     */
    public boolean isOpen()
    {
        return !closed;
    }

    /**
     * Closes the descriptor (a TAP this process created disappears with it unless made persistent elsewhere).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            LibC.close(fd);
        }
    }

    /** @return the file descriptor (for {@link TapIdleStrategy}'s ppoll). */
    int fd()
    {
        return fd;
    }

    /** @return the interface name. */
    public String name()
    {
        return config.name();
    }

    /** @return the configuration it was opened with. */
    public TapConfig config()
    {
        return config;
    }

    /** @return whether this open created the device (false: attached to an existing one). */
    public boolean created()
    {
        return created;
    }

    /** @return bytes of virtio-net header in front of each frame (0 or 10). */
    public int headerLength()
    {
        return headerLength;
    }

    /** @return errno of the last failed read or write (any thread, racy). */
    public int lastErrno()
    {
        return lastErrno;
    }

    @Override
    public String toString()
    {
        return "TapDevice{" + config.name() + (null == config.netns() ? "" : "@" + config.netns()) + ", fd=" + fd +
            (created ? ", created" : ", attached") + (closed ? ", closed" : "") + '}';
    }
}
