/* cb_rdm.h - representational dissimilarity matrices (RDMs) and their comparison. */
#ifndef CB_RDM_H
#define CB_RDM_H

#include <stddef.h>

#include "cb_status.h"

typedef enum cb_rdm_distance {
  CB_RDM_CORRELATION = 0, /* 1 - Pearson r between the two response patterns (default; scipy pdist 'correlation') */
  CB_RDM_EUCLIDEAN,       /* ||x_i - x_j||_2 */
  CB_RDM_COSINE           /* 1 - x_i.x_j / (||x_i|| ||x_j||) */
} cb_rdm_distance;

typedef enum cb_rdm_compare_kind {
  CB_RDM_CMP_SPEARMAN = 0,  /* Spearman rho on the upper triangles (default) */
  CB_RDM_CMP_KENDALL_TAU_A, /* Kendall tau-a on the upper triangles */
  CB_RDM_CMP_PEARSON,       /* Pearson r on the upper triangles */
  CB_RDM_CMP_COSINE         /* cosine similarity a.b / (||a|| ||b||) on the upper triangles */
} cb_rdm_compare_kind;

/* Short name ("correlation", "spearman", ...) of a distance / comparison; "?" when out of range. */
const char *cb_rdm_distance_name(cb_rdm_distance d);
const char *cb_rdm_compare_name(cb_rdm_compare_kind k);

/* D[i,j] = distance between rows i and j of X, computed through the Gram matrix of the shifted rows (row-centred
 * for correlation, column-centred for Euclidean) accumulated in double over column blocks; D is exactly symmetric
 * with a zero diagonal. CB_ERR_NUMERIC naming the row when a row is constant (correlation) or zero (cosine):
 * that distance is undefined (D then holds NaN for that row and column). n >= 2, p >= 1. */
cb_status cb_rdm_compute(const double *X /* (n, p) */, int n, int p, cb_rdm_distance d, double *D /* (n, n) */);
/* Same for float activations (converted to double block by block, no full copy). */
cb_status cb_rdm_compute_f(const float *X /* (n, p) */, int n, int p, cb_rdm_distance d, double *D /* (n, n) */);
/* The scoring convention for undefined distances: as cb_rdm_compute (from X, or float Xf: exactly one non-NULL),
 * but a row whose distance is undefined (constant: correlation; all zero: cosine) is at distance 1 from every
 * other row (its correlation or cosine similarity with any pattern taken as 0: it carries no information) and
 * *n_undefined counts those rows; they are not an error. */
cb_status cb_rdm_compute_defined(const double *X /* (n, p) */, const float *Xf /* (n, p) */, int n, int p,
                                 cb_rdm_distance d, double *D /* (n, n) */, int *n_undefined);

/* Number of entries of the strict upper triangle: n (n - 1) / 2. */
size_t cb_rdm_n_upper(int n);
/* v = D[i,j] for i < j in row-major order ((0,1), (0,2), ..., (1,2), ...), i.e. MATLAB/SciPy squareform order. */
void cb_rdm_upper(const double *D /* (n, n) */, int n, double *v /* (n (n - 1) / 2) */);

/* Similarity of two RDMs over their strict upper triangles (i < j). Spearman/Pearson give NaN (status CB_OK)
 * when a triangle is constant; cosine gives NaN for an all-zero triangle. NaN entries -> CB_ERR_NUMERIC. */
cb_status cb_rdm_compare(const double *A /* (n, n) */, const double *B /* (n, n) */, int n, cb_rdm_compare_kind k,
                         double *out);
/* Same on already extracted vectors (e.g. upper triangles) of length m >= 2. */
cb_status cb_rdm_compare_vec(const double *a /* (m) */, const double *b /* (m) */, size_t m, cb_rdm_compare_kind k,
                             double *out);

#endif
