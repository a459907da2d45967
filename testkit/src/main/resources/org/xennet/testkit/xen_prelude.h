/*
 * Included first by every C peer and probe in xennet's test suite.
 * Selects the Xen interface version (the v2 grant structs and GNTTABOP_set_version are hidden
 * without it) and provides the barriers ring.h expects the includer to define, the way Xen's own
 * x86-64 userland does: a locked add on the stack for xen_mb(), compiler barriers for rmb/wmb.
 */
#ifndef XENNET_XEN_PRELUDE_H
#define XENNET_XEN_PRELUDE_H

#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define xen_mb()  __asm__ __volatile__ ("lock addl $0,-32(%%rsp)" ::: "memory")
#else
#define xen_mb()  __sync_synchronize()
#endif
#define xen_rmb() __asm__ __volatile__ ("" ::: "memory")
#define xen_wmb() __asm__ __volatile__ ("" ::: "memory")

#endif
