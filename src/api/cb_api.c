/* libcortexbench's C API: version, errors, scoring and RDMs (cb_api.h). */
#include "cb_api.h"

#include <cblas.h>
#include <stdlib.h>

#include "cb_api_params.h"
#include "cb_benchmark.h"
#include "cb_rdm.h"
#include "cb_score.h"
#include "cb_status.h"
#include "cb_version.h"

int cb_api_abi_version(void) { return 1; }

const char *cb_api_version(void) { return CB_VERSION; }

const char *cb_api_error(void) { return cb_error_message(); }

void cb_api_free(void *p) { free(p); }

/* The score of X against the loaded benchmark as JSON text. */
static cb_status score_json(const cb_bench *b, const float *X, int64_t n, int64_t p, const char *const *ids,
                            const char *source, const char *model, const char *layer, char **json) {
  cb_score s;
  cb_status st = cb_bench_score_matrix(b, source, model, layer, (char *const *)ids, n, X, p, &s);
  if (st == CB_OK) {
    st = cb_score_to_json(source, &s, json);
    cb_score_free(&s);
  }
  return st;
}

int cb_api_score(const float *X, int64_t n, int64_t p, const char *const *stimulus_id, const char *source,
                 const char *model, const char *layer, const char *assembly, const char *const *options,
                 char **json) {
  cb_error_clear();
  if (!json) return CB_ERROR(CB_ERR_ARG, "cb_api_score: no place for the result");
  *json = NULL;
  if (!source) source = "array";
  if (!X || !stimulus_id || !layer || !assembly || n < 1 || p < 0)
    return CB_ERROR(CB_ERR_ARG, "%s: expected activations (n >= 1, p), their stimulus ids, a layer name and an "
                    "assembly", source);
  for (int64_t i = 0; i < n; ++i)
    if (!stimulus_id[i]) return CB_ERROR(CB_ERR_ARG, "%s: stimulus id %lld is missing", source, (long long)i);
  cb_api_params ap;
  CB_CHECK(cb_api_params_parse(options, &ap));
  /* One OpenBLAS thread as in `cortexbench score` (the same bits); the caller's setting is restored. */
  const int threads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  cb_bench *b = NULL;
  cb_status st = cb_bench_load(assembly, &ap.bp, &b);
  if (st == CB_OK) st = score_json(b, X, n, p, stimulus_id, source, model ? model : "", layer, json);
  openblas_set_num_threads(threads);
  cb_bench_destroy(&b);
  cb_api_params_free(&ap);
  return st;
}

int cb_api_rdm(const double *X, const float *Xf, int n, int p, const char *distance, double *D, int *n_undefined) {
  cb_error_clear();
  if ((X == NULL) == (Xf == NULL) || !D) return CB_ERROR(CB_ERR_ARG, "cb_api_rdm: expected one data matrix and D");
  if (n < 2 || p < 1)
    return CB_ERROR(CB_ERR_ARG, "rdm: needs at least 2 patterns of at least 1 feature, got (%d, %d)", n, p);
  cb_rdm_distance d;
  CB_CHECK(cb_rdm_distance_parse(distance ? distance : "1-pearson", &d));
  int bad = 0;
  CB_CHECK(cb_rdm_compute_defined(X, Xf, n, p, d, D, &bad));
  if (n_undefined) *n_undefined = bad;
  return CB_OK;
}

int cb_api_rdm_compare(const double *A, const double *B, int n, const char *compare, double *out) {
  cb_error_clear();
  if (!A || !B || !out) return CB_ERROR(CB_ERR_ARG, "cb_api_rdm_compare: expected two RDMs and a result");
  if (n < 3) return CB_ERROR(CB_ERR_ARG, "rdm compare: needs RDMs of at least 3 stimuli, got %d", n);
  cb_rdm_compare_kind k;
  CB_CHECK(cb_rdm_compare_parse(compare ? compare : "spearman", &k));
  return cb_rdm_compare(A, B, n, k, out);
}
