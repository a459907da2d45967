package org.xennet.cli.capture;

/**
 * Timestamp resolution of a pcap file, told apart by the file's magic number.
 */
public enum PcapPrecision
{
    /** Classic pcap: {@code 0xa1b2c3d4}, the fraction field counts microseconds. */
    MICRO(0xa1b2c3d4, 1_000),
    /** Nanosecond pcap: {@code 0xa1b23c4d}, the fraction field counts nanoseconds. */
    NANO(0xa1b23c4d, 1);

    private final int magic;
    private final int nanosPerUnit;

    PcapPrecision(final int magic, final int nanosPerUnit)
    {
        this.magic = magic;
        this.nanosPerUnit = nanosPerUnit;
    }

    /** @return the file magic number. */
    public int magic()
    {
        return magic;
    }

    /**
     * The fraction field of a record header.
     *
     * @param nanosOfSecond nanoseconds within the second.
     * @return microseconds or nanoseconds within the second.
     */
    public int fraction(final long nanosOfSecond)
    {
        return (int)(nanosOfSecond / nanosPerUnit);
    }
}
