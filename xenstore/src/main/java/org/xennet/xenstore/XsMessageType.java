package org.xennet.xenstore;

/**
 * Message types ({@code enum xsd_sockmsg_type} in {@code io/xs_wire.h}); a reply carries its request's type.
 */
public final class XsMessageType
{
    /** {@code XS_CONTROL}: xenstored debug/control commands (not supported here). */
    public static final int CONTROL = 0;
    /** {@code XS_DEBUG}: old name of {@link #CONTROL}. */
    public static final int DEBUG = CONTROL;
    /** {@code XS_DIRECTORY}: list a node's children, reply {@code a\0b\0}. */
    public static final int DIRECTORY = 1;
    /** {@code XS_READ}: read a value, reply the raw bytes. */
    public static final int READ = 2;
    /** {@code XS_GET_PERMS}: read a node's permissions, reply {@code b0\0r5\0}. */
    public static final int GET_PERMS = 3;
    /** {@code XS_WATCH}: {@code path\0token\0}; reply {@code OK\0}, then one initial event. */
    public static final int WATCH = 4;
    /** {@code XS_UNWATCH}: {@code path\0token\0}. */
    public static final int UNWATCH = 5;
    /** {@code XS_TRANSACTION_START}: reply the decimal transaction id. */
    public static final int TRANSACTION_START = 6;
    /** {@code XS_TRANSACTION_END}: {@code T\0} commits, {@code F\0} aborts; a conflict gives EAGAIN. */
    public static final int TRANSACTION_END = 7;
    /** {@code XS_INTRODUCE}: introduce a domain (needs a hypervisor; ENOSYS here). */
    public static final int INTRODUCE = 8;
    /** {@code XS_RELEASE}: release a domain (ENOSYS here). */
    public static final int RELEASE = 9;
    /** {@code XS_GET_DOMAIN_PATH}: {@code domid\0}, reply {@code /local/domain/<domid>\0}. */
    public static final int GET_DOMAIN_PATH = 10;
    /** {@code XS_WRITE}: {@code path\0value} (value not NUL-terminated), reply {@code OK\0}. */
    public static final int WRITE = 11;
    /** {@code XS_MKDIR}: create a node (and its parents) with an empty value. */
    public static final int MKDIR = 12;
    /** {@code XS_RM}: remove a node and its subtree. */
    public static final int RM = 13;
    /** {@code XS_SET_PERMS}: {@code path\0perm\0perm\0...}. */
    public static final int SET_PERMS = 14;
    /** {@code XS_WATCH_EVENT}: server to client, {@code path\0token\0}, req_id 0. */
    public static final int WATCH_EVENT = 15;
    /** {@code XS_ERROR}: reply carrying an errno name such as {@code ENOENT\0}. */
    public static final int ERROR = 16;
    /** {@code XS_IS_DOMAIN_INTRODUCED}: reply {@code T\0} or {@code F\0}. */
    public static final int IS_DOMAIN_INTRODUCED = 17;
    /** {@code XS_RESUME}: resume a domain (ENOSYS here). */
    public static final int RESUME = 18;
    /** {@code XS_SET_TARGET}: give a domain rights over another (ENOSYS here). */
    public static final int SET_TARGET = 19;
    /** {@code XS_RESET_WATCHES}: drop all of the connection's watches. */
    public static final int RESET_WATCHES = 21;
    /** {@code XS_DIRECTORY_PART}: {@code path\0offset\0}, one chunk of a long child list. */
    public static final int DIRECTORY_PART = 22;
    /** {@code XS_TYPE_COUNT}: one above the highest type value. */
    public static final int TYPE_COUNT = 23;
    /** {@code XS_INVALID}: guaranteed never to be a valid type. */
    public static final int INVALID = 0xFFFF;

    private static final String[] NAMES = {
        "CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
        "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
        "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", null, "RESET_WATCHES", "DIRECTORY_PART"};

    private XsMessageType()
    {
    }

    /**
     * @param type a message type value (u32 bits).
     * @return the {@code XS_} name without prefix, or {@code UNKNOWN(<value>)}.
     */
    public static String name(final int type)
    {
        if (type >= 0 && type < NAMES.length && NAMES[type] != null)
        {
            return NAMES[type];
        }
        return "UNKNOWN(" + Integer.toUnsignedString(type) + ")";
    }
}
