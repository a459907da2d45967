package org.xennet.xenstore;

/**
 * XenStore path rules, as xenstored applies them: absolute paths start with {@code /}; relative ones are
 * resolved against the caller's home {@code /local/domain/<domid>}; no {@code //}, no trailing {@code /}
 * (except the root), only {@code [A-Za-z0-9-/_@]}; length limits of {@link XsWire}. Watches also accept
 * special paths such as {@code @releaseDomain}.
 */
public final class XsPath
{
    /** The root node. */
    public static final String ROOT = "/";

    private XsPath()
    {
    }

    /**
     * @param domid the domain.
     * @return its home directory, {@code /local/domain/<domid>}.
     */
    public static String home(final int domid)
    {
        return "/local/domain/" + domid;
    }

    /**
     * Validates a node path and makes it absolute.
     *
     * @param path  absolute or relative path.
     * @param domid the caller's domain (for relative paths).
     * @return the absolute path.
     * @throws XenStoreException {@link XsError#EINVAL} when the path is not valid.
     */
    public static String canonical(final String path, final int domid)
    {
        if (path.isEmpty() || path.length() > XsWire.ABS_PATH_MAX)
        {
            throw invalid(path);
        }
        final String absolute;
        if (path.charAt(0) == '/')
        {
            absolute = path;
        }
        else
        {
            if (path.length() > XsWire.REL_PATH_MAX)
            {
                throw invalid(path);
            }
            absolute = home(domid) + "/" + path;
        }
        if (!isValidAbsolute(absolute))
        {
            throw invalid(path);
        }
        return absolute;
    }

    /**
     * @param path a watch path: a node path or a special {@code @name}.
     * @return whether it is a special watch path (validated).
     */
    public static boolean isSpecial(final String path)
    {
        if (path.length() < 2 || path.charAt(0) != '@' || path.length() > XsWire.REL_PATH_MAX)
        {
            return false;
        }
        for (int i = 1; i < path.length(); i++)
        {
            final char c = path.charAt(i);
            if (!isNameChar(c) || c == '/' || c == '@')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param ancestor an absolute path.
     * @param path     an absolute path.
     * @return whether {@code path} is {@code ancestor} or lies beneath it.
     */
    public static boolean isAtOrBelow(final String ancestor, final String path)
    {
        if (ancestor.equals(ROOT))
        {
            return path.startsWith(ROOT);
        }
        return path.startsWith(ancestor) &&
            (path.length() == ancestor.length() || path.charAt(ancestor.length()) == '/');
    }

    /**
     * @param path an absolute path other than the root.
     * @return its parent's path.
     */
    public static String parent(final String path)
    {
        final int slash = path.lastIndexOf('/');
        return slash <= 0 ? ROOT : path.substring(0, slash);
    }

    /**
     * @param parent an absolute path.
     * @param name   a child's name.
     * @return the child's path.
     */
    public static String child(final String parent, final String name)
    {
        return parent.equals(ROOT) ? ROOT + name : parent + "/" + name;
    }

    private static boolean isValidAbsolute(final String path)
    {
        if (path.length() > XsWire.ABS_PATH_MAX)
        {
            return false;
        }
        if (path.equals(ROOT))
        {
            return true;
        }
        if (path.endsWith("/") || path.contains("//"))
        {
            return false;
        }
        for (int i = 0; i < path.length(); i++)
        {
            if (!isNameChar(path.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '/' || c == '_' || c == '@';
    }

    private static XenStoreException invalid(final String path)
    {
        final String shown = path.length() > 80 ? path.substring(0, 80) + "..." : path;
        return new XenStoreException(XsError.EINVAL, "invalid xenstore path: path=" + shown);
    }
}
