/* cb_bench_boot.c - the bootstrap of RDM comparisons by pair weights: the
 * model's and the brain's RDM vectors over every stimulus pair are ordered
 * once; replicate r (the stimuli drawn by stream (seed, r) from each split's
 * test stimuli, as the expanded computation draws them) weighs pair (s, t) by
 * c_s c_t. O(pairs) per replicate instead of sorting the expanded multiset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench_impl.h"
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

/* The comparison on replicate `rep`: mean over splits of the (subject-averaged) weighted comparison. */
static cb_status wboot_replicate(const cb_bench *b, wboot *x, uint64_t rep, double *raw) {
  const cb_splits *s = b->splits;
  const int n = b->neural->n_stim;
  cb_rng rng;
  cb_rng_seed_stream(&rng, b->params.seed ^ 0xB0075712A9ull, rep); /* the stream boot_similarity draws from */
  double sum = 0;
  for (int k = 0; k < s->n_splits; ++k) {
    const int *test = s->test + (size_t)k * s->n_test, m = s->test_size[k];
    memset(x->count, 0, sizeof *x->count * (size_t)n);
    for (int i = 0; i < m; ++i) x->count[test[cb_rng_below(&rng, (uint64_t)m)]]++;
    size_t p = 0;
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) x->w[p++] = (double)x->count[i] * x->count[j];
    double v = 0;
    for (int g = 0; g < x->n_ref; ++g) {
      double vg;
      CB_CHECK(cb_rdm_compare_weighted(x->a, x->oa, x->ref + (size_t)g * x->k0, x->oref + (size_t)g * x->k0, x->w,
                                       x->k0, b->compare, x->ra, x->rb, &vg));
      v += vg;
    }
    sum += v / x->n_ref;
  }
  *raw = sum / s->n_splits;
  return CB_OK;
}

int cb__bench_boot_weighted(const cb_bench *b) {
  return b->metric == CB_METRIC_RDM && b->compare != CB_RDM_CMP_KENDALL_TAU_A;
}

cb_status cb__bench_boot_rdm(const cb_bench *b, const double *Dm, double *vals) {
  wboot x;
  cb_status st = wboot_init(b, Dm, &x);
  for (int r = 0; st == CB_OK && r < b->params.bootstrap; ++r) {
    if (cb_signal_pending()) {
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d during a bootstrap", cb_signal_pending());
      break;
    }
    double raw;
    st = wboot_replicate(b, &x, (uint64_t)r, &raw);
    if (st == CB_OK) vals[r] = isnan(b->ceiling) ? raw : cb_ceil_score(raw, b->ceiling, b->norm);
  }
  wboot_free(&x);
  return st;
}
