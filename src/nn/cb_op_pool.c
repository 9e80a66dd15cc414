/* cb_op_pool.c - ONNX MaxPool, AveragePool (1-D and 2-D; pads, auto_pad,
 * ceil_mode, count_include_pad, MaxPool dilations), GlobalAveragePool and
 * GlobalMaxPool (any rank >= 3). */
#include <math.h>

#include "cb_graph_impl.h"

cb_status cb__parse_window(const cb__node *n, const cb__value *x, const int64_t *kernel, cb__window *w);
void cb__window_out_shape(const cb__window *w, const cb__value *x, int out_c, int64_t *shape);

static cb_status pool_prepare(cb_graph *g, cb__node *n, int is_max) {
  static const char *const known_max[] = {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                                          "storage_order", "strides", NULL};
  static const char *const known_avg[] = {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads",
                                          "strides", NULL};
  CB_CHECK(cb__attrs_known(n, is_max ? known_max : known_avg));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 0));
  if (n->n_out > 1) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "output 'Indices' unsupported");
  const cb__value *x = cb__in(g, n, 0);
  const cb_attr *ks = cb__attr(n, "kernel_shape");
  if (ks == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'kernel_shape' is missing");
  if (ks->n != x->ndim - 2) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'kernel_shape' has %d values for rank %d", ks->n, x->ndim);
  if (cb__attr_int(n, "storage_order", 0) != 0)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'storage_order' value 1 unsupported");
  n->p.win.geom.groups = 1;
  CB_CHECK(cb__parse_window(n, x, ks->i, &n->p.win));
  cb_conv2d_geom *gm = &n->p.win.geom;
  gm->out_c = gm->in_c;
  gm->ceil_mode = (int)cb__attr_int(n, "ceil_mode", 0);
  gm->count_include_pad = (int)cb__attr_int(n, "count_include_pad", 0);
  int oh, ow;
  cb_conv2d_out(gm, &oh, &ow);
  if (oh <= 0 || ow <= 0 || gm->in_c <= 0)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'kernel_shape': window %dx%d does not fit input %dx%d", gm->kh,
                          gm->kw, gm->in_h, gm->in_w);
  int64_t shape[4];
  cb__window_out_shape(&n->p.win, x, gm->in_c, shape);
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, shape);
  return CB_OK;
}

static cb_status maxpool_prepare(cb_graph *g, cb__node *n) { return pool_prepare(g, n, 1); }
static cb_status avgpool_prepare(cb_graph *g, cb__node *n) { return pool_prepare(g, n, 0); }

static void maxpool_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb_maxpool2d_forward(&n->p.win.geom, x->data, (int)x->shape[0], cb__out(g, n, 0)->data);
}

static void avgpool_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb_avgpool2d_forward(&n->p.win.geom, x->data, (int)x->shape[0], cb__out(g, n, 0)->data);
}

static cb_status global_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {NULL};
  char buf[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 0));
  const cb__value *x = cb__in(g, n, 0);
  if (x->ndim < 3) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' %s has no spatial dimensions", x->name, cb__shape_str(x, buf, sizeof buf));
  int64_t shape[CB__MAXD];
  for (int d = 0; d < x->ndim; ++d) shape[d] = d < 2 ? x->shape[d] : 1;
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, shape);
  return CB_OK;
}

static void global_run(cb_graph *g, const cb__node *n, int is_max) {
  const cb__value *x = cb__in(g, n, 0);
  const float *xd = x->data;
  float *y = cb__out(g, n, 0)->data;
  size_t planes = (size_t)(x->shape[0] * x->shape[1]), inner = (size_t)(cb__numel(x) / (x->shape[0] * x->shape[1]));
  if (planes == 0) return;
  for (size_t p = 0; p < planes; ++p) {
    const float *xp = xd + p * inner;
    if (is_max) {
      float m = -INFINITY;
      for (size_t i = 0; i < inner; ++i) m = xp[i] > m || xp[i] != xp[i] ? xp[i] : m;
      y[p] = m;
    } else {
      double s = 0;
      for (size_t i = 0; i < inner; ++i) s += xp[i];
      y[p] = (float)(s / (double)inner);
    }
  }
}

static void gavg_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  global_run(g, n, 0);
}
static void gmax_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  global_run(g, n, 1);
}

const cb__op cb__op_maxpool = {"MaxPool", maxpool_prepare, maxpool_run, 0};
const cb__op cb__op_avgpool = {"AveragePool", avgpool_prepare, avgpool_run, 0};
const cb__op cb__op_gavgpool = {"GlobalAveragePool", global_prepare, gavg_run, 0};
const cb__op cb__op_gmaxpool = {"GlobalMaxPool", global_prepare, gmax_run, 0};
