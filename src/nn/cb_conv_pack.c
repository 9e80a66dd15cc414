/* cb_conv_pack.c - im2col of one (rows x columns) block of a batched
 * convolution GEMM straight into cb_sgemm's NR-column panels (see
 * cb_conv_pack.h). A panel's columns fall into runs along one output row of
 * one image (segments); for each row p of the block, a segment is a strided
 * copy of one input row with zeros where the window leaves the input. (An
 * AVX-512 variant with masked loads measured no faster: the cost is the
 * per-segment bookkeeping, not the copy.) */
#include <stddef.h>

#include "cb_conv_pack.h"

enum { NR = CB_SGEMM_NR, KMAX = 256 };

/* A run of a panel's columns along one output row of one image. */
typedef struct seg {
  const float *x; /* the image, at the group's first channel */
  int c0, len;    /* panel columns [c0, c0 + len) */
  int iy0, ix0;   /* input coordinates of the first column's window origin */
} seg;

/* ds[t] = row[ix0 + t * sw] for t in [lo, hi), 0 for the rest of [0, len); row is only read when lo < hi. */
static inline void seg_copy(float *ds, const float *row, int ix0, int len, int lo, int hi, int sw) {
  for (int t = 0; t < lo; ++t) ds[t] = 0.0f;
  if (sw == 1)
    for (int t = lo; t < hi; ++t) ds[t] = row[ix0 + t];
  else
    for (int t = lo; t < hi; ++t) ds[t] = row[ix0 + (ptrdiff_t)t * sw];
  for (int t = hi > lo ? hi : lo; t < len; ++t) ds[t] = 0.0f;
}

/* cb_sgemm_pack_fn over a cb__conv_pack_ctx. */
static void pack(const void *vctx, int p0, int kc, int j0, int j1, float *bp) {
  const cb__conv_pack_ctx *c = vctx;
  const cb_conv2d_geom *g = c->g;
  const int h = g->in_h, w = g->in_w, sw = g->stride_w, khw = g->kh * g->kw;
  size_t off[KMAX]; /* (qn) offset of row p's channel in the image */
  int dy[KMAX], dx[KMAX]; /* (qn) row p's kernel offsets, dilated */
  for (int q0 = 0; q0 < kc; q0 += KMAX) { /* kc is the GEMM's k block (<= KMAX); stay general */
    const int qn = kc - q0 < KMAX ? kc - q0 : KMAX;
    for (int q = 0; q < qn; ++q) {
      const int p = p0 + q0 + q, r = p % khw;
      off[q] = (size_t)(p / khw) * (size_t)h * (size_t)w;
      dy[q] = r / g->kw * g->dil_h;
      dx[q] = r % g->kw * g->dil_w;
    }
    float *pb = bp + (size_t)q0 * NR;
    for (int jb = j0; jb < j1; jb += NR, pb += (size_t)kc * NR) {
      const int je = j1 - jb < NR ? j1 : jb + NR, used = je - jb;
      seg sg[NR]; /* (ns) */
      int ns = 0;
      for (int j = jb; j < je;) {
        const int img = j / c->n, pix = j % c->n, oy = pix / c->ow, ox = pix % c->ow;
        const int len = c->ow - ox < je - j ? c->ow - ox : je - j;
        sg[ns++] = (seg){c->x[img], j - jb, len, oy * g->stride_h - g->pad_t, ox * sw - g->pad_l};
        j += len;
      }
      for (int q = 0; q < qn; ++q) {
        float *d = pb + (size_t)q * NR;
        for (int s = 0; s < ns; ++s) {
          const seg *e = &sg[s];
          const int iy = e->iy0 + dy[q], ix0 = e->ix0 + dx[q], len = e->len;
          if (iy < 0 || iy >= h) {
            seg_copy(d + e->c0, NULL, 0, len, 0, 0, sw);
            continue;
          }
          /* t in [lo, hi): 0 <= ix0 + t * sw < w */
          int lo = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw, hi = ix0 < w ? (w - ix0 + sw - 1) / sw : 0;
          if (hi > len) hi = len;
          if (lo > hi) lo = hi;
          seg_copy(d + e->c0, e->x + off[q] + (size_t)iy * (size_t)w, ix0, len, lo, hi, sw);
        }
        if (used < NR) seg_copy(d + used, NULL, 0, NR - used, 0, 0, 1);
      }
    }
  }
}

cb_sgemm_pack_fn cb__conv_pack_fn(void) { return pack; }
