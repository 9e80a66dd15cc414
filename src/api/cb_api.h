/* cb_api.h - the C API of libcortexbench.so, for notebooks (python/cortexbench
 * calls it through ctypes) and other languages.
 *
 * Plain types only: pointers, sizes, strings. Every fallible function returns
 * an int status: 0 = success, else a cb_status code (cb_status.h: 1 argument,
 * 2 I/O, 3 format, 6 numeric, ...) with a one-line message naming the file
 * and the problem in cb_api_error() (per thread, valid until the next call).
 * Memory the library returns (JSON text) is freed with cb_api_free.
 *
 * The functions call the same code as the command line (`cortexbench score`
 * scores through cb_bench_score_matrix, RDMs through cb_rdm_compute_defined),
 * so their numbers equal the CLI's bit for bit. Nothing here starts MPI; each
 * call runs on the calling thread with one OpenBLAS thread, as the CLI does.
 * Arrays are C order (row-major); shapes are in the comments.
 */
#ifndef CB_API_H
#define CB_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this interface (incremented on any incompatible change): 1. */
int cb_api_abi_version(void);
/* cortexbench's version, e.g. "0.1.0". */
const char *cb_api_version(void);
/* The message of the last failed call on this thread ("" when none). */
const char *cb_api_error(void);
/* Frees memory returned by the library (NULL-safe). */
void cb_api_free(void *p);

/* ---- scoring --------------------------------------------------------------
 * Scores X (n, p) float32, whose rows are the stimuli stimulus_id (n), against
 * the assembly file `assembly` with the options of `cortexbench score`:
 * options is a NULL-terminated list of "name=value" strings with the CLI's long
 * option names and defaults (metric, region, time-bin, stratify, group, split,
 * splits, train-fraction, components, seed, ceiling, normalise, benchmark, stimuli,
 * alpha, alphas, alpha-per-target, distance, compare, cka, bootstrap,
 * ci-level); NULL = every default (metric pls). `source` names the data in
 * messages; model and layer are written into the score. *json = the score file
 * the CLI would write (docs/formats.md "Scores"), newline-terminated; free it
 * with cb_api_free. */
int cb_api_score(const float *X /* (n, p) */, int64_t n, int64_t p, const char *const *stimulus_id /* (n) */,
                 const char *source, const char *model, const char *layer, const char *assembly,
                 const char *const *options, char **json);

/* ---- RDMs -----------------------------------------------------------------
 * D (n, n) = the RDM of the rows of X (n, p): exactly one of X (float64) and Xf
 * (float32) is non-NULL. distance: "1-pearson" (or "correlation"), "euclidean",
 * "cosine". A constant (correlation) or zero (cosine) row is at distance 1 from
 * every other row, counted in *n_undefined (may be NULL), the convention of the
 * rdm metric. n >= 2, p >= 1. */
int cb_api_rdm(const double *X, const float *Xf, int n, int p, const char *distance, double *D /* (n, n) */,
               int *n_undefined);
/* *out = similarity of two RDMs A, B (n, n) over their upper triangles; compare:
 * "spearman", "kendall" (tau-a), "pearson", "cosine". NaN when a triangle is
 * constant (spearman, pearson) or zero (cosine). */
int cb_api_rdm_compare(const double *A, const double *B, int n, const char *compare, double *out);

/* ---- activations files (docs/formats.md "Activations") ------------------- */
typedef struct cb_api_acts cb_api_acts;
int cb_api_acts_open(const char *path, cb_api_acts **out);
void cb_api_acts_close(cb_api_acts *a); /* NULL-safe */
int64_t cb_api_acts_n(const cb_api_acts *a);                /* stimuli */
const char *cb_api_acts_stimulus_id(const cb_api_acts *a, int64_t i);
const char *cb_api_acts_model(const cb_api_acts *a);        /* "" when absent */
int cb_api_acts_n_layers(const cb_api_acts *a);
const char *cb_api_acts_layer(const cb_api_acts *a, int i); /* in file order */
int64_t cb_api_acts_features(const cb_api_acts *a, int i);
/* X (n, features of `layer`), allocated by the caller with `size` floats. */
int cb_api_acts_read(const cb_api_acts *a, const char *layer, float *X, int64_t size);

/* ---- assemblies: the stimulus-level responses scoring uses ---------------
 * Neuroids of `region` (NULL: all) averaged over the time bins in [t0, t1)
 * (NaN, NaN: all) and over repetitions, stimuli in order of first
 * appearance. */
typedef struct cb_api_neural cb_api_neural;
int cb_api_neural_open(const char *assembly, const char *region, double t0, double t1, cb_api_neural **out);
void cb_api_neural_close(cb_api_neural *nd); /* NULL-safe */
int cb_api_neural_n_stim(const cb_api_neural *nd);
int cb_api_neural_n_neuroid(const cb_api_neural *nd);
const char *cb_api_neural_stimulus_id(const cb_api_neural *nd, int i);
const char *cb_api_neural_neuroid_id(const cb_api_neural *nd, int j);
const double *cb_api_neural_mean(const cb_api_neural *nd); /* (n_stim, n_neuroid) */

#ifdef __cplusplus
}
#endif

#endif
