/* mem.h — a hint for the simulator's large arrays (the event heap, the
 * clients, the attempt slots, the provider's requests): ask the kernel for
 * transparent huge pages (madvise MADV_HUGEPAGE, where THP is in "madvise"
 * mode), so that random accesses over hundreds of MB at 1M clients take far
 * fewer TLB misses. Only the whole 2 MiB pages inside [p, p + bytes) are
 * advised; arrays under 64 MiB are left alone: a huge page is resident as a
 * whole once touched, so a doubling array's last, partly used pages cost up
 * to 2 MiB each, which at 100k clients was 35 B a client of RSS for no CPU
 * time (3.55 s either way; 1M clients unchanged too, whose big arrays are
 * still advised: docs/performance.md, session 6). A hint: nothing depends
 * on it (it fails silently, and is a no-op without MADV_HUGEPAGE).
 */
#ifndef SIM_MEM_H
#define SIM_MEM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

static inline void sim_mem_hugepages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (!p || bytes < 32 * huge) return;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p; (void)bytes;
#endif
}

#endif
