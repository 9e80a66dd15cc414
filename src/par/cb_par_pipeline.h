/* cb_par_pipeline.h - distributed drivers of the pipeline stages: each
 * calls a sequential kernel from src/bench on this rank's share of the
 * work and combines the results collectively. */
#ifndef CB_PAR_PIPELINE_H
#define CB_PAR_PIPELINE_H

#include "cb_nn.h"
#include "cb_par.h"
#include "cb_stimuli.h"
#include "cb_timer.h"

/* Activations of `layers` (indices into the model) for every stimulus of
 * `set`: rank r computes the r-th contiguous block of stimuli, then all
 * ranks write `out_path` collectively (atomic). Collective. */
cb_status cb_par_activations(cb_par *p, cb_model *m, const char *model_name, const char *task_key,
                             const cb_stimulus_set *set, double stimulus_degrees,
                             int batch, const int *layers, int n_layers, const char *out_path, cb_timers *t);
/* Same, with the storage layout of the layer datasets (cb_activations.h:
 * deflate level 0..9, chunk bytes); NULL = default (shuffle + deflate
 * CB_ACTIVATIONS_DEFLATE). */
cb_status cb_par_activations_layout(cb_par *p, cb_model *m, const char *model_name, const char *task_key,
                                    const cb_stimulus_set *set, double stimulus_degrees, int batch, const int *layers,
                                    int n_layers, const char *out_path, const cb_activations_layout *layout,
                                    cb_timers *t);

#endif
