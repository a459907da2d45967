package org.xennet.xenstore;

import java.util.Objects;

/**
 * One entry of a node's permission list. The first entry names the owner (who may do anything) and the access
 * of every domain not listed; later entries grant a specific domain its access. Text form {@code b0}, {@code r5}.
 *
 * @param domid  the domain.
 * @param access what it may do.
 */
public record XsPermission(int domid, Access access)
{
    /** The largest domid that fits the protocol's u16 domids. */
    public static final int DOMID_MAX = 0xFFFF;

    /** What a domain may do with a node (the permission letter). */
    public enum Access
    {
        /** {@code n}: nothing. */
        NONE('n'),
        /** {@code r}: read and watch. */
        READ('r'),
        /** {@code w}: write. */
        WRITE('w'),
        /** {@code b}: read and write. */
        BOTH('b');

        private final char letter;

        Access(final char letter)
        {
            this.letter = letter;
        }

        /** @return the permission letter ({@code n r w b}). */
        public char letter()
        {
            return letter;
        }

        /** @return whether reading is allowed. */
        public boolean canRead()
        {
            return this == READ || this == BOTH;
        }

        /** @return whether writing is allowed. */
        public boolean canWrite()
        {
            return this == WRITE || this == BOTH;
        }
    }

    /**
     * @param domid  the domain, 0..65535.
     * @param access its access.
     */
    public XsPermission
    {
        Objects.requireNonNull(access, "access");
        if (domid < 0 || domid > DOMID_MAX)
        {
            throw new IllegalArgumentException("xenstore permission domid out of range: domid=" + domid);
        }
    }

    /**
     * Parses the text form strictly: one letter of {@code nrwb} then a decimal domid.
     *
     * @param text such as {@code b0}.
     * @return the permission.
     * @throws XenStoreException with {@link XsError#EINVAL} when malformed (as xenstored answers).
     */
    public static XsPermission parse(final String text)
    {
        if (text.length() < 2 || text.length() > 6)
        {
            throw new XenStoreException(XsError.EINVAL, "bad xenstore permission: perm=" + text);
        }
        Access access = null;
        for (final Access candidate : Access.values())
        {
            if (candidate.letter == text.charAt(0))
            {
                access = candidate;
            }
        }
        int domid = 0;
        for (int i = 1; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                access = null;
                break;
            }
            domid = domid * 10 + (c - '0');
        }
        if (access == null || domid > DOMID_MAX)
        {
            throw new XenStoreException(XsError.EINVAL, "bad xenstore permission: perm=" + text);
        }
        return new XsPermission(domid, access);
    }

    /** @return the text form, such as {@code b0}. */
    @Override
    public String toString()
    {
        return access.letter + Integer.toString(domid);
    }
}
