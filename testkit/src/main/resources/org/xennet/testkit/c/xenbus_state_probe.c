/* Prints every enum xenbus_state value of Xen's io/xenbus.h as "name value" lines for XenbusStateAbiTest. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <stdio.h>
#include <xen/io/xenbus.h>

#define P(name) printf("%s %ld\n", #name, (long)(name))

int main(void)
{
    P(XenbusStateUnknown);
    P(XenbusStateInitialising);
    P(XenbusStateInitWait);
    P(XenbusStateInitialised);
    P(XenbusStateConnected);
    P(XenbusStateClosing);
    P(XenbusStateClosed);
    P(XenbusStateReconfiguring);
    P(XenbusStateReconfigured);
    return 0;
}
