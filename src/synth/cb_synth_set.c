/* cb_synth_set.c - in-memory synthetic datasets: stimuli, responses, noise, reliability. */
#include "cb_synth_set.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_strbuf.h"

void cb_synth_set_destroy(cb_synth_set **sp) {
  if (sp == NULL || *sp == NULL) return;
  cb_synth_set *s = *sp;
  if (s->stimulus_id)
    for (int i = 0; i < s->n_stim; ++i) free(s->stimulus_id[i]);
  if (s->meta_str)
    for (size_t i = 0; i < (size_t)s->n_stim * (size_t)s->n_meta; ++i) free(s->meta_str[i]);
  free(s->stimulus_id);
  free(s->meta_str);
  free(s->meta_num);
  free(s->images);
  free(s->rates);
  free(s->counts);
  free(s->noise_sd);
  free(s);
  *sp = NULL;
}

cb_status cb_synth_set_create(const char *name, int n_stim, int h, int w, int c, double visual_degrees, int n_meta,
                              const char *const *meta_names, const int *is_string, cb_synth_set **out) {
  if (name == NULL || out == NULL || n_stim < 1 || h < 1 || w < 1 || (c != 1 && c != 3) || n_meta < 0 ||
      n_meta > CB_SYNTH_MAX_META || (n_meta > 0 && (meta_names == NULL || is_string == NULL)) ||
      !(visual_degrees > 0.0))
    return CB_ERROR(CB_ERR_ARG, "synth set: invalid arguments (%d images %dx%dx%d, %d metadata columns)", n_stim, h,
                    w, c, n_meta);
  cb_status st = CB_OK;
  cb_synth_set *s = calloc(1, sizeof *s);
  CB_ALLOC_GOTO(s, st, fail);
  snprintf(s->name, sizeof s->name, "%s", name);
  s->n_stim = n_stim;
  s->height = h;
  s->width = w;
  s->channels = c;
  s->visual_degrees = visual_degrees;
  s->n_meta = n_meta;
  for (int k = 0; k < n_meta; ++k) {
    snprintf(s->meta_names[k], sizeof s->meta_names[k], "%s", meta_names[k]);
    s->meta_is_string[k] = is_string[k] != 0;
  }
  size_t nm = (size_t)n_stim * (size_t)(n_meta > 0 ? n_meta : 1);
  CB_ALLOC_GOTO(s->images = calloc((size_t)n_stim * h * w * c, 1), st, fail);
  CB_ALLOC_GOTO(s->stimulus_id = calloc((size_t)n_stim, sizeof *s->stimulus_id), st, fail);
  CB_ALLOC_GOTO(s->meta_str = calloc(nm, sizeof *s->meta_str), st, fail);
  CB_ALLOC_GOTO(s->meta_num = malloc(nm * sizeof *s->meta_num), st, fail);
  for (size_t i = 0; i < nm; ++i) s->meta_num[i] = NAN;
  *out = s;
  return CB_OK;
fail:
  cb_synth_set_destroy(&s);
  return st;
}

cb_status cb_synth_set_id(cb_synth_set *s, int i, const char *id) {
  free(s->stimulus_id[i]);
  s->stimulus_id[i] = cb_strdup(id);
  if (s->stimulus_id[i] == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

cb_status cb_synth_set_meta_str(cb_synth_set *s, int i, int k, const char *v) {
  char **slot = &s->meta_str[(size_t)i * s->n_meta + k];
  free(*slot);
  *slot = cb_strdup(v);
  if (*slot == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

void cb_synth_set_meta_num(cb_synth_set *s, int i, int k, double v) { s->meta_num[(size_t)i * s->n_meta + k] = v; }

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

cb_status cb_synth_set_check_ids(const cb_synth_set *s) {
  for (int i = 0; i < s->n_stim; ++i)
    if (s->stimulus_id[i] == NULL) return CB_ERROR(CB_ERR_INTERNAL, "synth %s: stimulus %d has no id", s->name, i);
  char **sorted = malloc((size_t)s->n_stim * sizeof *sorted);
  if (sorted == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(sorted, s->stimulus_id, (size_t)s->n_stim * sizeof *sorted);
  qsort(sorted, (size_t)s->n_stim, sizeof *sorted, cmp_str);
  cb_status st = CB_OK;
  for (int i = 1; i < s->n_stim; ++i)
    if (strcmp(sorted[i - 1], sorted[i]) == 0) {
      st = CB_ERROR(CB_ERR_INTERNAL, "synth %s: stimulus id '%s' repeats", s->name, sorted[i]);
      break;
    }
  free(sorted);
  return st;
}

static cb_status prepare_responses(cb_synth_set *s, const char *region, const char *prefix, int n_neurons,
                                   int n_reps, const double *rates) {
  if (region == NULL || prefix == NULL || rates == NULL || n_neurons < 1 || n_reps < 1 ||
      (double)s->n_stim * n_reps * n_neurons > 2e9)
    return CB_ERROR(CB_ERR_ARG, "synth %s: invalid response shape (%d neurons, %d repetitions)", s->name, n_neurons,
                    n_reps);
  size_t nr = (size_t)s->n_stim * (size_t)n_neurons;
  double *r = malloc(nr * sizeof *r);
  double *c = malloc(nr * (size_t)n_reps * sizeof *c);
  if (r == NULL || c == NULL) {
    free(r);
    free(c);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  memcpy(r, rates, nr * sizeof *r);
  free(s->rates);
  free(s->counts);
  free(s->noise_sd);
  s->noise_sd = NULL;
  s->rates = r;
  s->counts = c;
  s->n_neurons = n_neurons;
  s->n_reps = n_reps;
  snprintf(s->region, sizeof s->region, "%s", region);
  snprintf(s->neuroid_prefix, sizeof s->neuroid_prefix, "%s", prefix);
  return CB_OK;
}

cb_status cb_synth_set_sample_poisson(cb_synth_set *s, const char *region, const char *prefix, int n_neurons,
                                      int n_reps, const double *rates, uint64_t seed, uint64_t stream_base) {
  for (size_t i = 0; rates != NULL && i < (size_t)s->n_stim * (size_t)(n_neurons > 0 ? n_neurons : 0); ++i)
    if (!(rates[i] >= 0.0) || !isfinite(rates[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "synth %s: rate %g of stimulus %zu neuron %zu is not a finite count >= 0",
                      s->name, rates[i], i / (size_t)n_neurons, i % (size_t)n_neurons);
  CB_CHECK(prepare_responses(s, region, prefix, n_neurons, n_reps, rates));
  s->noise = CB_SYNTH_NOISE_POISSON;
  for (int i = 0; i < s->n_stim; ++i)
    for (int r = 0; r < n_reps; ++r)
      for (int n = 0; n < n_neurons; ++n) {
        size_t idx = ((size_t)i * n_reps + r) * n_neurons + n;
        cb_rng g;
        cb_rng_seed_stream(&g, seed, stream_base | (uint64_t)idx);
        s->counts[idx] = (double)cb_rng_poisson(&g, s->rates[(size_t)i * n_neurons + n]);
      }
  return CB_OK;
}

cb_status cb_synth_set_sample_gaussian(cb_synth_set *s, const char *region, const char *prefix, int n_neurons,
                                       int n_reps, const double *rates, const double *sd, uint64_t seed,
                                       uint64_t stream_base) {
  if (sd == NULL) return CB_ERROR(CB_ERR_ARG, "synth %s: no noise sd", s->name);
  for (int n = 0; n < n_neurons; ++n)
    if (!(sd[n] >= 0.0) || !isfinite(sd[n]))
      return CB_ERROR(CB_ERR_NUMERIC, "synth %s: noise sd %g of neuron %d is not finite and >= 0", s->name, sd[n], n);
  CB_CHECK(prepare_responses(s, region, prefix, n_neurons, n_reps, rates));
  s->noise = CB_SYNTH_NOISE_GAUSSIAN;
  s->noise_sd = malloc((size_t)n_neurons * sizeof *s->noise_sd);
  if (s->noise_sd == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(s->noise_sd, sd, (size_t)n_neurons * sizeof *sd);
  for (int i = 0; i < s->n_stim; ++i)
    for (int r = 0; r < n_reps; ++r)
      for (int n = 0; n < n_neurons; ++n) {
        size_t idx = ((size_t)i * n_reps + r) * n_neurons + n;
        cb_rng g;
        cb_rng_seed_stream(&g, seed, stream_base | (uint64_t)idx);
        s->counts[idx] = s->rates[(size_t)i * n_neurons + n] + sd[n] * cb_rng_normal(&g);
      }
  return CB_OK;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double cb_synth_set_reliability(const cb_synth_set *s, double *out) {
  if (s->rates == NULL || s->n_reps < 2 || s->n_stim < 2) return NAN;
  double *rel = malloc((size_t)s->n_neurons * sizeof *rel);
  if (rel == NULL) return NAN;
  const int n = s->n_stim, q = s->n_neurons, ha = s->n_reps / 2, hb = s->n_reps - ha;
  for (int j = 0; j < q; ++j) {
    double mean = 0.0, vs = 0.0, vn = 0.0;
    for (int i = 0; i < n; ++i) mean += s->rates[(size_t)i * q + j];
    mean /= n;
    for (int i = 0; i < n; ++i) {
      double r = s->rates[(size_t)i * q + j], d = r - mean;
      vs += d * d;
      vn += s->noise == CB_SYNTH_NOISE_POISSON ? r : s->noise == CB_SYNTH_NOISE_GAUSSIAN ? s->noise_sd[j] * s->noise_sd[j] : 0.0;
    }
    vs /= n - 1;
    vn /= n;
    double rho = vs > 0.0 ? vs / sqrt((vs + vn / ha) * (vs + vn / hb)) : NAN;
    rel[j] = 2.0 * rho / (1.0 + rho);
    if (out) out[j] = rel[j];
  }
  /* Median over neurons, NaN skipped (as the ceiling does). */
  int m = 0;
  for (int j = 0; j < q; ++j)
    if (!isnan(rel[j])) rel[m++] = rel[j];
  double med = NAN;
  if (m > 0) {
    qsort(rel, (size_t)m, sizeof *rel, cmp_dbl);
    med = m % 2 ? rel[m / 2] : 0.5 * (rel[m / 2 - 1] + rel[m / 2]);
  }
  free(rel);
  return med;
}
