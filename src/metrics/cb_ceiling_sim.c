#include "cb_ceiling_sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ceiling.h"
#include "cb_corr.h"
#include "cb_rng.h"

typedef enum { SIM_RDM, SIM_CKA } sim_kind;

typedef struct sim_spec {
  sim_kind kind;
  cb_rdm_distance d;
  cb_rdm_compare_kind k;
  cb_cka_estimator e;
} sim_spec;

/* Similarity of two (m, q) response matrices under the metric. */
static cb_status similarity(const sim_spec *s, const double *A, const double *B, int m, int q, double *work1,
                            double *work2, double *out) {
  if (s->kind == SIM_RDM) {
    CB_CHECK(cb_rdm_compute(A, m, q, s->d, work1));
    CB_CHECK(cb_rdm_compute(B, m, q, s->d, work2));
    return cb_rdm_compare(work1, work2, m, s->k, out);
  }
  CB_CHECK(cb_cka_gram(A, m, q, work1));
  CB_CHECK(cb_cka_gram(B, m, q, work2));
  return cb_cka_from_gram(work1, work2, m, s->e, out);
}

static cb_status split_half(const sim_spec *spec, const double *R, int n_stim, int n_rep, int q, int n_splits,
                            uint64_t seed, double *ceiling, double *error) {
  if (!R || !ceiling || !error) return CB_ERROR(CB_ERR_ARG, "ceiling: NULL argument");
  if (n_rep < 2)
    return CB_ERROR(CB_ERR_NUMERIC, "ceiling: split-half consistency needs at least 2 repetitions, got %d", n_rep);
  if (n_stim < 4 || q < 1 || n_splits < 1)
    return CB_ERROR(CB_ERR_ARG, "ceiling: needs >= 4 stimuli, >= 1 neuroid and >= 1 split (got %d, %d, %d)", n_stim,
                    q, n_splits);
  cb_status st = CB_OK;
  const size_t sq = (size_t)n_stim * q, nn = (size_t)n_stim * n_stim;
  size_t *rep = malloc(sizeof *rep * (size_t)n_rep);
  double *A = malloc(sizeof *A * sq), *B = malloc(sizeof *B * sq);   /* (n_stim, q) half means */
  double *Ak = malloc(sizeof *Ak * sq), *Bk = malloc(sizeof *Bk * sq); /* (m, q) complete stimuli */
  double *w1 = malloc(sizeof *w1 * nn), *w2 = malloc(sizeof *w2 * nn); /* (n_stim, n_stim) */
  double *vals = malloc(sizeof *vals * (size_t)n_splits);              /* (n_splits) */
  int *cnt = malloc(sizeof *cnt * (size_t)q);
  if (!rep || !A || !B || !Ak || !Bk || !w1 || !w2 || !vals || !cnt) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory in the split-half ceiling");
    goto done;
  }
  cb_rng rng;
  cb_rng_seed(&rng, seed);
  const int na = n_rep / 2;
  for (int s = 0; s < n_splits; ++s) {
    for (int i = 0; i < n_rep; ++i) rep[i] = (size_t)i;
    cb_rng_shuffle(&rng, rep, (size_t)n_rep);
    cb_ceiling_half_mean(R, n_stim, n_rep, q, rep, na, A, cnt);
    cb_ceiling_half_mean(R, n_stim, n_rep, q, rep + na, n_rep - na, B, cnt);
    int m = 0;
    for (int i = 0; i < n_stim; ++i) {
      int ok = 1;
      for (int j = 0; j < q && ok; ++j) ok = isfinite(A[(size_t)i * q + j]) && isfinite(B[(size_t)i * q + j]);
      if (!ok) continue;
      memcpy(Ak + (size_t)m * q, A + (size_t)i * q, sizeof *A * (size_t)q);
      memcpy(Bk + (size_t)m * q, B + (size_t)i * q, sizeof *B * (size_t)q);
      ++m;
    }
    if (m < 4) {
      st = CB_ERROR(CB_ERR_NUMERIC, "ceiling: only %d stimuli have responses in both halves of split %d", m, s);
      goto done;
    }
    double r = NAN;
    CB_CHECK_GOTO(similarity(spec, Ak, Bk, m, q, w1, w2, &r), st, done);
    vals[s] = cb_spearman_brown(r, 2.0);
  }
  double mean = 0.0, var = 0.0;
  for (int s = 0; s < n_splits; ++s) mean += vals[s];
  mean /= n_splits;
  for (int s = 0; s < n_splits; ++s) var += (vals[s] - mean) * (vals[s] - mean);
  *ceiling = mean;
  *error = sqrt(var / n_splits) / sqrt((double)n_splits);
done:
  free(rep);
  free(A);
  free(B);
  free(Ak);
  free(Bk);
  free(w1);
  free(w2);
  free(vals);
  free(cnt);
  return st;
}

cb_status cb_ceiling_split_half_rdm(const double *R, int n_stim, int n_rep, int q, int n_splits, uint64_t seed,
                                    cb_rdm_distance d, cb_rdm_compare_kind k, double *ceiling, double *error) {
  sim_spec s = {SIM_RDM, d, k, CB_CKA_BIASED};
  return split_half(&s, R, n_stim, n_rep, q, n_splits, seed, ceiling, error);
}

cb_status cb_ceiling_split_half_cka(const double *R, int n_stim, int n_rep, int q, int n_splits, uint64_t seed,
                                    cb_cka_estimator e, double *ceiling, double *error) {
  sim_spec s = {SIM_CKA, CB_RDM_CORRELATION, CB_RDM_CMP_SPEARMAN, e};
  return split_half(&s, R, n_stim, n_rep, q, n_splits, seed, ceiling, error);
}
