/* cb_model.c - a model: a graph planned for one image, its layers (every
 * value a node computes at run time) and a forward that runs the graph once
 * per image, copying each requested layer out as soon as it is computed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_nn_batch.h"
#include "cb_nn_model.h"

cb_status cb__model_from_graph(const cb_model_info *info, cb_graph *g, cb_model **out) {
  cb_status st = CB_OK;
  cb_model *m = calloc(1, sizeof *m);
  if (m == NULL) {
    cb_graph_destroy(&g);
    return CB_ERROR(CB_ERR_NOMEM, "model: out of memory");
  }
  m->g = g;
  m->info = *info;
  snprintf(m->name, sizeof m->name, "%s", info->name ? info->name : "model");
  m->info.name = m->name;
  if (info->modality != CB_MODALITY_VISUAL && info->modality != CB_MODALITY_AUDIO) {
    st = CB_ERROR(CB_ERR_ARG, "model '%s': no modality declared (visual or audio)", m->name);
    goto fail;
  }
  CB_CHECK_GOTO(cb_model_set_front_end(m, info->front_end), st, fail);
  CB_CHECK_GOTO(cb_graph_finish(g), st, fail);
  if (cb_graph_n_inputs(g) != 1) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s': %d runtime inputs (one image input expected)", m->name, cb_graph_n_inputs(g));
    goto fail;
  }
  m->input = cb_graph_input_id(g, 0);
  int64_t s[CB_GRAPH_MAX_DIMS];
  int nd = cb_graph_value_shape(g, m->input, s);
  if (nd != 4 || s[0] != 1) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s': input '%s' must be (1, C, H, W) per image", m->name, cb_graph_value_name(g, m->input));
    goto fail;
  }
  m->info.in_c = (int)s[1];
  m->info.in_h = (int)s[2];
  m->info.in_w = (int)s[3];
  m->in_size = (size_t)(s[1] * s[2] * s[3]);
  int nv = cb_graph_n_values(g);
  m->layers = malloc((size_t)(nv > 0 ? nv : 1) * sizeof *m->layers);
  m->req = malloc((size_t)(nv > 0 ? nv : 1) * sizeof *m->req);
  m->outs = malloc((size_t)(nv > 0 ? nv : 1) * sizeof *m->outs);
  CB_ALLOC_GOTO(m->layers, st, fail);
  CB_ALLOC_GOTO(m->req, st, fail);
  CB_ALLOC_GOTO(m->outs, st, fail);
  for (int v = 0; v < nv; ++v)
    if (cb_graph_value_is_layer(g, v)) m->layers[m->n_layers++] = v;
  *out = m;
  return CB_OK;
fail:
  cb_model_destroy(&m);
  return st;
}

void cb_model_destroy(cb_model **mp) {
  if (mp == NULL || *mp == NULL) return;
  cb_model *m = *mp;
  cb_graph_destroy(&m->g);
  free(m->layers);
  free(m->req);
  free(m->outs);
  free(m);
  *mp = NULL;
}

const cb_model_info *cb_model_get_info(const cb_model *m) { return m ? &m->info : NULL; }

cb_status cb_model_set_front_end(cb_model *m, const char *front_end) {
  if (m == NULL) return CB_ERROR(CB_ERR_ARG, "model: NULL argument");
  m->info.front_end = NULL;
  if (front_end == NULL || !*front_end) return CB_OK;
  if (strlen(front_end) >= sizeof m->front_end)
    return CB_ERROR(CB_ERR_ARG, "model '%s': front end name '%s' too long", m->name, front_end);
  if (front_end != m->front_end) snprintf(m->front_end, sizeof m->front_end, "%s", front_end);
  m->info.front_end = m->front_end;
  return CB_OK;
}
const struct cb_graph *cb_model_graph(const cb_model *m) { return m ? m->g : NULL; }
int cb_model_n_layers(const cb_model *m) { return m ? m->n_layers : 0; }

const char *cb_model_layer_name(const cb_model *m, int i) {
  if (m == NULL || i < 0 || i >= m->n_layers) return NULL;
  return cb_graph_value_name(m->g, m->layers[i]);
}

void cb_model_layer_shape(const cb_model *m, int i, int *c, int *h, int *w) {
  int64_t oc = 0, oh = 0, ow = 0;
  if (m != NULL && i >= 0 && i < m->n_layers) {
    int64_t s[CB_GRAPH_MAX_DIMS];
    int nd = cb_graph_value_shape(m->g, m->layers[i], s);
    int64_t numel = 1;
    for (int d = 0; d < nd; ++d) numel *= s[d];
    if (nd >= 2 && s[0] == 1) {
      oc = s[1];
      oh = nd >= 3 ? s[2] : 1;
      ow = 1;
      for (int d = 3; d < nd; ++d) ow *= s[d];
    } else {
      oc = numel, oh = 1, ow = 1;
    }
  }
  if (c) *c = (int)oc;
  if (h) *h = (int)oh;
  if (w) *w = (int)ow;
}

int cb_model_find_layer(const cb_model *m, const char *name) {
  if (m == NULL || name == NULL) return -1;
  const int id = cb_graph_find(m->g, name);
  int lo = 0, hi = m->n_layers; /* layers are value ids in increasing order */
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (m->layers[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return id >= 0 && lo < m->n_layers && m->layers[lo] == id ? lo : -1;
}

cb_status cb_model_forward(cb_model *m, const float *x, int batch, const int *req, int n_req, float *const *out) {
  if (m == NULL || x == NULL || (n_req > 0 && (req == NULL || out == NULL)))
    return CB_ERROR(CB_ERR_ARG, "model forward: NULL argument");
  if (batch <= 0) return CB_ERROR(CB_ERR_ARG, "model '%s': batch size %d is not positive", m->name, batch);
  if (n_req < 0 || n_req > m->n_layers) return CB_ERROR(CB_ERR_ARG, "model '%s': %d requested layers", m->name, n_req);
  for (int k = 0; k < n_req; ++k) {
    if (req[k] < 0 || req[k] >= m->n_layers)
      return CB_ERROR(CB_ERR_ARG, "model '%s': requested layer index %d out of range [0, %d)", m->name, req[k], m->n_layers);
    if (out[k] == NULL) return CB_ERROR(CB_ERR_ARG, "model '%s': output %d is NULL", m->name, k);
    m->req[k] = m->layers[req[k]];
  }
  /* images in groups through one batched run (cb_nn_batch.h): bitwise the same as one image at a time */
  size_t *stride = malloc((size_t)(n_req > 0 ? n_req : 1) * sizeof *stride);
  if (stride == NULL) return CB_ERROR(CB_ERR_NOMEM, "model '%s': out of memory", m->name);
  for (int k = 0; k < n_req; ++k) {
    int c, h, w;
    cb_model_layer_shape(m, req[k], &c, &h, &w);
    stride[k] = (size_t)c * (size_t)h * (size_t)w;
  }
  cb_status st = cb_graph_run_batch(m->g, x, batch, m->in_size, n_req, m->req, out, stride);
  free(stride);
  return st;
}

uint64_t cb_model_weights_hash(const cb_model *m) {
  uint64_t h = cb_graph_hash(m ? m->g : NULL);
  if (m == NULL) return h;
  for (const char *p = m->name; *p; ++p) {
    h ^= (unsigned char)*p;
    h *= 0x100000001B3ull;
  }
  return h;
}
