/* cb_op_conv.c - ONNX Conv (1-D and 2-D; groups, depthwise, dilations,
 * strides, pads and auto_pad) over the implicit-im2col GEMM, and the window
 * attribute parsing shared with the pooling operators. */
#include <string.h>

#include "cb_graph_impl.h"
#include "cb_nn_batch.h"
#include "cb_sgemm.h"

/* Fills w->geom's window fields (kernel, strides, dilations, pads) from the
 * node's attributes for input x of rank 3 (N, C, L) or 4 (N, C, H, W). */
cb_status cb__parse_window(const cb__node *n, const cb__value *x, const int64_t *kernel, cb__window *w) {
  char buf[96];
  if (x->ndim != 3 && x->ndim != 4)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input '%s' %s: only 1-D and 2-D windows are supported", x->name,
                          cb__shape_str(x, buf, sizeof buf));
  const int nsp = x->ndim - 2;
  int64_t k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, pb[2] = {0, 0}, pe[2] = {0, 0}, in[2] = {1, 1};
  for (int i = 0; i < nsp; ++i) {
    k[2 - nsp + i] = kernel[i];
    in[2 - nsp + i] = x->shape[2 + i];
  }
  const cb_attr *a;
  if ((a = cb__attr(n, "kernel_shape")) != NULL) {
    if (a->n != nsp) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'kernel_shape' has %d values for %d spatial dims", a->n, nsp);
    for (int i = 0; i < nsp; ++i)
      if (a->i[i] != kernel[i]) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'kernel_shape' does not match the weights");
  }
  if ((a = cb__attr(n, "strides")) != NULL) {
    if (a->n != nsp) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'strides' has %d values for %d spatial dims", a->n, nsp);
    for (int i = 0; i < nsp; ++i) s[2 - nsp + i] = a->i[i];
  }
  if ((a = cb__attr(n, "dilations")) != NULL) {
    if (a->n != nsp) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'dilations' has %d values for %d spatial dims", a->n, nsp);
    for (int i = 0; i < nsp; ++i) d[2 - nsp + i] = a->i[i];
  }
  const cb_attr *pads = cb__attr(n, "pads");
  if (pads != NULL) {
    if (pads->n != 2 * nsp) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'pads' has %d values for %d spatial dims", pads->n, nsp);
    for (int i = 0; i < nsp; ++i) {
      pb[2 - nsp + i] = pads->i[i];
      pe[2 - nsp + i] = pads->i[nsp + i];
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (k[i] <= 0 || s[i] <= 0 || d[i] <= 0 || pb[i] < 0 || pe[i] < 0 || k[i] > 1 << 20 || s[i] > 1 << 20 ||
        d[i] > 1 << 20 || pb[i] > 1 << 20 || pe[i] > 1 << 20)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'kernel_shape/strides/dilations/pads': invalid value");
  }
  const cb_attr *ap = cb__attr(n, "auto_pad");
  if (ap != NULL && strcmp(ap->s, "NOTSET") != 0) {
    if (strcmp(ap->s, "VALID") == 0) {
      pb[0] = pb[1] = pe[0] = pe[1] = 0;
    } else if (strcmp(ap->s, "SAME_UPPER") == 0 || strcmp(ap->s, "SAME_LOWER") == 0) {
      for (int i = 0; i < 2; ++i) {
        int64_t out = (in[i] + s[i] - 1) / s[i];
        int64_t total = (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i];
        if (total < 0) total = 0;
        int64_t small = total / 2, big = total - small;
        pb[i] = ap->s[5] == 'U' ? small : big;
        pe[i] = ap->s[5] == 'U' ? big : small;
      }
    } else {
      return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'auto_pad' value '%s' unsupported", ap->s);
    }
  }
  w->nsp = nsp;
  cb_conv2d_geom *gm = &w->geom;
  gm->in_c = (int)x->shape[1];
  gm->in_h = (int)in[0];
  gm->in_w = (int)in[1];
  gm->kh = (int)k[0], gm->kw = (int)k[1];
  gm->stride_h = (int)s[0], gm->stride_w = (int)s[1];
  gm->dil_h = (int)d[0], gm->dil_w = (int)d[1];
  gm->pad_t = (int)pb[0], gm->pad_l = (int)pb[1], gm->pad_b = (int)pe[0], gm->pad_r = (int)pe[1];
  if (gm->groups == 0) gm->groups = 1;
  return CB_OK;
}

/* Output shape (N, C_out, [H,] W) of a window op. */
void cb__window_out_shape(const cb__window *w, const cb__value *x, int out_c, int64_t *shape) {
  int oh, ow;
  cb_conv2d_out(&w->geom, &oh, &ow);
  shape[0] = x->shape[0];
  shape[1] = out_c;
  if (w->nsp == 2) {
    shape[2] = oh;
    shape[3] = ow;
  } else {
    shape[2] = ow;
  }
}

static cb_status conv_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", NULL};
  char bx[96], bw[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 3, 0));
  const cb__value *x = cb__in(g, n, 0), *w = cb__in(g, n, 1), *b = cb__in(g, n, 2);
  if (w->ndim != x->ndim || x->ndim < 3)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "weights '%s' %s do not match input '%s' %s", w->name,
                          cb__shape_str(w, bw, sizeof bw), x->name, cb__shape_str(x, bx, sizeof bx));
  int64_t groups = cb__attr_int(n, "group", 1);
  if (groups <= 0 || groups > x->shape[1]) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'group' value %lld invalid", (long long)groups);
  n->p.win.geom.groups = (int)groups;
  CB_CHECK(cb__parse_window(n, x, w->shape + 2, &n->p.win));
  cb_conv2d_geom *gm = &n->p.win.geom;
  gm->out_c = (int)w->shape[0];
  if (w->shape[1] * groups != x->shape[1])
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "weights '%s' %s: %lld input channels x %lld groups != %lld channels of '%s'",
                          w->name, cb__shape_str(w, bw, sizeof bw), (long long)w->shape[1], (long long)groups,
                          (long long)x->shape[1], x->name);
  if (b != NULL && (b->ndim != 1 || b->shape[0] != w->shape[0]))
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "bias '%s' %s does not match %d output channels", b->name,
                          cb__shape_str(b, bw, sizeof bw), gm->out_c);
  cb_status st = cb_conv2d_check(gm);
  if (st != CB_OK) return cb_error_prefix("node '%s' (op Conv)", n->name);
  int64_t shape[4];
  cb__window_out_shape(&n->p.win, x, gm->out_c, shape);
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, shape);
  n->work = 0; /* the GEMM packs its im2col blocks from the input (cb_conv_pack.c): no workspace */
  return CB_OK;
}

/* The batched kernel over the tensor's own batch, in chunks of CHUNK images (the same bits as one at a time). */
static void conv_run(cb_graph *g, const cb__node *n, float *work) {
  enum { CHUNK = 64 };
  (void)work;
  const cb__value *x = cb__in(g, n, 0), *w = cb__in(g, n, 1), *b = cb__in(g, n, 2), *y = cb__out(g, n, 0);
  const cb_conv2d_geom *gm = &n->p.win.geom;
  int oh, ow;
  cb_conv2d_out(gm, &oh, &ow);
  const size_t in_size = (size_t)gm->in_c * (size_t)gm->in_h * (size_t)gm->in_w;
  const size_t out_size = (size_t)gm->out_c * (size_t)oh * (size_t)ow;
  const int batch = (int)x->shape[0];
  const float *xs[CHUNK];
  float *ys[CHUNK];
  for (int i0 = 0; i0 < batch; i0 += CHUNK) {
    const int nb = batch - i0 < CHUNK ? batch - i0 : CHUNK;
    for (int j = 0; j < nb; ++j) {
      xs[j] = (const float *)x->data + (size_t)(i0 + j) * in_size;
      ys[j] = (float *)y->data + (size_t)(i0 + j) * out_size;
    }
    cb__conv2d_images(gm, w->data, b ? b->data : NULL, 0, nb, xs, ys, cb_sgemm_default_threads());
  }
}

const cb__op cb__op_conv = {"Conv", conv_prepare, conv_run, 0};
