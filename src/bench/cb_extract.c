#include "cb_extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_audio_input.h"
#include "cb_graph.h"
#include "cb_fs.h"
#include "cb_front_end.h"
#include "cb_mem.h"

cb_status cb_extract_resolve_layers(const cb_model *m, const char *const *names, int n_names, int **idx,
                                    int *n_idx) {
  int n = n_names > 0 ? n_names : cb_model_n_layers(m);
  int *out = malloc((size_t)(n > 0 ? n : 1) * sizeof *out);
  if (!out) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i) {
    if (n_names > 0) {
      out[i] = cb_model_find_layer(m, names[i]);
      if (out[i] < 0) {
        char known[1024] = "";
        size_t used = 0;
        for (int j = 0; j < cb_model_n_layers(m) && used + 2 < sizeof known; ++j)
          used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", j ? ", " : "",
                                   cb_model_layer_name(m, j));
        free(out);
        return CB_ERROR(CB_ERR_ARG, "model '%s' has no layer '%s' (layers: %s)", cb_model_get_info(m)->name,
                        names[i], known);
      }
    } else {
      out[i] = i;
    }
  }
  *idx = out;
  *n_idx = n;
  return CB_OK;
}

int cb_extract_is_audio_model(const cb_model *m) {
  const cb_model_info *i = cb_model_get_info(m);
  return i != NULL && i->modality == CB_MODALITY_AUDIO;
}

cb_status cb_extract_audio_input_create(const cb_model *m, cb_audio_input **out) {
  const cb_model_info *i = cb_model_get_info(m);
  if (i == NULL) return CB_ERROR(CB_ERR_ARG, "audio input: NULL model");
  return cb_audio_input_create(i->in_c, i->in_h, i->in_w, i->name, out);
}

cb_status cb_extract_audio_model_input(const char *path, const cb_model *m, float **x) {
  const cb_model_info *i = cb_model_get_info(m);
  cb_audio_input *a = NULL;
  CB_CHECK(cb_extract_audio_input_create(m, &a));
  cb_status st = CB_OK;
  float *buf = malloc(sizeof *buf * (size_t)i->in_h * (size_t)i->in_w); /* (C, T) */
  CB_ALLOC_GOTO(buf, st, done);
  CB_CHECK_GOTO(cb_audio_input_load(a, path, buf), st, done);
  *x = buf;
  buf = NULL;
done:
  free(buf);
  cb_audio_input_destroy(&a);
  return st;
}

int64_t cb_extract_features(const cb_model *m, int l) {
  int c, h, w;
  cb_model_layer_shape(m, l, &c, &h, &w);
  if (cb_extract_is_audio_model(m) && w > 1) return (int64_t)c * h;
  return (int64_t)c * h * w;
}

void cb_extract_shape(const cb_model *m, int l, cb_act_shape *out) {
  static const char *const map3[3] = {"channel", "height", "width"};
  const struct cb_graph *g = cb_model_graph(m);
  int64_t s[CB_GRAPH_MAX_DIMS];
  const char *name = cb_model_layer_name(m, l);
  int nd = name && g ? cb_graph_value_shape(g, cb_graph_find(g, name), s) : -1;
  const int64_t features = cb_extract_features(m, l);
  memset(out, 0, sizeof *out);
  int first = nd >= 2 && s[0] == 1 ? 1 : nd; /* drop the batch axis of (1, ...) */
  if (cb_extract_is_audio_model(m) && nd >= 3 && first == 1) {
    int c, h, w;
    cb_model_layer_shape(m, l, &c, &h, &w);
    out->ndim = 2;
    out->dims[0] = c, out->dims[1] = h;
    out->role[0] = "channel";
    out->role[1] = w > 1 ? "frequency" : "time";
  } else if (first == 1 && nd - 1 <= CB_ACT_MAX_DIMS) {
    out->ndim = nd - 1;
    for (int k = 0; k < out->ndim; ++k) {
      out->dims[k] = s[k + 1];
      out->role[k] = out->ndim == 3 ? map3[k] : (out->ndim == 1 ? "feature" : NULL);
    }
  }
  int64_t p = out->ndim > 0 ? 1 : -1;
  for (int k = 0; k < out->ndim; ++k) p *= out->dims[k];
  if (p != features) { /* anything else: flat */
    memset(out, 0, sizeof *out);
    out->ndim = 1;
    out->dims[0] = features;
    out->role[0] = "feature";
  }
}

cb_status cb_extract_check_memory(const cb_model *m, const cb_stimulus_set *set, const int *idx, int n_idx,
                                  int64_t count) {
  uint64_t features = 0;
  for (int k = 0; k < n_idx; ++k) {
    int64_t f = cb_extract_features(m, idx[k]);
    features += f > 0 ? (uint64_t)f : 0;
  }
  return cb_mem_check(cb_mem_product(count > 0 ? (uint64_t)count : 0, features, sizeof(float), 1),
                      "%s: activations of %lld stimuli x %llu features (model '%s', float32)",
                      set->path ? set->path : "stimulus set", (long long)count, (unsigned long long)features,
                      cb_model_get_info(m)->name);
}

/* 1 when layer l is read out averaged over time: audio models' layers with a time axis (units, frequency, time),
 * per unit (Tuckute et al. 2023); every other layer is kept as computed. */
static int averages_time(const cb_model *m, int l) {
  int c, h, w;
  cb_model_layer_shape(m, l, &c, &h, &w);
  return cb_extract_is_audio_model(m) && w > 1;
}

void cb_extract_front_end_params(const cb_model *m, double stimulus_degrees, cb_front_end_params *p) {
  const cb_model_info *i = cb_model_get_info(m);
  *p = (cb_front_end_params){.model = i->name, .modality = i->modality, .front_end = i->front_end, .in_c = i->in_c,
                             .in_h = i->in_h, .in_w = i->in_w, .model_degrees = i->visual_degrees,
                             .stimulus_degrees = stimulus_degrees};
  memcpy(p->mean, i->mean, sizeof p->mean);
  memcpy(p->std, i->std, sizeof p->std);
}

cb_status cb_extract_front_end(const cb_model *m, double stimulus_degrees, cb_front_end **out) {
  if (m == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "front end: NULL argument");
  cb_front_end_params p;
  cb_extract_front_end_params(m, stimulus_degrees, &p);
  return cb_front_end_create(&p, out);
}

/* Buffers of one block's extraction. */
typedef struct extract_ws {
  int batch, n_idx;
  size_t in_size;   /* floats per stimulus of the model input */
  float *x;         /* (batch, in_c, in_h, in_w) */
  float **view;     /* (n_idx) where the forward writes layer k for the current batch */
  float **full;     /* (n_idx) (batch, c, h, w) for layers averaged over time, else NULL */
  cb_front_end *fe;
} extract_ws;

static void ws_free(extract_ws *w) {
  if (w->full)
    for (int k = 0; k < w->n_idx; ++k) free(w->full[k]);
  free(w->full);
  free(w->view);
  free(w->x);
  cb_front_end_destroy(&w->fe);
}

static cb_status ws_init(extract_ws *w, const cb_model *m, double degrees, int batch, const int *idx, int n_idx,
                         int64_t count, float **out) {
  const cb_model_info *info = cb_model_get_info(m);
  memset(w, 0, sizeof *w);
  w->batch = batch, w->n_idx = n_idx;
  w->in_size = (size_t)info->in_c * info->in_h * info->in_w;
  CB_CHECK(cb_extract_front_end(m, degrees, &w->fe));
  w->x = malloc((size_t)batch * w->in_size * sizeof *w->x);
  w->view = calloc((size_t)(n_idx > 0 ? n_idx : 1), sizeof *w->view);
  w->full = calloc((size_t)(n_idx > 0 ? n_idx : 1), sizeof *w->full);
  if (!w->x || !w->view || !w->full) return CB_ERROR(CB_ERR_NOMEM, "extraction: out of memory");
  for (int k = 0; k < n_idx; ++k) {
    int c, h, wd;
    cb_model_layer_shape(m, idx[k], &c, &h, &wd);
    out[k] = malloc((size_t)(count > 0 ? count : 1) * (size_t)cb_extract_features(m, idx[k]) * sizeof(float));
    if (!out[k]) return CB_ERROR(CB_ERR_NOMEM, "extraction: out of memory");
    if (averages_time(m, idx[k])) {
      w->full[k] = malloc((size_t)batch * (size_t)c * h * wd * sizeof(float));
      if (!w->full[k]) return CB_ERROR(CB_ERR_NOMEM, "extraction: out of memory");
    }
  }
  return CB_OK;
}

/* Stimuli [b0, b0 + nb) of the block: front end, forward, read-out into out. */
static cb_status extract_batch(cb_model *m, extract_ws *w, const cb_stimulus_set *set, int64_t first, int64_t b0,
                               int nb, const int *idx, float **out) {
  for (int i = 0; i < nb; ++i)
    CB_CHECK(cb_front_end_load(w->fe, set, (int)(first + b0 + i), w->x + (size_t)i * w->in_size));
  for (int k = 0; k < w->n_idx; ++k)
    w->view[k] = w->full[k] ? w->full[k] : out[k] + (size_t)b0 * (size_t)cb_extract_features(m, idx[k]);
  CB_CHECK(cb_model_forward(m, w->x, nb, idx, w->n_idx, w->view));
  for (int k = 0; k < w->n_idx; ++k) {
    if (!w->full[k]) continue;
    int c, h, wd;
    cb_model_layer_shape(m, idx[k], &c, &h, &wd);
    cb_audio_time_average(w->full[k], nb, c, h, wd, out[k] + (size_t)b0 * (size_t)cb_extract_features(m, idx[k]));
  }
  return CB_OK;
}

cb_status cb_extract_block(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                           int64_t count, int batch, const int *idx, int n_idx, float **out) {
  return cb_extract_block_progress(m, set, stimulus_degrees, start, count, batch, idx, n_idx, out, NULL);
}

cb_status cb_extract_block_progress(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                                    int64_t count, int batch, const int *idx, int n_idx, float **out,
                                    const cb_extract_progress *pg) {
  const cb_model_info *info = cb_model_get_info(m);
  for (int k = 0; k < n_idx; ++k) out[k] = NULL;
  const cb_modality sm = cb_stimulus_set_modality(set);
  if (info->modality != sm)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s' takes %s input but %s holds %s stimuli", info->name,
                    cb_modality_name(info->modality), set->path ? set->path : "the stimulus set", cb_modality_name(sm));
  CB_CHECK(cb_extract_check_memory(m, set, idx, n_idx, count));
  if (batch < 1) batch = 1;
  extract_ws w;
  cb_status st = ws_init(&w, m, stimulus_degrees, batch, idx, n_idx, count, out);
  for (int64_t b0 = 0; st == CB_OK && b0 < count; b0 += batch) {
    int nb = (int)(count - b0 < batch ? count - b0 : batch);
    st = extract_batch(m, &w, set, start, b0, nb, idx, out);
    if (st == CB_OK && pg && pg->fn) pg->fn(b0 + nb, pg->ctx);
  }
  ws_free(&w);
  if (st != CB_OK)
    for (int k = 0; k < n_idx; ++k) {
      free(out[k]);
      out[k] = NULL;
    }
  return st;
}
