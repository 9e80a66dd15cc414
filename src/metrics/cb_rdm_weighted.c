/* cb_rdm_weighted.c - weighted ranks and correlations for bootstrap RDM comparisons. */
#include "cb_rdm_weighted.h"

#include <math.h>
#include <stdlib.h>

void cb_rank_weighted(const double *v, const size_t *ord, const double *w, size_t m, double *r) {
  double before = 0; /* copies ranked below the current run of equal values */
  for (size_t s = 0; s < m;) {
    size_t e = s + 1;
    double run = w[ord[s]];
    while (e < m && v[ord[e]] == v[ord[s]]) run += w[ord[e++]];
    const double rank = before + 0.5 * (run + 1); /* mean of before + 1 ... before + run */
    for (size_t j = s; j < e; ++j)
      if (w[ord[j]] > 0) r[ord[j]] = rank;
    before += run;
    s = e;
  }
}

double cb_pearson_weighted(const double *a, const double *b, const double *w, size_t m) {
  double sw = 0, sa = 0, sb = 0;
  for (size_t p = 0; p < m; ++p)
    if (w[p] > 0) sw += w[p], sa += w[p] * a[p], sb += w[p] * b[p];
  if (!(sw > 0)) return NAN;
  const double ma = sa / sw, mb = sb / sw;
  double ab = 0, aa = 0, bb = 0;
  for (size_t p = 0; p < m; ++p) {
    if (!(w[p] > 0)) continue;
    const double da = a[p] - ma, db = b[p] - mb;
    ab += w[p] * da * db;
    aa += w[p] * da * da;
    bb += w[p] * db * db;
  }
  if (aa == 0 || bb == 0) return NAN;
  return ab / sqrt(aa * bb);
}

cb_status cb_rdm_compare_weighted(const double *a, const size_t *oa, const double *b, const size_t *ob, const double *w,
                                  size_t m, cb_rdm_compare_kind k, double *ra, double *rb, double *out) {
  switch (k) {
  case CB_RDM_CMP_SPEARMAN:
    cb_rank_weighted(a, oa, w, m, ra);
    cb_rank_weighted(b, ob, w, m, rb);
    *out = cb_pearson_weighted(ra, rb, w, m);
    return CB_OK;
  case CB_RDM_CMP_PEARSON: *out = cb_pearson_weighted(a, b, w, m); return CB_OK;
  case CB_RDM_CMP_COSINE: {
    double ab = 0, aa = 0, bb = 0;
    for (size_t p = 0; p < m; ++p)
      if (w[p] > 0) ab += w[p] * a[p] * b[p], aa += w[p] * a[p] * a[p], bb += w[p] * b[p] * b[p];
    *out = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : NAN;
    return CB_OK;
  }
  default: return CB_ERROR(CB_ERR_UNSUPPORTED, "weighted comparison '%s' not available", cb_rdm_compare_name(k));
  }
}
