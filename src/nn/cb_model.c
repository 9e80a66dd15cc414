/* cb_model.c - sequential model: layers, one shared im2col workspace sized to
 * the largest layer, two ping-pong activation buffers sized to the largest
 * per-image activation. Forward runs one image at a time. */
#include <stdlib.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_nn_model.h"

static size_t layer_out_size(const cb__layer *l) {
  return (size_t)l->out_c * (size_t)l->out_h * (size_t)l->out_w;
}

cb_status cb__model_alloc(const cb_model_info *info, int n_layers, cb_model **out) {
  cb_status st = CB_OK;
  cb_model *m = calloc(1, sizeof *m);
  CB_ALLOC_GOTO(m, st, fail);
  m->info = *info;
  m->layers = calloc((size_t)n_layers, sizeof *m->layers);
  CB_ALLOC_GOTO(m->layers, st, fail);
  m->cap_layers = n_layers;
  *out = m;
  return CB_OK;
fail:
  cb_model_destroy(&m);
  return st;
}

cb_status cb__model_finish(cb_model *m) {
  cb_status st = CB_OK;
  size_t work = 0, act = 0;
  for (int i = 0; i < m->n_layers; ++i) {
    const cb__layer *l = &m->layers[i];
    if (l->workspace > work) work = l->workspace;
    if (layer_out_size(l) > act) act = layer_out_size(l);
    const cb__layer *prev = i > 0 ? &m->layers[i - 1] : NULL;
    int pc = prev ? prev->out_c : m->info.in_c, ph = prev ? prev->out_h : m->info.in_h,
        pw = prev ? prev->out_w : m->info.in_w;
    if (l->in_c != pc || l->in_h != ph || l->in_w != pw)
      return CB_ERROR(CB_ERR_INTERNAL, "model '%s': layer '%s' expects %dx%dx%d but gets %dx%dx%d", m->info.name,
                      l->name, l->in_c, l->in_h, l->in_w, pc, ph, pw);
  }
  m->work_floats = work;
  m->act_floats = act;
  m->work = calloc(work > 0 ? work : 1, sizeof *m->work);
  CB_ALLOC_GOTO(m->work, st, done);
  for (int k = 0; k < 2; ++k) {
    m->act[k] = calloc(act > 0 ? act : 1, sizeof *m->act[k]);
    CB_ALLOC_GOTO(m->act[k], st, done);
  }
done:
  return st;
}

void cb_model_destroy(cb_model **mp) {
  if (mp == NULL || *mp == NULL) return;
  cb_model *m = *mp;
  if (m->layers != NULL)
    for (int i = 0; i < m->cap_layers; ++i) cb__layer_release(&m->layers[i]);
  free(m->layers);
  free(m->work);
  free(m->act[0]);
  free(m->act[1]);
  free(m);
  *mp = NULL;
}

const cb_model_info *cb_model_get_info(const cb_model *m) { return m ? &m->info : NULL; }

int cb_model_n_layers(const cb_model *m) { return m ? m->n_layers : 0; }

const char *cb_model_layer_name(const cb_model *m, int i) {
  if (m == NULL || i < 0 || i >= m->n_layers) return NULL;
  return m->layers[i].name;
}

void cb_model_layer_shape(const cb_model *m, int i, int *c, int *h, int *w) {
  int oc = 0, oh = 0, ow = 0;
  if (m != NULL && i >= 0 && i < m->n_layers) {
    oc = m->layers[i].out_c;
    oh = m->layers[i].out_h;
    ow = m->layers[i].out_w;
  }
  if (c) *c = oc;
  if (h) *h = oh;
  if (w) *w = ow;
}

int cb_model_find_layer(const cb_model *m, const char *name) {
  if (m == NULL || name == NULL) return -1;
  for (int i = 0; i < m->n_layers; ++i)
    if (strcmp(m->layers[i].name, name) == 0) return i;
  return -1;
}

cb_status cb_model_forward(cb_model *m, const float *x, int batch, const int *req, int n_req, float *const *out) {
  if (m == NULL || x == NULL || (n_req > 0 && (req == NULL || out == NULL)))
    return CB_ERROR(CB_ERR_ARG, "model forward: NULL argument");
  if (batch <= 0) return CB_ERROR(CB_ERR_ARG, "model '%s': batch size %d is not positive", m->info.name, batch);
  if (n_req < 0) return CB_ERROR(CB_ERR_ARG, "model '%s': %d requested layers", m->info.name, n_req);
  int last = -1;
  for (int k = 0; k < n_req; ++k) {
    if (req[k] < 0 || req[k] >= m->n_layers)
      return CB_ERROR(CB_ERR_ARG, "model '%s': requested layer index %d out of range [0, %d)", m->info.name,
                      req[k], m->n_layers);
    if (out[k] == NULL) return CB_ERROR(CB_ERR_ARG, "model '%s': output %d is NULL", m->info.name, k);
    if (req[k] > last) last = req[k];
  }
  size_t in_size = (size_t)m->info.in_c * (size_t)m->info.in_h * (size_t)m->info.in_w;
  for (int b = 0; b < batch; ++b) {
    const float *cur = x + (size_t)b * in_size;
    for (int i = 0; i <= last; ++i) {
      const cb__layer *l = &m->layers[i];
      float *dst = m->act[i & 1];
      l->forward(l, cur, m->work, dst);
      size_t size = layer_out_size(l);
      for (int k = 0; k < n_req; ++k)
        if (req[k] == i) memcpy(out[k] + (size_t)b * size, dst, size * sizeof *dst);
      cur = dst;
    }
  }
  return CB_OK;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t cb_model_weights_hash(const cb_model *m) {
  uint64_t h = 0xCBF29CE484222325ull;
  if (m == NULL) return h;
  h = fnv1a(h, m->info.name, strlen(m->info.name));
  for (int i = 0; i < m->n_layers; ++i) {
    const cb__layer *l = &m->layers[i];
    int meta[10] = {(int)l->kind, l->in_c, l->in_h, l->in_w, l->out_c, l->out_h, l->out_w, l->k, l->stride, l->pad};
    h = fnv1a(h, meta, sizeof meta);
    if (l->kind == CB__LAYER_CONV2D) {
      h = fnv1a(h, l->weights, (size_t)l->out_c * (size_t)l->in_c * (size_t)l->k * (size_t)l->k * sizeof(float));
      h = fnv1a(h, l->bias, (size_t)l->out_c * sizeof(float));
    }
  }
  return h;
}
