/* libcortexbench's C API: activations files and assemblies (cb_api.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_api.h"
#include "cb_assembly.h"
#include "cb_strbuf.h"

struct cb_api_acts {
  char *path;
  cb_activations *a;
};

int cb_api_acts_open(const char *path, cb_api_acts **out) {
  cb_error_clear();
  if (!out || !path) return CB_ERROR(CB_ERR_ARG, "cb_api_acts_open: expected a path and a result");
  *out = NULL;
  cb_api_acts *h = calloc(1, sizeof *h);
  if (!h || !(h->path = cb_strdup(path))) {
    free(h);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  cb_status st = cb_activations_open(path, &h->a);
  if (st != CB_OK) {
    cb_api_acts_close(h);
    return st;
  }
  *out = h;
  return CB_OK;
}

void cb_api_acts_close(cb_api_acts *h) {
  if (!h) return;
  cb_activations_destroy(&h->a);
  free(h->path);
  free(h);
}

int64_t cb_api_acts_n(const cb_api_acts *h) { return h->a->n; }
const char *cb_api_acts_stimulus_id(const cb_api_acts *h, int64_t i) { return h->a->stimulus_id[i]; }
const char *cb_api_acts_model(const cb_api_acts *h) { return h->a->model ? h->a->model : ""; }
int cb_api_acts_n_layers(const cb_api_acts *h) { return h->a->n_layers; }
const char *cb_api_acts_layer(const cb_api_acts *h, int i) { return h->a->layer_names[i]; }
int64_t cb_api_acts_features(const cb_api_acts *h, int i) { return h->a->features[i]; }

int cb_api_acts_read(const cb_api_acts *h, const char *layer, float *X, int64_t size) {
  cb_error_clear();
  if (!h || !layer || !X) return CB_ERROR(CB_ERR_ARG, "cb_api_acts_read: expected a file, a layer and a buffer");
  float *all = NULL; /* (n, p) */
  int64_t p = 0;
  CB_CHECK(cb_activations_read_layer(h->a, h->path, layer, &all, &p));
  cb_status st = CB_OK;
  if (size != h->a->n * p)
    st = CB_ERROR(CB_ERR_ARG, "%s: layer '%s' holds %lld values, the buffer %lld", h->path, layer,
                  (long long)(h->a->n * p), (long long)size);
  else if (size > 0)
    memcpy(X, all, sizeof *X * (size_t)size);
  free(all);
  return st;
}

struct cb_api_neural {
  cb_neural *nd;
};

int cb_api_neural_open(const char *assembly, const char *region, double t0, double t1, cb_api_neural **out) {
  cb_error_clear();
  if (!out || !assembly) return CB_ERROR(CB_ERR_ARG, "cb_api_neural_open: expected a path and a result");
  *out = NULL;
  cb_assembly *a = NULL;
  cb_api_neural *h = calloc(1, sizeof *h);
  if (!h) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_status st = cb_assembly_read(assembly, &a);
  if (st == CB_OK) st = cb_neural_from_assembly(a, region, t0, t1, NULL, &h->nd);
  if (st != CB_OK && !strstr(cb_error_message(), assembly)) cb_error_prefix("%s", assembly);
  cb_assembly_destroy(&a);
  if (st != CB_OK) {
    cb_api_neural_close(h);
    return st;
  }
  *out = h;
  return CB_OK;
}

void cb_api_neural_close(cb_api_neural *h) {
  if (!h) return;
  cb_neural_destroy(&h->nd);
  free(h);
}

int cb_api_neural_n_stim(const cb_api_neural *h) { return h->nd->n_stim; }
int cb_api_neural_n_neuroid(const cb_api_neural *h) { return h->nd->n_neuroid; }
const char *cb_api_neural_stimulus_id(const cb_api_neural *h, int i) { return h->nd->stimulus_id[i]; }
const char *cb_api_neural_neuroid_id(const cb_api_neural *h, int j) { return h->nd->neuroid_id[j]; }
const double *cb_api_neural_mean(const cb_api_neural *h) { return h->nd->mean; }
