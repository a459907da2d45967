/*
 * ABI probe for io/xs_wire.h and io/xenbus.h: prints "NAME VALUE" lines, names spelled as in
 * xen-abi-reference.txt, for XsWireAbiTest to compare with the Java constants.
 */
#include <stddef.h>
#include <xen/io/xs_wire.h>
#include <xen/io/xenbus.h>

#define P(name) printf("%s %ld\n", #name, (long)(name))
#define FIELD(s, f) \
    printf("offsetof(struct %s,%s) %zu\n", #s, #f, offsetof(struct s, f)); \
    printf("sizeof(struct %s.%s) %zu\n", #s, #f, sizeof(((struct s *)0)->f))

int main(void)
{
    P(XenbusStateUnknown); P(XenbusStateInitialising); P(XenbusStateInitWait); P(XenbusStateInitialised);
    P(XenbusStateConnected); P(XenbusStateClosing); P(XenbusStateClosed); P(XenbusStateReconfiguring);
    P(XenbusStateReconfigured);

    P(XS_CONTROL); P(XS_DEBUG); P(XS_DIRECTORY); P(XS_READ); P(XS_GET_PERMS); P(XS_WATCH); P(XS_UNWATCH);
    P(XS_TRANSACTION_START); P(XS_TRANSACTION_END); P(XS_INTRODUCE); P(XS_RELEASE); P(XS_GET_DOMAIN_PATH);
    P(XS_WRITE); P(XS_MKDIR); P(XS_RM); P(XS_SET_PERMS); P(XS_WATCH_EVENT); P(XS_ERROR);
    P(XS_IS_DOMAIN_INTRODUCED); P(XS_RESUME); P(XS_SET_TARGET); P(XS_RESET_WATCHES); P(XS_DIRECTORY_PART);
    P(XS_TYPE_COUNT); P(XS_INVALID);
    P(XS_WATCH_PATH); P(XS_WATCH_TOKEN);

    printf("sizeof(struct xsd_sockmsg) %zu\n", sizeof(struct xsd_sockmsg));
    FIELD(xsd_sockmsg, type);
    FIELD(xsd_sockmsg, req_id);
    FIELD(xsd_sockmsg, tx_id);
    FIELD(xsd_sockmsg, len);

    P(XENSTORE_RING_SIZE); P(XENSTORE_PAYLOAD_MAX); P(XENSTORE_ABS_PATH_MAX); P(XENSTORE_REL_PATH_MAX);

    printf("xsd_errors_count %zu\n", sizeof(xsd_errors) / sizeof(xsd_errors[0]));
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
    {
        printf("xsd_errors[%zu] %s %d\n", i, xsd_errors[i].errstring, xsd_errors[i].errnum);
    }
    return 0;
}
