/* cb_train_par.h - internal: a parallel loop for the backward kernels that are not GEMMs (col2im, ReLU,
 * pooling). Units [0, n) are split into `threads` contiguous ranges, one pthread each (the caller runs the
 * first); fn must only write what its units own, so results never depend on the thread count. */
#ifndef CB_TRAIN_PAR_H
#define CB_TRAIN_PAR_H

#include <stddef.h>

typedef void (*cb__par_fn)(void *ctx, size_t u0, size_t u1);

/* fn(ctx, u0, u1) over [0, n) in up to `threads` ranges of at least min_units units (a thread that cannot
 * start: its range runs in the caller). */
void cb__par_for(int threads, size_t n, size_t min_units, cb__par_fn fn, void *ctx);

#endif
