package org.xennet.rings;

import java.nio.ByteOrder;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Little-endian loads and stores at absolute addresses of off-heap ring pages: what the slot flyweights compile to.
 *
 * <p>Why addresses: a flyweight that holds {@code (buffer, int offset)} costs, per field, a reload of the buffer's
 * array and address, an add and a sign extension; one that holds the slot's address reaches every field at a fixed
 * displacement, as C does. Safety moves to where the address is made: {@link SharedRing#slotAddress(int)} masks the
 * index, and {@link #address(AtomicBuffer, int, int)} checks the range once per wrap, so no field access can leave
 * the slot. Xen's layouts are little-endian; on a big-endian host the bytes are swapped (a constant branch).
 */
public final class SlotMemory
{
    private static final boolean SWAP = ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN;

    private SlotMemory()
    {
    }

    /**
     * Address of {@code [offset, offset + length)} in an off-heap buffer, range-checked (always, whatever
     * {@code agrona.disable.bounds.checks} says: this is where a bad offset is caught).
     *
     * @param buffer an off-heap buffer (ring pages always are).
     * @param offset byte offset in it.
     * @param length bytes the caller will access from there.
     * @return the absolute address of {@code offset}.
     * @throws IllegalArgumentException if the buffer is on the heap or the range is outside it.
     */
    public static long address(final AtomicBuffer buffer, final int offset, final int length)
    {
        if (null != buffer.byteArray())
        {
            throw new IllegalArgumentException("slot flyweights need an off-heap buffer (ring pages are)");
        }
        if (offset < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException("slot out of buffer: offset=" + offset + ", length=" + length +
                ", capacity=" + buffer.capacity());
        }
        return buffer.addressOffset() + offset;
    }

    /** @param address absolute address. @return the u8 there, widened. */
    public static int getU8(final long address)
    {
        return UnsafeApi.getByte(address) & 0xFF;
    }

    /** @param address absolute address. @param value low 8 bits are stored. */
    public static void putU8(final long address, final int value)
    {
        UnsafeApi.putByte(address, (byte)value);
    }

    /** @param address absolute address. @return the little-endian u16 there, widened unsigned. */
    public static int getU16(final long address)
    {
        final short value = UnsafeApi.getShort(address);
        return (SWAP ? Short.reverseBytes(value) : value) & 0xFFFF;
    }

    /** @param address absolute address. @return the little-endian s16 there, sign-extended. */
    public static int getS16(final long address)
    {
        final short value = UnsafeApi.getShort(address);
        return SWAP ? Short.reverseBytes(value) : value;
    }

    /** @param address absolute address. @param value low 16 bits are stored little-endian. */
    public static void putU16(final long address, final int value)
    {
        final short v = (short)value;
        UnsafeApi.putShort(address, SWAP ? Short.reverseBytes(v) : v);
    }

    /** @param address absolute address. @return the little-endian 32-bit word there. */
    public static int getI32(final long address)
    {
        final int value = UnsafeApi.getInt(address);
        return SWAP ? Integer.reverseBytes(value) : value;
    }

    /** @param address absolute address. @param value stored little-endian. */
    public static void putI32(final long address, final int value)
    {
        UnsafeApi.putInt(address, SWAP ? Integer.reverseBytes(value) : value);
    }
}
