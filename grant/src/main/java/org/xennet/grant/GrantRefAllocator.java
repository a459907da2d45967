package org.xennet.grant;

/**
 * Hands out grant refs above the {@link GrantConstants#NR_RESERVED_ENTRIES} reserved ones and takes them back,
 * counting them exactly (unlike iPXE's {@code xengrant_free}, which never decrements its used count).
 *
 * <p>Setup-time object, not thread-safe; {@link #allocate()} and {@link #free(int)} allocate nothing. A ref whose
 * {@link GrantTable#endAccess(int)} answered {@link GrantResult#STILL_IN_USE} must not be freed:
 * {@link #endAccessAndFree(GrantTable, int)} does both steps and keeps such a ref allocated.
 */
public final class GrantRefAllocator
{
    private final int entryCount;
    private final int[] freeRefs;
    private final boolean[] allocated;
    private int freeCount;

    /**
     * Creates an allocator over a table of {@code entryCount} refs; all refs from 8 up are free.
     *
     * @param entryCount number of refs in the table, more than {@link GrantConstants#NR_RESERVED_ENTRIES}.
     */
    public GrantRefAllocator(final int entryCount)
    {
        if (entryCount <= GrantConstants.NR_RESERVED_ENTRIES)
        {
            throw new IllegalArgumentException("entryCount must exceed the reserved refs: entryCount=" + entryCount +
                ", reserved=" + GrantConstants.NR_RESERVED_ENTRIES);
        }
        this.entryCount = entryCount;
        this.freeRefs = new int[entryCount - GrantConstants.NR_RESERVED_ENTRIES];
        this.allocated = new boolean[entryCount];
        // a stack popped from the end: fill it backwards so the lowest refs come out first
        for (int i = 0; i < freeRefs.length; i++)
        {
            freeRefs[i] = entryCount - 1 - i;
        }
        this.freeCount = freeRefs.length;
    }

    /**
     * Takes a free ref.
     *
     * @return a ref {@code >= 8}, or {@link GrantResult#NO_FREE_REFS} (nothing changes).
     */
    public int allocate()
    {
        if (freeCount == 0)
        {
            return GrantResult.NO_FREE_REFS;
        }
        final int ref = freeRefs[--freeCount];
        allocated[ref] = true;
        return ref;
    }

    /**
     * Returns a ref. Its grant must have been ended ({@link GrantTable#endAccess(int)} returned OK).
     *
     * @param ref a ref obtained from {@link #allocate()}.
     * @throws IllegalArgumentException if {@code ref} is outside the table.
     * @throws IllegalStateException    if {@code ref} is reserved or not allocated (double free).
     */
    public void free(final int ref)
    {
        if (ref < 0 || ref >= entryCount)
        {
            throw new IllegalArgumentException("grant ref outside the table: ref=" + ref +
                ", entryCount=" + entryCount);
        }
        if (ref < GrantConstants.NR_RESERVED_ENTRIES)
        {
            throw new IllegalStateException("grant ref is reserved: ref=" + ref);
        }
        if (!allocated[ref])
        {
            throw new IllegalStateException("grant ref is not allocated (double free?): ref=" + ref);
        }
        allocated[ref] = false;
        freeRefs[freeCount++] = ref;
    }

    /**
     * Ends the grant of an allocated ref and frees it only if the peer no longer uses it.
     *
     * @param table the table holding the grant.
     * @param ref   an allocated ref.
     * @return {@link GrantResult#OK} (ref freed), or {@link GrantResult#STILL_IN_USE} / BAD_REF (ref kept).
     * @throws IllegalStateException if {@code ref} is reserved or not allocated.
     */
    public int endAccessAndFree(final GrantTable table, final int ref)
    {
        if (ref >= 0 && ref < entryCount && (ref < GrantConstants.NR_RESERVED_ENTRIES || !allocated[ref]))
        {
            throw new IllegalStateException("grant ref is reserved or not allocated: ref=" + ref);
        }
        final int result = table.endAccess(ref);
        if (result == GrantResult.OK)
        {
            free(ref);
        }
        return result;
    }

    /**
     * Whether a ref is currently handed out.
     *
     * @param ref grant ref.
     * @return true if {@link #allocate()} returned it and it was not freed since.
     */
    public boolean isAllocated(final int ref)
    {
        return ref >= 0 && ref < entryCount && allocated[ref];
    }

    /**
     * Refs currently handed out.
     *
     * @return the exact number of allocated refs.
     */
    public int used()
    {
        return freeRefs.length - freeCount;
    }

    /**
     * Refs this allocator can hand out in total.
     *
     * @return {@code entryCount - 8}.
     */
    public int capacity()
    {
        return freeRefs.length;
    }
}
