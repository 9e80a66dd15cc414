/* cb_extract.h - model activations for a block of a stimulus set: load
 * each image, place it in the model's visual field, forward in batches.
 * Sequential; src/par distributes blocks over ranks. */
#ifndef CB_EXTRACT_H
#define CB_EXTRACT_H

#include <stdint.h>

#include "cb_nn.h"
#include "cb_status.h"
#include "cb_stimuli.h"

/* Resolves layer names (NULL/0: every layer) into indices (caller frees). */
cb_status cb_extract_resolve_layers(const cb_model *m, const char *const *names, int n_names, int **idx,
                                    int *n_idx);

/* out[k] receives a new (count, features of layer idx[k]) array for
 * stimuli [start, start + count); the caller frees each out[k]. */
cb_status cb_extract_block(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                           int64_t count, int batch, const int *idx, int n_idx, float **out /* (n_idx) */);

#endif
