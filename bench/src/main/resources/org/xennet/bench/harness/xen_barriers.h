/*
 * The definitions io/ring.h expects its includer to provide, for the C anchor benchmark.
 * A copy of what xennet's testkit prelude (xen_prelude.h) defines, because the benchmark jar cannot depend
 * on the test-only testkit module: the Xen interface version, then the barriers Xen's own x86-64 userland
 * uses, a locked add on the stack for xen_mb() and compiler barriers for xen_rmb()/xen_wmb() (x86-TSO
 * keeps load-load and store-store order already).
 */
#ifndef XENNET_BENCH_XEN_BARRIERS_H
#define XENNET_BENCH_XEN_BARRIERS_H

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
