/* cb_bench_boot.c - bootstraps by stimulus weights. Replicate r draws the
 * stimuli of every split's test set with replacement (stream (seed, r), as
 * the expanded computation draws them): stimulus s is drawn c_s times.
 * RDM comparisons: the model's and the brain's RDM vectors over every
 * stimulus pair are ordered once; pair (s, t) weighs c_s c_t. O(pairs) per
 * replicate instead of sorting the expanded multiset.
 * CKA: the Gram matrices over every stimulus are formed once; a replicate is
 * the weighted CKA of cb_cka_weighted.h, O(n^2) instead of a Gram product of
 * the expanded resample's activations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench_impl.h"
#include "cb_cka_weighted.h"
#include "cb_rdm_weighted.h"
#include "cb_rng.h"
#include "cb_signal.h"

typedef struct wboot {
  size_t k0;       /* pairs over all n stimuli: n (n - 1) / 2 */
  int n_ref;       /* brain vectors: subjects, or 1 */
  double *a;       /* (k0) the model's upper triangle */
  size_t *oa;      /* (k0) its order */
  double *ref;     /* (n_ref, k0) the brain's upper triangles */
  size_t *oref;    /* (n_ref, k0) their orders */
  double *w;       /* (k0) pair weights of a replicate */
  double *ra, *rb; /* (k0) rank scratch */
  int *count;      /* (n) draws per stimulus */
} wboot;

static void wboot_free(wboot *x) {
  free(x->a), free(x->oa), free(x->ref), free(x->oref), free(x->w), free(x->ra), free(x->rb), free(x->count);
}

/* The brain's RDMs over all stimuli: each subject's (average), their mean (mean-rdm), or the assembly's. */
static cb_status brain_vectors(const cb_bench *b, wboot *x, int n) {
  const double *single = NULL;
  double *own = NULL;
  if (b->n_subj > 0 && (b->mean_rdm_mode || b->n_subj == 1)) single = b->n_subj == 1 ? b->subj_rdm : b->mean_rdm;
  x->n_ref = b->n_subj > 1 && !b->mean_rdm_mode ? b->n_subj : 1;
  x->ref = malloc(sizeof *x->ref * (size_t)x->n_ref * x->k0);
  x->oref = malloc(sizeof *x->oref * (size_t)x->n_ref * x->k0);
  if (!x->ref || !x->oref) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (b->n_subj == 0) { /* an assembly: 1 - Pearson (or the benchmark's distance) of the stimulus means */
    if (!(own = malloc(sizeof *own * (size_t)n * n))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    int bad = 0; /* counted (and warned about) when the benchmark scored */
    cb_status st = cb_rdm_compute_defined(b->neural->mean, NULL, n, b->neural->n_neuroid, b->distance, own, &bad);
    if (st != CB_OK) {
      free(own);
      return st;
    }
    single = own;
  }
  cb_status st = CB_OK;
  for (int g = 0; g < x->n_ref && st == CB_OK; ++g) {
    const double *R = single ? single : b->subj_rdm + (size_t)g * n * n;
    cb_rdm_upper(R, n, x->ref + (size_t)g * x->k0);
    st = cb_rank_order(x->ref + (size_t)g * x->k0, x->k0, x->oref + (size_t)g * x->k0);
  }
  free(own);
  return st;
}

static cb_status wboot_init(const cb_bench *b, const double *Dm, wboot *x) {
  const int n = b->neural->n_stim;
  memset(x, 0, sizeof *x);
  x->k0 = cb_rdm_n_upper(n);
  x->a = malloc(sizeof *x->a * x->k0);
  x->oa = malloc(sizeof *x->oa * x->k0);
  x->w = malloc(sizeof *x->w * x->k0);
  x->ra = malloc(sizeof *x->ra * x->k0);
  x->rb = malloc(sizeof *x->rb * x->k0);
  x->count = malloc(sizeof *x->count * (size_t)n);
  if (!x->a || !x->oa || !x->w || !x->ra || !x->rb || !x->count) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_rdm_upper(Dm, n, x->a);
  CB_CHECK(cb_rank_order(x->a, x->k0, x->oa));
  return brain_vectors(b, x, n);
}

/* count (n) = how often each stimulus is drawn when m draws are made from test (m) (the order of the expanded
 * computation's draws). */
static void draw_counts(cb_rng *rng, const int *test, int m, int n, int *count) {
  memset(count, 0, sizeof *count * (size_t)n);
  for (int i = 0; i < m; ++i) count[test[cb_rng_below(rng, (uint64_t)m)]]++;
}

/* The value of a metric on one split's resample, from the draw counts (n) of the benchmark's stimuli; NaN: the
 * resample cannot be scored (the whole replicate is left out). */
typedef cb_status (*split_value_fn)(const cb_bench *b, void *ctx, const int *count, double *v);

/* vals (bootstrap) = ceiled replicate scores: replicate r draws each split's test stimuli with replacement from the
 * stream (seed, r) (the one boot_similarity in cb_benchmark.c draws from); its raw score is the mean over splits
 * of fn. count (n) is scratch. */
static cb_status run_replicates(const cb_bench *b, split_value_fn fn, void *ctx, int *count, double *vals) {
  const cb_splits *s = b->splits;
  const int n = b->neural->n_stim;
  for (int r = 0; r < b->params.bootstrap; ++r) {
    if (cb_signal_pending())
      return CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d during a bootstrap", cb_signal_pending());
    cb_rng rng;
    cb_rng_seed_stream(&rng, b->params.seed ^ 0xB0075712A9ull, (uint64_t)r);
    double sum = 0;
    for (int k = 0; k < s->n_splits && !isnan(sum); ++k) {
      draw_counts(&rng, s->test + (size_t)k * s->n_test, s->test_size[k], n, count);
      double v;
      CB_CHECK(fn(b, ctx, count, &v));
      sum += v;
    }
    const double raw = sum / s->n_splits;
    vals[r] = isnan(b->ceiling) || isnan(raw) ? raw : cb_ceil_score(raw, b->ceiling, b->norm);
  }
  return CB_OK;
}

/* RDM comparison of a resample: pair (s, t) weighs c_s c_t; the mean over subjects. */
static cb_status rdm_split_value(const cb_bench *b, void *ctx, const int *count, double *v) {
  wboot *x = ctx;
  const int n = b->neural->n_stim;
  size_t p = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) x->w[p++] = (double)count[i] * count[j];
  double sum = 0;
  for (int g = 0; g < x->n_ref; ++g) {
    double vg;
    CB_CHECK(cb_rdm_compare_weighted(x->a, x->oa, x->ref + (size_t)g * x->k0, x->oref + (size_t)g * x->k0, x->w,
                                     x->k0, b->compare, x->ra, x->rb, &vg));
    sum += vg;
  }
  *v = sum / x->n_ref;
  return CB_OK;
}

int cb__bench_boot_weighted(const cb_bench *b) {
  return b->row->family == CB_METRIC_FAMILY_RDM && b->compare != CB_RDM_CMP_KENDALL_TAU_A;
}

cb_status cb__bench_boot_rdm(const cb_bench *b, const double *Dm, double *vals) {
  wboot x;
  cb_status st = wboot_init(b, Dm, &x);
  if (st == CB_OK) st = run_replicates(b, rdm_split_value, &x, x.count, vals);
  wboot_free(&x);
  return st;
}

typedef struct cka_boot {
  cb_cka_w *cw;
  double *w; /* (n) stimulus weights */
} cka_boot;

/* CKA of a resample by stimulus weights (an undefined one counts 0, as in the scores; NaN: too few distinct). */
static cb_status cka_split_value(const cb_bench *b, void *ctx, const int *count, double *v) {
  cka_boot *x = ctx;
  for (int i = 0; i < b->neural->n_stim; ++i) x->w[i] = count[i];
  int undefined;
  return cb_cka_w_eval(x->cw, x->w, v, &undefined);
}

cb_status cb__bench_boot_cka(const cb_bench *b, const float *X, int p, double *vals) {
  const int n = b->neural->n_stim, q = b->neural->n_neuroid;
  cb_status st = CB_OK;
  cka_boot x = {NULL, malloc(sizeof(double) * (size_t)n)};
  double *K = malloc(sizeof *K * (size_t)n * n), *L = malloc(sizeof *L * (size_t)n * n); /* (n, n) Gram matrices */
  int *count = malloc(sizeof *count * (size_t)n);
  if (!K || !L || !x.w || !count) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) st = cb_cka_gram_f(X, n, p, K);
  if (st == CB_OK) st = cb_cka_gram(b->neural->mean, n, q, L);
  if (st == CB_OK) st = cb_cka_w_create(K, L, n, b->cka, &x.cw);
  if (st == CB_OK) st = run_replicates(b, cka_split_value, &x, count, vals);
  cb_cka_w_destroy(&x.cw);
  free(K), free(L), free(x.w), free(count);
  return st;
}
