/* fd_ref.c - see fd_ref.h. Shapes come from the case's tensors; attributes with ONNX defaults. */
#include "fd_ref.h"

#include <math.h>
#include <string.h>

static const cb_attr *attr(const gf_case *c, const char *name) {
  for (int k = 0; k < c->n_attr; ++k)
    if (strcmp(c->attr[k].name, name) == 0) return &c->attr[k];
  return NULL;
}
static int64_t ai(const gf_case *c, const char *name, int k, int64_t dflt) {
  const cb_attr *a = attr(c, name);
  return a && k < a->n ? a->i[k] : dflt;
}
static double af(const gf_case *c, const char *name, double dflt) {
  const cb_attr *a = attr(c, name);
  return a && a->type == CB_ATTR_FLOAT ? a->f[0] : dflt;
}
static const gf_tensor *tin(const gf_case *c, int k) { return gf_find(c, c->in[k] + (c->in[k][0] == '#')); }

/* y[n][o][oy][ox] = b[o] + sum_{ci, i, j} w[o][ci][i][j] x[n][g*cg + ci][oy*sh - pt + i*dh][ox*sw - pl + j*dw] */
static void conv(const gf_case *c, const double *const *in, const gf_tensor *yt, double *y) {
  const gf_tensor *xt = tin(c, 0), *wt = tin(c, 1);
  const int64_t N = xt->shape[0], C = xt->shape[1], H = xt->shape[2], W = xt->shape[3];
  const int64_t O = wt->shape[0], cg = wt->shape[1], kh = wt->shape[2], kw = wt->shape[3];
  const int64_t OH = yt->shape[2], OW = yt->shape[3], G = ai(c, "group", 0, 1), og = O / G;
  const int64_t sh = ai(c, "strides", 0, 1), sw = ai(c, "strides", 1, 1), pt = ai(c, "pads", 0, 0), pl = ai(c, "pads", 1, 0);
  const int64_t dh = ai(c, "dilations", 0, 1), dw = ai(c, "dilations", 1, 1);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double s = c->n_in > 2 ? in[2][o] : 0.0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = oy * sh - pt + i * dh, ix = ox * sw - pl + j * dw, ch = o / og * cg + ci;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  s += in[1][((o * cg + ci) * kh + i) * kw + j] * in[0][((n * C + ch) * H + iy) * W + ix];
              }
          y[((n * O + o) * OH + oy) * OW + ox] = s;
        }
}

/* y = alpha op(A) op(B) + beta C (C broadcast) */
static void gemm(const gf_case *c, const double *const *in, const gf_tensor *yt, double *y) {
  const int ta = (int)ai(c, "transA", 0, 0), tb = (int)ai(c, "transB", 0, 0);
  const int64_t m = yt->shape[0], nn = yt->shape[1], k = ta ? tin(c, 0)->shape[0] : tin(c, 0)->shape[1];
  const double alpha = af(c, "alpha", 1.0), beta = af(c, "beta", 1.0);
  const gf_tensor *ct = c->n_in > 2 ? tin(c, 2) : NULL;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < nn; ++j) {
      double s = 0.0;
      for (int64_t p = 0; p < k; ++p) s += in[0][ta ? p * m + i : i * k + p] * in[1][tb ? j * k + p : p * nn + j];
      double cv = 0.0;
      if (ct) {
        const int64_t cm = ct->ndim == 2 ? ct->shape[0] : 1, cn = ct->shape[ct->ndim - 1];
        cv = in[2][(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
      }
      y[i * nn + j] = alpha * s + beta * cv;
    }
}

/* Offset into tensor t (right-aligned against the output's nd dims, broadcasting size-1 dims) of output
 * multi-index idx, over t's first t->ndim - skip dims (skip trailing dims left out). */
static int64_t bcast_off(const gf_tensor *t, int nd, const int64_t *idx, int skip) {
  int64_t off = 0;
  for (int d = 0; d < t->ndim - skip; ++d) {
    const int od = nd - (t->ndim - skip) + d;
    off = off * t->shape[d] + (t->shape[d] == 1 ? 0 : idx[od]);
  }
  return off;
}

static void unravel(int64_t i, int nd, const int64_t *shape, int64_t *idx) {
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i /= shape[d];
  }
}

/* batched a (..., m, k) b (..., k, n) with broadcast batch dims */
static void matmul(const gf_case *c, const double *const *in, const gf_tensor *yt, double *y) {
  const gf_tensor *at = tin(c, 0), *bt = tin(c, 1);
  const int64_t m = at->shape[at->ndim - 2], k = at->shape[at->ndim - 1], nn = bt->shape[bt->ndim - 1];
  const int nb = yt->ndim - 2;
  int64_t batches = 1, idx[CB_GRAPH_MAX_DIMS];
  for (int d = 0; d < nb; ++d) batches *= yt->shape[d];
  for (int64_t q = 0; q < batches; ++q) {
    unravel(q, nb, yt->shape, idx);
    const int64_t oa = bcast_off(at, nb, idx, 2), ob = bcast_off(bt, nb, idx, 2);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < nn; ++j) {
        double s = 0.0;
        for (int64_t p = 0; p < k; ++p) s += in[0][(oa * m + i) * k + p] * in[1][(ob * k + p) * nn + j];
        y[(q * m + i) * nn + j] = s;
      }
  }
}

/* max or average over each window; the average divides by the window clipped to the padded input
 * (count_include_pad) or by the input elements in it */
static void pool(const gf_case *c, const double *x, const gf_tensor *yt, double *y, int is_max) {
  const gf_tensor *xt = tin(c, 0);
  const int64_t P = xt->shape[0] * xt->shape[1], H = xt->shape[2], W = xt->shape[3], OH = yt->shape[2], OW = yt->shape[3];
  const int64_t kh = ai(c, "kernel_shape", 0, 1), kw = ai(c, "kernel_shape", 1, 1), sh = ai(c, "strides", 0, 1),
                sw = ai(c, "strides", 1, 1), pt = ai(c, "pads", 0, 0), pl = ai(c, "pads", 1, 0),
                pb = ai(c, "pads", 2, 0), pr = ai(c, "pads", 3, 0), incl = ai(c, "count_include_pad", 0, 0);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        double s = 0.0, mx = -INFINITY;
        int64_t cnt = 0, padded = 0;
        for (int64_t iy = oy * sh - pt; iy < oy * sh - pt + kh && iy < H + pb; ++iy)
          for (int64_t ix = ox * sw - pl; ix < ox * sw - pl + kw && ix < W + pr; ++ix) {
            ++padded;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const double v = x[(p * H + iy) * W + ix];
            s += v;
            mx = v > mx ? v : mx;
            ++cnt;
          }
        y[(p * OH + oy) * OW + ox] = is_max ? mx : s / (double)(incl ? padded : cnt);
      }
}

/* (x - mean) / sqrt(var + eps) * g + b per channel: the batch's mean and biased variance, or the running ones */
static void batchnorm(const gf_case *c, const double *const *in, double *y) {
  const gf_tensor *xt = tin(c, 0);
  const int64_t N = xt->shape[0], C = xt->shape[1], inner = xt->n / (N * C);
  const double eps = af(c, "epsilon", 1e-5);
  for (int64_t ch = 0; ch < C; ++ch) {
    double mu = in[3][ch], var = in[4][ch];
    if (!c->bn_frozen) {
      double s = 0.0, ss = 0.0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < inner; ++i) s += in[0][(n * C + ch) * inner + i];
      mu = s / (double)(N * inner);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < inner; ++i) ss += pow(in[0][(n * C + ch) * inner + i] - mu, 2);
      var = ss / (double)(N * inner);
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t o = (n * C + ch) * inner + i;
        y[o] = (in[0][o] - mu) / sqrt(var + eps) * in[1][ch] + in[2][ch];
      }
  }
}

/* Add (numpy broadcasting) and Concat (along one axis) */
static void add_or_concat(const gf_case *c, const double *const *in, const gf_tensor *yt, double *y, int concat) {
  int64_t idx[CB_GRAPH_MAX_DIMS];
  const int64_t axis = ai(c, "axis", 0, 0);
  for (int64_t i = 0; i < yt->n; ++i) {
    unravel(i, yt->ndim, yt->shape, idx);
    if (!concat) {
      y[i] = in[0][bcast_off(tin(c, 0), yt->ndim, idx, 0)] + in[1][bcast_off(tin(c, 1), yt->ndim, idx, 0)];
      continue;
    }
    int k = 0;
    while (idx[axis] >= tin(c, k)->shape[axis]) idx[axis] -= tin(c, k++)->shape[axis];
    y[i] = in[k][bcast_off(tin(c, k), yt->ndim, idx, 0)];
  }
}

int fd_ref_forward(const gf_case *c, const double *const *in, const float *scale, double *y) {
  const gf_tensor *yt = gf_find(c, "y");
  const int64_t n = tin(c, 0)->n;
  if (strcmp(c->op, "Conv") == 0) conv(c, in, yt, y);
  else if (strcmp(c->op, "Gemm") == 0) gemm(c, in, yt, y);
  else if (strcmp(c->op, "MatMul") == 0) matmul(c, in, yt, y);
  else if (strcmp(c->op, "MaxPool") == 0 || strcmp(c->op, "AveragePool") == 0) pool(c, in[0], yt, y, c->op[0] == 'M');
  else if (strcmp(c->op, "BatchNormalization") == 0) batchnorm(c, in, y);
  else if (strcmp(c->op, "Add") == 0 || strcmp(c->op, "Concat") == 0) add_or_concat(c, in, yt, y, c->op[0] == 'C');
  else if (strcmp(c->op, "GlobalAveragePool") == 0) {
    const int64_t planes = yt->n, inner = n / planes;
    for (int64_t p = 0; p < planes; ++p) {
      double s = 0.0;
      for (int64_t i = 0; i < inner; ++i) s += in[0][p * inner + i];
      y[p] = s / (double)inner;
    }
  } else if (strcmp(c->op, "Relu") == 0) for (int64_t i = 0; i < n; ++i) y[i] = in[0][i] > 0 ? in[0][i] : 0.0;
  else if (strcmp(c->op, "Flatten") == 0 || strcmp(c->op, "Reshape") == 0) for (int64_t i = 0; i < n; ++i) y[i] = in[0][i];
  else if (strcmp(c->op, "Dropout") == 0 && scale) for (int64_t i = 0; i < n; ++i) y[i] = in[0][i] * scale[i];
  else return 0;
  return 1;
}
