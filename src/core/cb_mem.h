/* cb_mem.h - refuse up front what would not fit in memory.
 *
 * Before the allocations that grow with the input (activations of a stimulus
 * set, an assembly, an activation layer, an RDM stack, an imported array, a
 * large whole-file read) the caller estimates the bytes it needs and calls
 * cb_mem_check. An estimate above what this process may still allocate is
 * the one-line error
 *   "WHAT: needs ~X GB, machine has Y GB available (SOURCE)"
 * with CB_ERR_NOMEM, instead of a process the kernel kills halfway.
 *
 * Available = the smallest of
 *   - MemAvailable of /proc/meminfo (else physical memory, sysconf),
 *   - memory.max - memory.current of this process's cgroup (v2) and of each
 *     cgroup above it (Slurm jobs, containers),
 *   - RLIMIT_AS - the address space in use, RLIMIT_DATA - the data segment
 *     in use (ulimit -v, ulimit -d),
 *   - CORTEXBENCH_MEM_LIMIT (bytes, or with a suffix K, M, G, T: binary
 *     units), an override for tests and shared machines.
 * Reading these costs a few small /proc and /sys reads (~20 us): call it
 * once per large allocation, not per stimulus. */
#ifndef CB_MEM_H
#define CB_MEM_H

#include <stdint.h>

#include "cb_status.h"

/* Bytes this process may still allocate; *source (may be NULL) names the
 * limit that decided ("MemAvailable", "cgroup memory.max", "RLIMIT_AS",
 * "RLIMIT_DATA", "CORTEXBENCH_MEM_LIMIT", "physical memory"). CB_ERR_ARG
 * when CORTEXBENCH_MEM_LIMIT is malformed. */
cb_status cb_mem_available(uint64_t *bytes, const char **source);

/* CB_OK when `need` bytes fit; else CB_ERR_NOMEM with the message above,
 * WHAT formatted from `fmt`. */
cb_status cb_mem_check(uint64_t need, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The process keeps the memory it frees for its next allocations instead of returning it to the kernel (glibc:
 * no mmap'ed chunks, no trimming). A scoring task allocates and frees its layer's buffers; on a virtual machine the
 * page faults of fresh memory cost ~2.8 s per GB (measured), so each task paid them again. cb_mem_available counts
 * the free memory at the top of the heap as available. The heap's first 256 MB ask for transparent huge pages
 * (MADV_HUGEPAGE, when the kernel allows it, and not under strict overcommit): one fault per 2 MB touched instead
 * of 512. Call once, early, in a program (the CLI does). */
void cb_mem_keep_freed(void);

/* need = a * b * c * d bytes, saturating at UINT64_MAX (no overflow). */
uint64_t cb_mem_product(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

#endif
