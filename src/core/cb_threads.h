/* cb_threads.h - a parallel loop on pthreads, for the numeric kernels (the engine's GEMM, the backward passes'
 * col2im, ReLU, pooling, BatchNormalization). Units [0, n) are split into up to `threads` contiguous ranges, one
 * pthread each (the caller runs the first); fn must only write what its units own, so that results never depend
 * on the thread count. Not MPI: src/par is the process layer. */
#ifndef CB_THREADS_H
#define CB_THREADS_H

#include <stddef.h>

#define CB_THREADS_MAX 64

typedef void (*cb_threads_fn)(void *ctx, size_t u0, size_t u1);

/* fn(ctx, u0, u1) over [0, n) in up to `threads` ranges of at least min_units units (a thread that cannot
 * start: its range runs in the caller). At most CB_THREADS_MAX threads. */
void cb_threads_for(int threads, size_t n, size_t min_units, cb_threads_fn fn, void *ctx);

/* The threads a process's own parallel loops may use when nothing else decides (e.g. decompressing a file's
 * chunks): the cores this process may run on, or the share of them set for it (src/par gives each rank of a node
 * its share). Loops whose results would depend on it must not use it. */
int cb_threads_default(void);
void cb_threads_set_default(int threads);

#endif
