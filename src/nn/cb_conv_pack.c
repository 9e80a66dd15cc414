/* cb_conv_pack.c - im2col of one (rows x columns) block of a batched
 * convolution GEMM straight into cb_sgemm's NR-column panels (see
 * cb_conv_pack.h). A panel's columns fall into runs along one output row of
 * one image (segments); for each row p of the block, a segment is a strided
 * copy of one input row with zeros where the window leaves the input. (An
 * AVX-512 variant with masked loads measured no faster: the cost is the
 * per-segment bookkeeping, not the copy.) */
#include <stddef.h>

#include "cb_conv_pack.h"

enum { NR = CB_SGEMM_NR, KMAX = 256, KT = 16 };

/* A run of a panel's columns along one output row of one image, with its copy ranges for each kernel row ki and
 * column kj (kernels up to KT x KT; larger ones compute them per row p). */
typedef struct seg {
  const float *x; /* the image, at the group's first channel */
  int c0, len;    /* panel columns [c0, c0 + len) */
  int iy0, ix0;   /* input coordinates of the first column's window origin */
  int ro[KT];     /* (kh) offset of input row iy0 + ki*dil_h in a channel plane, -1 outside the input */
  int xo[KT];     /* (kw) input column of the first panel column for kernel column kj */
  int lo[KT], hi[KT]; /* (kw) panel columns [lo, hi) of the segment read inside the input row */
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

/* Segment columns [lo, hi) read inside an input row of width w when the first reads column ix0. */
static inline void col_range(int ix0, int len, int w, int sw, int *lo, int *hi) {
  int l = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw, u = ix0 < w ? (w - ix0 + sw - 1) / sw : 0;
  if (u > len) u = len;
  if (l > u) l = u;
  *lo = l, *hi = u;
}

/* cb_sgemm_pack_fn over a cb__conv_pack_ctx. */
static void pack(const void *vctx, int p0, int kc, int j0, int j1, float *bp) {
  const cb__conv_pack_ctx *c = vctx;
  const cb_conv2d_geom *g = c->g;
  const int h = g->in_h, w = g->in_w, sw = g->stride_w, khw = g->kh * g->kw;
  const int tab = g->kh <= KT && g->kw <= KT; /* per-segment tables of the kernel's rows and columns */
  size_t off[KMAX]; /* (qn) offset of row p's channel in the image */
  int ki[KMAX], kj[KMAX]; /* (qn) row p's kernel row and column */
  for (int q0 = 0; q0 < kc; q0 += KMAX) { /* kc is the GEMM's k block (<= KMAX); stay general */
    const int qn = kc - q0 < KMAX ? kc - q0 : KMAX;
    for (int q = 0; q < qn; ++q) {
      const int p = p0 + q0 + q, r = p % khw;
      off[q] = (size_t)(p / khw) * (size_t)h * (size_t)w;
      ki[q] = r / g->kw;
      kj[q] = r % g->kw;
    }
    float *pb = bp + (size_t)q0 * NR;
    for (int jb = j0; jb < j1; jb += NR, pb += (size_t)kc * NR) {
      const int je = j1 - jb < NR ? j1 : jb + NR, used = je - jb;
      seg sg[NR]; /* (ns) */
      int ns = 0;
      for (int j = jb; j < je; ++ns) {
        const int img = j / c->n, pix = j % c->n, oy = pix / c->ow, ox = pix % c->ow;
        seg *e = &sg[ns];
        e->x = c->x[img];
        e->c0 = j - jb;
        e->len = c->ow - ox < je - j ? c->ow - ox : je - j;
        e->iy0 = oy * g->stride_h - g->pad_t;
        e->ix0 = ox * sw - g->pad_l;
        for (int i = 0; tab && i < g->kh; ++i) {
          const int iy = e->iy0 + i * g->dil_h;
          e->ro[i] = iy >= 0 && iy < h ? iy * w : -1;
        }
        for (int k = 0; tab && k < g->kw; ++k) {
          e->xo[k] = e->ix0 + k * g->dil_w;
          col_range(e->xo[k], e->len, w, sw, &e->lo[k], &e->hi[k]);
        }
        j += e->len;
      }
      for (int q = 0; q < qn; ++q) {
        float *d = pb + (size_t)q * NR;
        for (int s = 0; s < ns; ++s) {
          const seg *e = &sg[s];
          int ro, xo, lo, hi;
          if (tab) {
            ro = e->ro[ki[q]], xo = e->xo[kj[q]], lo = e->lo[kj[q]], hi = e->hi[kj[q]];
          } else {
            const int iy = e->iy0 + ki[q] * g->dil_h;
            ro = iy >= 0 && iy < h ? iy * w : -1;
            xo = e->ix0 + kj[q] * g->dil_w;
            col_range(xo, e->len, w, sw, &lo, &hi);
          }
          if (ro < 0) seg_copy(d + e->c0, NULL, 0, e->len, 0, 0, sw);
          else seg_copy(d + e->c0, e->x + off[q] + (size_t)ro, xo, e->len, lo, hi, sw);
        }
        if (used < NR) seg_copy(d + used, NULL, 0, NR - used, 0, 0, 1);
      }
    }
  }
}

cb_sgemm_pack_fn cb__conv_pack_fn(void) { return pack; }
