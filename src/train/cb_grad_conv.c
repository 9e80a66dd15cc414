/* cb_grad_conv.c - backward of the 2-D convolution (strides, pads, dilations, groups) on the engine's
 * GEMM: input gradient = col2im of W^T dy per image and group; weight gradient = dy times the transposed
 * im2col of the whole batch, whose B is packed straight from the input by the GEMM's threads. */
#include <string.h>

#include "cb_sgemm.h"
#include "cb_train_ops.h"

size_t cb_conv2d_backward_workspace(const cb_conv2d_geom *g) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  return (size_t)(g->in_c / g->groups) * (size_t)g->kh * (size_t)g->kw * (size_t)oh * (size_t)ow;
}

/* dx (c, in_h, in_w) += col2im(col): the transpose of cb_im2col, rows (ch, i, j), columns (oy, ox). */
static void col2im_add(const cb_conv2d_geom *g, const float *col /* (c*kh*kw, oh*ow) */, int c, float *dx) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  for (int ch = 0; ch < c; ++ch) {
    float *xc = dx + (size_t)ch * (size_t)h * (size_t)w;
    for (int i = 0; i < g->kh; ++i)
      for (int j = 0; j < g->kw; ++j) {
        const float *row = col + ((size_t)(ch * g->kh + i) * (size_t)g->kw + (size_t)j) * (size_t)oh * (size_t)ow;
        for (int oy = 0; oy < oh; ++oy) {
          const int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
          if (iy < 0 || iy >= h) continue;
          for (int ox = 0; ox < ow; ++ox) {
            const int ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
            if (ix >= 0 && ix < w) xc[(size_t)iy * (size_t)w + (size_t)ix] += row[(size_t)oy * (size_t)ow + (size_t)ox];
          }
        }
      }
  }
}

void cb_conv2d_backward_data(const cb_conv2d_geom *g, const float *w, const float *dy, int batch, int threads,
                             float *work, float *dx) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int n = oh * ow, cg = g->in_c / g->groups, og = g->out_c / g->groups, kdim = cg * g->kh * g->kw;
  const size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w, out_size = (size_t)g->out_c * (size_t)n;
  for (int img = 0; img < batch; ++img)
    for (int gr = 0; gr < g->groups; ++gr) {
      /* dcol (kdim, n) = W_g^T (kdim, og) dy_g (og, n) */
      cb_sgemm_args a = {.m = kdim, .n = n, .k = og, .a = w + (size_t)gr * (size_t)og * (size_t)kdim, .a_rs = 1,
                         .a_cs = kdim, .b = dy + (size_t)img * out_size + (size_t)gr * (size_t)og * (size_t)n,
                         .b_rs = n, .b_cs = 1, .c = work, .c_rs = n, .c_cs = 1, .alpha = 1.0f, .beta = 0.0f,
                         .threads = threads};
      cb_sgemm(&a);
      col2im_add(g, work, cg, dx + (size_t)img * in_size + (size_t)gr * (size_t)cg * (size_t)g->in_h * (size_t)g->in_w);
    }
}

/* B (batch*P, kdim) of the weight gradient: B(p, j) = x[p / P][c][iy][ix] for output pixel p % P and kernel
 * entry j = (c, i, j') of the group, 0 in the padding; packed in cb_sgemm's NR-column panels. */
typedef struct colt_ctx {
  const cb_conv2d_geom *g;
  const float *x;  /* (batch, in_c, in_h, in_w) at the group's first channel */
  size_t in_size;  /* floats per image */
  int ow, n, kdim; /* output width, pixels per image, kernel entries of the group */
} colt_ctx;

static void colt_pack(const void *vctx, int p0, int kc, int j0, int j1, float *bp) {
  const colt_ctx *c = vctx;
  const cb_conv2d_geom *g = c->g;
  const int khw = g->kh * g->kw, panels = (j1 - j0 + CB_SGEMM_NR - 1) / CB_SGEMM_NR;
  for (int p = p0; p < p0 + kc; ++p) {
    const int img = p / c->n, pix = p % c->n, oy = pix / c->ow, ox = pix % c->ow;
    const float *xi = c->x + (size_t)img * c->in_size;
    for (int q = 0; q < panels * CB_SGEMM_NR; ++q) {
      const int j = j0 + q;
      float v = 0.0f;
      if (j < j1) {
        const int ch = j / khw, r = j % khw;
        const int iy = oy * g->stride_h - g->pad_t + (r / g->kw) * g->dil_h;
        const int ix = ox * g->stride_w - g->pad_l + (r % g->kw) * g->dil_w;
        if (iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w)
          v = xi[((size_t)ch * (size_t)g->in_h + (size_t)iy) * (size_t)g->in_w + (size_t)ix];
      }
      bp[((size_t)(q / CB_SGEMM_NR) * (size_t)kc + (size_t)(p - p0)) * CB_SGEMM_NR + (size_t)(q % CB_SGEMM_NR)] = v;
    }
  }
}

void cb_conv2d_backward_params(const cb_conv2d_geom *g, const float *x, const float *dy, int batch, int threads,
                               float *dyr, float *dw, float *db) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int n = oh * ow, cg = g->in_c / g->groups, og = g->out_c / g->groups, kdim = cg * g->kh * g->kw;
  const size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w, out_size = (size_t)g->out_c * (size_t)n;
  const size_t cols = (size_t)batch * (size_t)n;
  for (int gr = 0; dw != NULL && gr < g->groups; ++gr) {
    /* dyr (og, batch*n): the group's output gradients, images side by side */
    for (int o = 0; o < og; ++o)
      for (int img = 0; img < batch; ++img)
        memcpy(dyr + (size_t)o * cols + (size_t)img * (size_t)n,
               dy + (size_t)img * out_size + (size_t)(gr * og + o) * (size_t)n, (size_t)n * sizeof *dyr);
    const colt_ctx ctx = {g, x + (size_t)gr * (size_t)cg * (size_t)g->in_h * (size_t)g->in_w, in_size, ow, n, kdim};
    cb_sgemm_args a = {.m = og, .n = kdim, .k = (int)cols, .a = dyr, .a_rs = (ptrdiff_t)cols, .a_cs = 1,
                       .b_pack = colt_pack, .b_ctx = &ctx, .c = dw + (size_t)gr * (size_t)og * (size_t)kdim,
                       .c_rs = kdim, .c_cs = 1, .alpha = 1.0f, .beta = 1.0f, .threads = threads};
    cb_sgemm(&a);
  }
  if (db == NULL) return;
  for (int o = 0; o < g->out_c; ++o) {
    double s = 0.0;
    for (int img = 0; img < batch; ++img) {
      const float *d = dy + (size_t)img * out_size + (size_t)o * (size_t)n;
      for (int p = 0; p < n; ++p) s += d[p];
    }
    db[o] += (float)s;
  }
}
