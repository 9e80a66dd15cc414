#include "cb_extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_audio_input.h"
#include "cb_graph.h"
#include "cb_fs.h"
#include "cb_image.h"
#include "cb_mem.h"
#include <strings.h>

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

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), k = strlen(suf);
  return n >= k && strcasecmp(s + n - k, suf) == 0;
}

int cb_extract_is_audio_model(const cb_model *m) {
  const cb_model_info *i = cb_model_get_info(m);
  return i != NULL && cb_audio_is_cochleagram_input(i->in_c, i->in_h, i->in_w);
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

const char *cb_extract_model_modality(const cb_model *m) { return cb_extract_is_audio_model(m) ? "audio" : "visual"; }

const char *cb_extract_set_modality(const cb_stimulus_set *s) {
  if (s->n == 0) return "visual";
  const char *f = s->filename[0];
  return has_suffix(f, ".wav") || has_suffix(f, ".flac") || has_suffix(f, ".ogg") || has_suffix(f, ".aiff")
             ? "audio"
             : "visual";
}

int64_t cb_extract_features(const cb_model *m, int l) {
  int c, h, w;
  cb_model_layer_shape(m, l, &c, &h, &w);
  if (cb_extract_is_audio_model(m) && w > 1) return (int64_t)c * h;
  return (int64_t)c * h * w;
}

static int64_t layer_features(const cb_model *m, int l) { return cb_extract_features(m, l); }

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
    int64_t f = layer_features(m, idx[k]);
    features += f > 0 ? (uint64_t)f : 0;
  }
  return cb_mem_check(cb_mem_product(count > 0 ? (uint64_t)count : 0, features, sizeof(float), 1),
                      "%s: activations of %lld stimuli x %llu features (model '%s', float32)",
                      set->path ? set->path : "stimulus set", (long long)count, (unsigned long long)features,
                      cb_model_get_info(m)->name);
}

/* Audio models: each sound -> cochleagram -> forward one at a time; layers
 * with a time axis are averaged over time per unit. */
static cb_status extract_audio(cb_model *m, const cb_stimulus_set *set, int64_t start, int64_t count,
                               const int *idx, int n_idx, float **out, const cb_extract_progress *pg) {
  cb_status st = CB_OK;
  const cb_model_info *info = cb_model_get_info(m);
  const size_t in_size = (size_t)info->in_c * info->in_h * info->in_w;
  cb_audio_input *ai = NULL;
  float *x = malloc(sizeof *x * in_size); /* (1, 1, C, T) */
  float **full = calloc((size_t)(n_idx > 0 ? n_idx : 1), sizeof *full); /* per layer (c, h, w) */
  CB_ALLOC_GOTO(x, st, fail);
  CB_ALLOC_GOTO(full, st, fail);
  for (int k = 0; k < n_idx; ++k) {
    int c, h, w;
    cb_model_layer_shape(m, idx[k], &c, &h, &w);
    full[k] = malloc(sizeof(float) * (size_t)c * h * w);
    out[k] = malloc(sizeof(float) * (size_t)(count > 0 ? count : 1) * (size_t)layer_features(m, idx[k]));
    CB_ALLOC_GOTO(full[k], st, fail);
    CB_ALLOC_GOTO(out[k], st, fail);
  }
  CB_CHECK_GOTO(cb_extract_audio_input_create(m, &ai), st, fail);
  for (int64_t i = 0; i < count; ++i) {
    char path[CB_PATH_MAX];
    CB_CHECK_GOTO(cb_stimulus_set_file_path(set, (int)(start + i), path, sizeof path), st, fail);
    CB_CHECK_GOTO(cb_audio_input_load(ai, path, x), st, fail);
    CB_CHECK_GOTO(cb_model_forward(m, x, 1, idx, n_idx, full), st, fail);
    for (int k = 0; k < n_idx; ++k) {
      int c, h, w;
      cb_model_layer_shape(m, idx[k], &c, &h, &w);
      float *dst = out[k] + (size_t)i * (size_t)layer_features(m, idx[k]);
      if (w > 1)
        cb_audio_time_average(full[k], 1, c, h, w, dst);
      else
        memcpy(dst, full[k], sizeof(float) * (size_t)c * h * w);
    }
    if (pg && pg->fn) pg->fn(i + 1, pg->ctx);
  }
  goto done;
fail:
  for (int k = 0; k < n_idx; ++k) {
    free(out[k]);
    out[k] = NULL;
  }
done:
  if (full)
    for (int k = 0; k < n_idx; ++k) free(full[k]);
  free(full);
  free(x);
  cb_audio_input_destroy(&ai);
  return st;
}

cb_status cb_extract_block(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                           int64_t count, int batch, const int *idx, int n_idx, float **out) {
  return cb_extract_block_progress(m, set, stimulus_degrees, start, count, batch, idx, n_idx, out, NULL);
}

cb_status cb_extract_block_progress(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                                    int64_t count, int batch, const int *idx, int n_idx, float **out,
                                    const cb_extract_progress *pg) {
  cb_status st = CB_OK;
  const cb_model_info *info = cb_model_get_info(m);
  for (int k = 0; k < n_idx; ++k) out[k] = NULL;
  if (strcmp(cb_extract_model_modality(m), cb_extract_set_modality(set)) != 0)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s' takes %s input but %s holds %s stimuli", info->name,
                    cb_extract_model_modality(m), set->path, cb_extract_set_modality(set));
  CB_CHECK(cb_extract_check_memory(m, set, idx, n_idx, count));
  if (cb_extract_is_audio_model(m)) return extract_audio(m, set, start, count, idx, n_idx, out, pg);
  const int64_t in_size = (int64_t)info->in_c * info->in_h * info->in_w;
  if (info->in_c != 3 && info->in_c != 1)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s' takes %d input channels; only RGB (3) and grayscale (1) are supported",
                    info->name, info->in_c);
  const int gray = info->in_c == 1;
  if (batch < 1) batch = 1;
  float *x = NULL;             /* (batch, in_c, in_h, in_w) */
  float *rgbf = NULL;          /* (3, in_h, in_w) for grayscale models */
  float **bout = NULL;         /* (n_idx) views into out[k] for the batch */
  uint8_t *rgb = NULL;
  for (int k = 0; k < n_idx; ++k) out[k] = NULL;
  x = malloc((size_t)batch * (size_t)in_size * sizeof *x);
  rgbf = malloc((size_t)3 * info->in_h * info->in_w * sizeof *rgbf);
  CB_ALLOC_GOTO(rgbf, st, fail);
  bout = calloc((size_t)(n_idx > 0 ? n_idx : 1), sizeof *bout);
  CB_ALLOC_GOTO(x, st, fail);
  CB_ALLOC_GOTO(bout, st, fail);
  for (int k = 0; k < n_idx; ++k) {
    out[k] = malloc((size_t)(count > 0 ? count : 1) * (size_t)layer_features(m, idx[k]) * sizeof(float));
    CB_ALLOC_GOTO(out[k], st, fail);
  }
  cb_preprocess pp;
  memset(&pp, 0, sizeof pp);
  pp.out_h = info->in_h;
  pp.out_w = info->in_w;
  memcpy(pp.mean, info->mean, sizeof pp.mean);
  memcpy(pp.std, info->std, sizeof pp.std);
  if (gray) /* one channel: normalise all three alike, then take the luminance */
    for (int c = 1; c < 3; ++c) pp.mean[c] = info->mean[0], pp.std[c] = info->std[0];
  pp.model_degrees = info->visual_degrees;
  pp.stimulus_degrees = stimulus_degrees > 0 ? stimulus_degrees : info->visual_degrees;
  for (int64_t b0 = 0; b0 < count; b0 += batch) {
    int nb = (int)(count - b0 < batch ? count - b0 : batch);
    for (int i = 0; i < nb; ++i) {
      int h = 0, w = 0;
      CB_CHECK_GOTO(cb_image_read_stimulus(set, (int)(start + b0 + i), &rgb, &h, &w), st, fail);
      if (gray) {
        /* ITU-R 601 luma (PIL's convert("L")); weights sum to 1, so it commutes with the normalisation. */
        const size_t plane = (size_t)info->in_h * info->in_w;
        CB_CHECK_GOTO(cb_image_preprocess(rgb, h, w, &pp, rgbf), st, fail);
        float *dst = x + (size_t)i * (size_t)in_size;
        for (size_t k = 0; k < plane; ++k)
          dst[k] = 0.299f * rgbf[k] + 0.587f * rgbf[plane + k] + 0.114f * rgbf[2 * plane + k];
      } else {
        CB_CHECK_GOTO(cb_image_preprocess(rgb, h, w, &pp, x + (size_t)i * (size_t)in_size), st, fail);
      }
      free(rgb);
      rgb = NULL;
    }
    for (int k = 0; k < n_idx; ++k) bout[k] = out[k] + (size_t)b0 * (size_t)layer_features(m, idx[k]);
    CB_CHECK_GOTO(cb_model_forward(m, x, nb, idx, n_idx, bout), st, fail);
    if (pg && pg->fn) pg->fn(b0 + nb, pg->ctx);
  }
  free(x);
  free(rgbf);
  free(bout);
  return CB_OK;
fail:
  free(rgb);
  free(rgbf);
  free(x);
  free(bout);
  for (int k = 0; k < n_idx; ++k) {
    free(out[k]);
    out[k] = NULL;
  }
  return st;
}
