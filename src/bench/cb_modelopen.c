#include "cb_modelopen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_extract.h"
#include "cb_fetch.h"
#include "cb_front_end.h"
#include "cb_fs.h"
#include "cb_zoo_manifest.h"
#include "cb_synth_truth.h"
#include "cb_zoo.h"

cb_status cb_zoo_manifest_path(const char *override, char *out, size_t n) {
  const char *env = getenv("CORTEXBENCH_ZOO");
  const char *src = override && *override ? override : (env && *env ? env : NULL);
  if (src) {
    if ((size_t)snprintf(out, n, "%s", src) >= n) return CB_ERROR(CB_ERR_ARG, "zoo manifest path too long");
    return CB_OK;
  }
  char exe[CB_PATH_MAX], bin[CB_PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = '\0';
    cb_path_dirname(exe, bin, sizeof bin);
    if ((size_t)snprintf(out, n, "%s/../../benchmarks/zoo.ini", bin) < n && cb_path_exists(out)) return CB_OK;
  }
  if ((size_t)snprintf(out, n, "benchmarks/zoo.ini") >= n) return CB_ERROR(CB_ERR_ARG, "path too long");
  return CB_OK;
}

/* The zoo knows the builder (cb_zoo_manifest_read's check). */
static int builder_known(const char *builder) {
  for (int k = 0; k < cb_zoo_count(); ++k)
    if (!strcmp(cb_zoo_name(k), builder)) return 1;
  return 0;
}

cb_status cb_zoo_manifest_load(const char *path, cb_zoo_manifest **out) {
  if (!path || !out) return CB_ERROR(CB_ERR_ARG, "zoo manifest: NULL argument");
  return cb_zoo_manifest_read(path, builder_known, out);
}

cb_status cb_zoo_entry_model(const cb_zoo_entry *e, const char *onnx_path, cb_model **out) {
  if (!e || !out) return CB_ERROR(CB_ERR_ARG, "zoo entry model: NULL argument");
  cb_model_info info = {.name = e->name, .in_h = e->in_h, .in_w = e->in_w, .visual_degrees = e->visual_degrees,
                        .modality = e->modality, .front_end = e->front_end};
  memcpy(info.mean, e->mean, sizeof info.mean);
  memcpy(info.std, e->std, sizeof info.std);
  if (e->source == CB_ZOO_SRC_BUILDER) {
    cb_zoo_opts o = {.seed = e->seed, .in_h = e->in_h, .in_w = e->in_w};
    return cb_zoo_create_as(e->builder, &o, &info, out);
  }
  const char *path = e->source == CB_ZOO_SRC_ONNX ? e->onnx : onnx_path;
  if (!path) return CB_ERROR(CB_ERR_ARG, "model %s: not fetched yet (cortexbench zoo verify %s)", e->name, e->name);
  CB_CHECK(cb_model_load_onnx(path, &info, out));
  return CB_OK;
}

cb_status cb_model_open(const char *name, uint64_t seed, cb_model **out) {
  return cb_model_open_sized(name, seed, 0, 0, out);
}

cb_status cb_models_register(void) { return cb_synth_register_truth_models(); }

cb_status cb_model_open_sized(const char *name, uint64_t seed, int in_h, int in_w, cb_model **out) {
  CB_CHECK(cb_models_register());
  size_t len = strlen(name);
  if (len > 5 && !strcmp(name + len - 5, ".onnx")) return cb_model_load_onnx(name, NULL, out);
  char path[CB_PATH_MAX];
  cb_zoo_manifest *m = NULL;
  CB_CHECK(cb_zoo_manifest_path(NULL, path, sizeof path));
  if (cb_path_exists(path)) CB_CHECK(cb_zoo_manifest_load(path, &m));
  const cb_zoo_entry *e = cb_zoo_manifest_find(m, name);
  cb_status st;
  if (e == NULL || e->source == CB_ZOO_SRC_BUILDER) {
    /* A builder: the caller's seed (the suite's [model] seed), and its input
     * size when given, else the manifest's, else the builder's default. */
    cb_zoo_opts o = {.seed = seed, .in_h = in_h, .in_w = in_w};
    if (e && in_h <= 0) {
      o.in_h = e->in_h;
      o.in_w = e->in_w;
    }
    st = cb_zoo_create(e ? e->builder : name, &o, out);
  } else if (e->source == CB_ZOO_SRC_URL) {
    cb_fetch_opts fo;
    char onnx[CB_PATH_MAX];
    st = cb_fetch_opts_init(&fo);
    if (st == CB_OK && (size_t)snprintf(onnx, sizeof onnx, "%s/models/%s/unpacked/%s", fo.home, e->name,
                                        e->member ? e->member : "") >= sizeof onnx)
      st = CB_ERROR(CB_ERR_ARG, "path too long");
    if (st == CB_OK && (!e->member || !cb_path_exists(onnx)))
      st = CB_ERROR(CB_ERR_IO, "model %s: not fetched yet (cortexbench zoo verify %s)", e->name, e->name);
    if (st == CB_OK) st = cb_zoo_entry_model(e, onnx, out);
  } else {
    st = cb_zoo_entry_model(e, NULL, out);
  }
  cb_zoo_manifest_destroy(&m);
  return st;
}


/* A suite's declarations about a model opened by name: its modality must be the model's; a front end replaces
 * the model's own. */
static cb_status declare(cb_model *m, cb_modality modality, const char *front_end) {
  const cb_model_info *i = cb_model_get_info(m);
  if (modality != CB_MODALITY_UNSET && modality != i->modality)
    return CB_ERROR(CB_ERR_CONFIG, "model '%s': declared modality %s, but it takes %s stimuli", i->name,
                    cb_modality_name(modality), cb_modality_name(i->modality));
  return front_end ? cb_model_set_front_end(m, front_end) : CB_OK;
}

cb_status cb_model_open_spec(const cb_model_spec *s, cb_model **out) {
  cb_status st = CB_OK;
  cb_model *m = NULL;
  if (s->onnx) {
    cb_model_info pp = {.name = NULL, .in_h = s->in_h, .in_w = s->in_w, .mean = {0, 0, 0}, .std = {1, 1, 1},
                        .visual_degrees = isnan(s->visual_degrees) ? 8.0 : s->visual_degrees,
                        .modality = s->modality, .front_end = s->front_end};
    for (int c = 0; c < 3; ++c) {
      if (s->mean) pp.mean[c] = s->mean[c];
      if (s->std) pp.std[c] = s->std[c];
    }
    CB_CHECK(cb_model_load_onnx(s->onnx, &pp, &m));
  } else {
    CB_CHECK(cb_model_open_sized(s->zoo, s->seed, s->in_h, s->in_w, &m));
    CB_CHECK_GOTO(declare(m, s->modality, s->front_end), st, fail);
  }
  if (s->reinit) CB_CHECK_GOTO(cb_model_reinit(m, s->reinit, s->seed), st, fail);
  cb_front_end_params fp;
  cb_extract_front_end_params(m, 0, &fp);
  CB_CHECK_GOTO(cb_front_end_check(&fp), st, fail);
  *out = m;
  return CB_OK;
fail:
  cb_model_destroy(&m);
  return st;
}
