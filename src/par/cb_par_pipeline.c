#include "cb_par_pipeline.h"

#include <stdio.h>
#include <stdlib.h>

#include "cb_extract.h"
#include "cb_progress.h"
#include "cb_sha.h"

static void progress_update(int64_t done, void *ctx) { cb_progress_update(ctx, done); }

/* Rank 0's progress over its own block of stimuli (the blocks are equal, so its
 * ETA is the step's); the other ranks report nothing. NULL when off. */
static cb_progress *progress_start(cb_par *p, const char *model_name, int64_t n, int64_t count) {
  cb_progress_opts o = cb_progress_opts_env();
  if (cb_par_rank(p) != 0 || o.mode == CB_PROGRESS_OFF) return NULL;
  char label[320];
  if (cb_par_size(p) > 1)
    snprintf(label, sizeof label, "activations %s (rank 0: %lld of %lld stimuli)", model_name, (long long)count,
             (long long)n);
  else
    snprintf(label, sizeof label, "activations %s", model_name);
  cb_progress *g = NULL;
  if (cb_progress_create(label, "stimuli", count, &o, &g) != CB_OK) cb_error_clear();
  return g;
}

cb_status cb_par_activations(cb_par *p, cb_model *m, const char *model_name, const char *task_key,
                             const cb_stimulus_set *set, double stimulus_degrees,
                             int batch, const int *layers, int n_layers, const char *out_path, cb_timers *t) {
  return cb_par_activations_layout(p, m, model_name, task_key, set, stimulus_degrees, batch, layers, n_layers, out_path,
                                   NULL, t);
}

cb_status cb_par_activations_layout(cb_par *p, cb_model *m, const char *model_name, const char *task_key,
                                    const cb_stimulus_set *set, double stimulus_degrees, int batch, const int *layers,
                                    int n_layers, const char *out_path, const cb_activations_layout *layout,
                                    cb_timers *t) {
  cb_status st = CB_OK;
  int64_t start, count;
  cb_par_block(set->n, cb_par_rank(p), cb_par_size(p), &start, &count);
  float **X = calloc((size_t)(n_layers > 0 ? n_layers : 1), sizeof *X);       /* per layer (count, features) */
  int64_t *features = calloc((size_t)(n_layers > 0 ? n_layers : 1), sizeof *features); /* (n_layers) */
  const char **names = calloc((size_t)(n_layers > 0 ? n_layers : 1), sizeof *names);   /* (n_layers) */
  cb_act_shape *shapes = calloc((size_t)(n_layers > 0 ? n_layers : 1), sizeof *shapes); /* (n_layers) */
  if (!X || !features || !names || !shapes) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int l = 0; st == CB_OK && l < n_layers; ++l) {
    features[l] = cb_extract_features(m, layers[l]);
    names[l] = cb_model_layer_name(m, layers[l]);
    cb_extract_shape(m, layers[l], &shapes[l]);
  }
  /* Every rank of this node holds its block at the same time: refuse up
   * front what the node cannot hold (all ranks agree below). */
  if (st == CB_OK) {
    int64_t node = count * (int64_t)cb_par_local_size(p);
    st = cb_extract_check_memory(m, set, layers, n_layers, node < set->n ? node : set->n);
  }
  cb_timers_start(t, "activations");
  cb_progress *g = st == CB_OK ? progress_start(p, model_name, set->n, count) : NULL;
  cb_extract_progress pg = {progress_update, g};
  if (st == CB_OK)
    st = cb_extract_block_progress(m, set, stimulus_degrees, start, count, batch, layers, n_layers, X, g ? &pg : NULL);
  cb_timers_stop(t, "activations");
  cb_timers_count(t, "activations", st == CB_OK ? (long)count : 0);
  st = cb_par_agree(p, st);
  cb_progress_end(g, count, st == CB_OK);
  cb_progress_destroy(&g);
  if (st == CB_OK) {
    cb_timers_start(t, "write activations");
    st = cb_par_write_activations_shaped(p, out_path, model_name, task_key, set->n,
                                         (const char *const *)set->stimulus_id, n_layers, names, features, shapes,
                                         start, count, (const float *const *)X, layout);
    /* rank 0 records what it wrote (F.h5.sha256): readers then parse it in-process while it is unchanged */
    if (st == CB_OK) st = cb_par_agree(p, cb_par_rank(p) == 0 ? cb_hash_record_written(out_path) : CB_OK);
    cb_timers_stop(t, "write activations");
  }
  if (X)
    for (int l = 0; l < n_layers; ++l) free(X[l]);
  free(X);
  free(features);
  free(names);
  free(shapes);
  return st;
}
