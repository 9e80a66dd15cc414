/* cb_grad_conv.c - backward of the 2-D convolution (strides, pads, dilations, groups) on the engine's GEMM.
 * Per group, the output gradients are regrouped once into dyr (og, batch*P), images side by side; then
 *  - input gradient: dcol (kdim, cols) = W_g^T dyr[:, chunk] for chunks of images (one GEMM per chunk, so
 *    that small late layers still give the GEMM wide matrices), then col2im of each image of the chunk into
 *    dx, images and channels shared between threads;
 *  - weight gradient: dyr times the transposed im2col of the whole batch, whose B is packed straight from
 *    the input by the GEMM's threads.
 * Every element of dcol and dw is one cb_sgemm chain whatever the chunking and threads, and col2im adds into
 * a dx element in kernel order, so the bits depend on neither. */
#include <string.h>

#include "cb_sgemm.h"
#include "cb_train_ops.h"
#include "cb_threads.h"

enum { CHUNK_COLS = 1024 };

typedef struct conv_dims {
  int oh, ow, n, cg, og, kdim; /* output size and pixels per image; channels and kernel entries per group */
  int chunk;                   /* images per input-gradient GEMM */
} conv_dims;

static conv_dims dims(const cb_conv2d_geom *g, int batch) {
  conv_dims d;
  cb_conv2d_out(g, &d.oh, &d.ow);
  d.n = d.oh * d.ow, d.cg = g->in_c / g->groups, d.og = g->out_c / g->groups, d.kdim = d.cg * g->kh * g->kw;
  d.chunk = d.n >= CHUNK_COLS ? 1 : CHUNK_COLS / d.n;
  if (d.chunk > batch) d.chunk = batch > 0 ? batch : 1;
  return d;
}

size_t cb_conv2d_backward_workspace(const cb_conv2d_geom *g, int batch) {
  const conv_dims d = dims(g, batch);
  return (size_t)d.og * (size_t)batch * (size_t)d.n + (size_t)d.kdim * (size_t)d.chunk * (size_t)d.n;
}

/* One channel plane xc (in_h, in_w) += col2im(col): the transpose of cb_im2col; col rows (i, j) of that channel
 * with row stride ld, columns (oy, ox). */
static void col2im_add(const cb_conv2d_geom *g, const float *col, size_t ld, float *xc) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w, sw = g->stride_w;
  for (int i = 0; i < g->kh; ++i)
    for (int j = 0; j < g->kw; ++j) {
      const float *row = col + (size_t)(i * g->kw + j) * ld;
      const int x0 = j * g->dil_w - g->pad_l; /* input column of output column 0 */
      const int lo = x0 >= 0 ? 0 : (-x0 + sw - 1) / sw, hi0 = x0 < w ? (w - x0 + sw - 1) / sw : 0;
      const int hi = hi0 < ow ? hi0 : ow;
      for (int oy = 0; oy < oh; ++oy) {
        const int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
        if (iy < 0 || iy >= h) continue;
        const ptrdiff_t base = (ptrdiff_t)iy * w + x0; /* xc[base + ox*sw]: column x0 + ox*sw of row iy */
        const float *r = row + (size_t)oy * (size_t)ow;
        if (sw == 1)
          for (int ox = lo; ox < hi; ++ox) xc[base + ox] += r[ox];
        else
          for (int ox = lo; ox < hi; ++ox) xc[base + (ptrdiff_t)ox * sw] += r[ox];
      }
    }
}

/* col2im of a chunk's (image, channel) planes [u0, u1). */
typedef struct c2i_ctx {
  const cb_conv2d_geom *g;
  const float *dcol; /* (kdim, imgs*n) */
  size_t ld;         /* imgs*n */
  int n, cg, khw;
  float *dx;         /* image 0 of the chunk, the group's first channel */
  size_t in_size;    /* floats per image */
} c2i_ctx;

static void c2i_run(void *vctx, size_t u0, size_t u1) {
  const c2i_ctx *j = vctx;
  const size_t plane = (size_t)j->g->in_h * (size_t)j->g->in_w;
  for (size_t u = u0; u < u1; ++u) {
    const size_t img = u / (size_t)j->cg, ch = u % (size_t)j->cg;
    col2im_add(j->g, j->dcol + ch * (size_t)j->khw * j->ld + img * (size_t)j->n, j->ld, j->dx + img * j->in_size + ch * plane);
  }
}

/* dx += col2im(W_g^T dyr) for group gr, chunk by chunk. */
static void backward_data(const cb_conv2d_geom *g, const conv_dims *d, const float *w, const float *dyr, int batch,
                          int gr, int threads, float *dcol, float *dx) {
  const size_t cols = (size_t)batch * (size_t)d->n;
  const size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w;
  for (int i0 = 0; i0 < batch; i0 += d->chunk) {
    const int imgs = batch - i0 < d->chunk ? batch - i0 : d->chunk;
    /* dcol (kdim, imgs*n) = W_g^T (kdim, og) dyr[:, i0*n ...] (og, imgs*n) */
    cb_sgemm_args a = {.m = d->kdim, .n = imgs * d->n, .k = d->og,
                       .a = w + (size_t)gr * (size_t)d->og * (size_t)d->kdim, .a_rs = 1, .a_cs = d->kdim,
                       .b = dyr + (size_t)i0 * (size_t)d->n, .b_rs = (ptrdiff_t)cols, .b_cs = 1, .c = dcol,
                       .c_rs = imgs * d->n, .c_cs = 1, .alpha = 1.0f, .beta = 0.0f, .threads = threads};
    cb_sgemm(&a);
    c2i_ctx c = {g, dcol, (size_t)imgs * (size_t)d->n, d->n, d->cg, g->kh * g->kw,
                 dx + (size_t)i0 * in_size + (size_t)gr * (size_t)d->cg * (size_t)g->in_h * (size_t)g->in_w, in_size};
    cb_threads_for(threads, (size_t)imgs * (size_t)d->cg, 1, c2i_run, &c);
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

enum { COLT_ROWS = 256 };

/* Rows [p0, p0 + rn) of B: each row's image and the input coordinates of its window's origin. */
static void colt_rows(const colt_ctx *c, int p0, int rn, const float **xs, int *iy0, int *ix0) {
  const cb_conv2d_geom *g = c->g;
  int img = p0 / c->n, pix = p0 % c->n, oy = pix / c->ow, ox = pix % c->ow;
  for (int q = 0; q < rn; ++q) {
    xs[q] = c->x + (size_t)img * c->in_size;
    iy0[q] = oy * g->stride_h - g->pad_t;
    ix0[q] = ox * g->stride_w - g->pad_l;
    if (++ox == c->ow) {
      ox = 0;
      if (++oy * c->ow == c->n) oy = 0, ++img;
    }
  }
}

/* Columns [j0, j0 + used) of B: channel plane offset, kernel row and column offsets (dilated), and the
 * offset of the entry from its window's origin when the window lies inside the input. */
static void colt_cols(const cb_conv2d_geom *g, int j0, int used, size_t *cho, int *ky, int *kx, size_t *off) {
  const int khw = g->kh * g->kw;
  int ch = j0 / khw, r = j0 % khw, ki = r / g->kw, kj = r % g->kw;
  for (int t = 0; t < used; ++t) {
    cho[t] = (size_t)ch * (size_t)g->in_h * (size_t)g->in_w;
    ky[t] = ki * g->dil_h;
    kx[t] = kj * g->dil_w;
    off[t] = cho[t] + (size_t)ky[t] * (size_t)g->in_w + (size_t)kx[t];
    if (++kj == g->kw) {
      kj = 0;
      if (++ki == g->kh) ki = 0, ++ch;
    }
  }
}

static void colt_pack(const void *vctx, int p0, int kc, int j0, int j1, float *bp) {
  const colt_ctx *c = vctx;
  const cb_conv2d_geom *g = c->g;
  const int h = g->in_h, w = g->in_w, ey = (g->kh - 1) * g->dil_h, ex = (g->kw - 1) * g->dil_w;
  const float *xs[COLT_ROWS];
  int iy0[COLT_ROWS], ix0[COLT_ROWS], ky[CB_SGEMM_NR], kx[CB_SGEMM_NR];
  size_t cho[CB_SGEMM_NR], off[CB_SGEMM_NR];
  for (int r0 = 0; r0 < kc; r0 += COLT_ROWS) {
    const int rn = kc - r0 < COLT_ROWS ? kc - r0 : COLT_ROWS;
    colt_rows(c, p0 + r0, rn, xs, iy0, ix0);
    for (int jb = j0; jb < j1; jb += CB_SGEMM_NR) {
      const int used = j1 - jb < CB_SGEMM_NR ? j1 - jb : CB_SGEMM_NR;
      colt_cols(g, jb, used, cho, ky, kx, off);
      float *pb = bp + ((size_t)((jb - j0) / CB_SGEMM_NR) * (size_t)kc + (size_t)r0) * CB_SGEMM_NR;
      for (int q = 0; q < rn; ++q) {
        float *d = pb + (size_t)q * CB_SGEMM_NR;
        const int y0 = iy0[q], x0 = ix0[q];
        if (y0 >= 0 && y0 + ey < h && x0 >= 0 && x0 + ex < w) { /* the window lies inside the input */
          const float *xi = xs[q] + (size_t)y0 * (size_t)w + (size_t)x0;
          for (int t = 0; t < used; ++t) d[t] = xi[off[t]];
        } else
          for (int t = 0; t < used; ++t) {
            const int iy = y0 + ky[t], ix = x0 + kx[t];
            d[t] = iy >= 0 && iy < h && ix >= 0 && ix < w ? xs[q][cho[t] + (size_t)iy * (size_t)w + (size_t)ix] : 0.0f;
          }
        for (int t = used; t < CB_SGEMM_NR; ++t) d[t] = 0.0f;
      }
    }
  }
}

/* dw += dyr (og, batch*n) colT (batch*n, kdim) for group gr. */
static void backward_weights(const cb_conv2d_geom *g, const conv_dims *d, const float *x, const float *dyr,
                             int batch, int gr, int threads, float *dw) {
  const size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w, cols = (size_t)batch * (size_t)d->n;
  const colt_ctx ctx = {g, x + (size_t)gr * (size_t)d->cg * (size_t)g->in_h * (size_t)g->in_w, in_size, d->ow, d->n,
                        d->kdim};
  cb_sgemm_args a = {.m = d->og, .n = d->kdim, .k = (int)cols, .a = dyr, .a_rs = (ptrdiff_t)cols, .a_cs = 1,
                     .b_pack = colt_pack, .b_ctx = &ctx, .c = dw + (size_t)gr * (size_t)d->og * (size_t)d->kdim,
                     .c_rs = d->kdim, .c_cs = 1, .alpha = 1.0f, .beta = 1.0f, .threads = threads};
  cb_sgemm(&a);
}

void cb_conv2d_backward(const cb_conv2d_geom *g, const float *x, const float *w, const float *dy, int batch,
                        int threads, float *work, float *dx, float *dw, float *db) {
  const conv_dims d = dims(g, batch);
  const size_t cols = (size_t)batch * (size_t)d.n, out_size = (size_t)g->out_c * (size_t)d.n;
  float *dyr = work, *dcol = work + (size_t)d.og * cols;
  for (int gr = 0; (dx != NULL || dw != NULL) && gr < g->groups; ++gr) {
    /* dyr (og, batch*n): the group's output gradients, images side by side */
    for (int o = 0; o < d.og; ++o)
      for (int img = 0; img < batch; ++img)
        memcpy(dyr + (size_t)o * cols + (size_t)img * (size_t)d.n,
               dy + (size_t)img * out_size + (size_t)(gr * d.og + o) * (size_t)d.n, (size_t)d.n * sizeof *dyr);
    if (dx != NULL) backward_data(g, &d, w, dyr, batch, gr, threads, dcol, dx);
    if (dw != NULL) backward_weights(g, &d, x, dyr, batch, gr, threads, dw);
  }
  if (db == NULL) return;
  for (int o = 0; o < g->out_c; ++o) {
    double s = 0.0;
    for (int img = 0; img < batch; ++img) {
      const float *dd = dy + (size_t)img * out_size + (size_t)o * (size_t)d.n;
      for (int p = 0; p < d.n; ++p) s += dd[p];
    }
    db[o] += (float)s;
  }
}
