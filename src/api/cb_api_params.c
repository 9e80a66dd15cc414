/* "name=value" options of cb_api_score, checked as `cortexbench score` checks its command line. */
#include "cb_api_params.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_config.h"
#include "cb_strbuf.h"

static cb_status parse_double(const char *name, const char *v, double *out) {
  char *end = NULL;
  errno = 0;
  double d = strtod(v, &end);
  if (!v[0] || *end || errno || !isfinite(d))
    return CB_ERROR(CB_ERR_ARG, "option %s: expected a number, got '%s'", name, v);
  *out = d;
  return CB_OK;
}

static cb_status parse_int(const char *name, const char *v, long lo, long hi, int *out) {
  char *end = NULL;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (!v[0] || *end || errno || x < lo || x > hi)
    return CB_ERROR(CB_ERR_ARG, "option %s: expected an integer in [%ld, %ld], got '%s'", name, lo, hi, v);
  *out = (int)x;
  return CB_OK;
}

static cb_status parse_seed(const char *v, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (!v[0] || v[0] == '-' || *end || errno)
    return CB_ERROR(CB_ERR_ARG, "option seed: expected a non-negative integer, got '%s'", v);
  *out = x;
  return CB_OK;
}

static cb_status one_of(const char *name, const char *v, const char *const *allowed) {
  for (int i = 0; allowed[i]; ++i)
    if (!strcmp(v, allowed[i])) return CB_OK;
  return CB_ERROR(CB_ERR_ARG, "option %s: unexpected value '%s'", name, v);
}

static cb_status parse_alphas(const char *v, cb_api_params *o) {
  char **items = NULL;
  int n = 0;
  CB_CHECK(cb_strlist_split(v, ',', &items, &n));
  free(o->alphas);
  o->alphas = calloc((size_t)(n > 0 ? n : 1), sizeof *o->alphas);
  cb_status st = o->alphas && n > 0 ? CB_OK : CB_ERROR(CB_ERR_ARG, "option alphas: expected a comma-separated list");
  for (int i = 0; st == CB_OK && i < n; ++i) {
    st = parse_double("alphas", items[i], &o->alphas[i]);
    if (st == CB_OK && !(o->alphas[i] > 0)) st = CB_ERROR(CB_ERR_ARG, "option alphas: values must be positive");
  }
  cb_strlist_free(&items);
  o->bp.alphas = o->alphas;
  o->bp.n_alphas = n;
  return st;
}

/* Options whose value is a name checked by a parser of the library. */
static cb_status set_named(cb_bench_params *bp, const char *name, const char *v, int *done) {
  static const char *const splits[] = {"stratified", "shuffle", "kfold", "all", NULL};
  static const char *const ceilings[] = {"internal", "metric-split-half", "voxel", "none", NULL};
  static const char *const norms[] = {"r2/c", "(r/c)^2", "r/c", NULL};
  cb_metric_kind mk;
  cb_rdm_distance d;
  cb_rdm_compare_kind ck;
  cb_cka_estimator ce;
  *done = 1;
  if (!strcmp(name, "metric")) {
    if (cb_metric_parse(v, &mk) != CB_OK) return cb_error_prefix("option metric");
    bp->metric = v;
  } else if (!strcmp(name, "distance")) {
    if (cb_rdm_distance_parse(v, &d) != CB_OK) return cb_error_prefix("option distance");
    bp->distance = v;
  } else if (!strcmp(name, "compare")) {
    if (cb_rdm_compare_parse(v, &ck) != CB_OK) return cb_error_prefix("option compare");
    bp->compare = v;
  } else if (!strcmp(name, "cka")) {
    if (cb_cka_estimator_parse(v, &ce) != CB_OK) return cb_error_prefix("option cka");
    bp->cka = v;
  } else if (!strcmp(name, "split")) {
    CB_CHECK(one_of(name, v, splits));
    bp->split = v;
  } else if (!strcmp(name, "ceiling")) {
    CB_CHECK(one_of(name, v, ceilings));
    bp->ceiling = v;
  } else if (!strcmp(name, "normalise")) {
    CB_CHECK(one_of(name, v, norms));
    bp->normalise = v;
  } else if (!strcmp(name, "region")) bp->region = v;
  else if (!strcmp(name, "stratify")) bp->stratify = v;
  else if (!strcmp(name, "benchmark")) bp->id = v;
  else if (!strcmp(name, "stimuli")) bp->stimuli = v;
  else if (!strcmp(name, "group")) {
    if (!v[0]) return CB_ERROR(CB_ERR_ARG, "option group: expected a coordinate name");
    bp->group = v;
  } else *done = 0;
  return CB_OK;
}

/* Options whose value is a number (or a flag). */
static cb_status set_number(cb_api_params *o, const char *name, const char *v) {
  cb_bench_params *bp = &o->bp;
  if (!strcmp(name, "splits")) return parse_int(name, v, 1, 1000, &bp->splits);
  if (!strcmp(name, "components")) return parse_int(name, v, 1, 10000, &bp->components);
  if (!strcmp(name, "bootstrap")) return parse_int(name, v, 0, 100000, &bp->bootstrap);
  if (!strcmp(name, "seed")) return parse_seed(v, &bp->seed);
  if (!strcmp(name, "alphas")) return parse_alphas(v, o);
  if (!strcmp(name, "time-bin"))
    return cb_parse_time_bin(v, &bp->t0, &bp->t1) == CB_OK ? CB_OK : cb_error_prefix("option time-bin");
  if (!strcmp(name, "alpha-per-target")) {
    if (strcmp(v, "0") && strcmp(v, "1"))
      return CB_ERROR(CB_ERR_ARG, "option alpha-per-target: expected 0 or 1, got '%s'", v);
    bp->alpha_per_target = v[0] == '1';
    return CB_OK;
  }
  double *dst = !strcmp(name, "alpha") ? &bp->alpha : !strcmp(name, "train-fraction") ? &bp->train_fraction
              : !strcmp(name, "ci-level") ? &bp->ci_level : NULL;
  if (!dst)
    return CB_ERROR(CB_ERR_ARG, "unknown option '%s' (the long options of `cortexbench score`: metric, region, "
                    "time-bin, stratify, group, split, splits, train-fraction, components, seed, ceiling, normalise, "
                    "benchmark, alpha, alphas, alpha-per-target, distance, compare, cka, bootstrap, ci-level)", name);
  CB_CHECK(parse_double(name, v, dst));
  if (dst == &bp->alpha && bp->alpha < 0) return CB_ERROR(CB_ERR_ARG, "option alpha: expected a non-negative number");
  if (dst != &bp->alpha && !(*dst > 0 && *dst < 1))
    return CB_ERROR(CB_ERR_ARG, "option %s: expected a number in (0, 1)", name);
  return CB_OK;
}

static cb_status set_option(cb_api_params *o, const char *opt) {
  const char *eq = strchr(opt, '=');
  if (!eq || eq == opt) return CB_ERROR(CB_ERR_ARG, "option '%s': expected name=value", opt);
  char *name = cb_strdup(opt), *value = cb_strdup(eq + 1);
  if (name) name[eq - opt] = '\0';
  char **grown = realloc(o->own, sizeof *o->own * (size_t)(o->n_own + 2));
  if (grown) o->own = grown;
  if (!name || !value || !grown) {
    free(name);
    free(value);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  o->own[o->n_own++] = name;
  o->own[o->n_own++] = value;
  int done = 0;
  CB_CHECK(set_named(&o->bp, name, value, &done));
  return done ? CB_OK : set_number(o, name, value);
}

cb_status cb_api_params_parse(const char *const *options, cb_api_params *out) {
  memset(out, 0, sizeof *out);
  cb_bench_params_defaults(&out->bp);
  out->bp.id = NULL; /* as `cortexbench score`: the assembly's identifier, else its file name */
  for (int i = 0; options && options[i]; ++i) {
    cb_status st = set_option(out, options[i]);
    if (st != CB_OK) {
      cb_api_params_free(out);
      return st;
    }
  }
  cb_status st = cb_bench_params_resolve(&out->bp);
  if (st != CB_OK) cb_api_params_free(out);
  return st;
}

void cb_api_params_free(cb_api_params *p) {
  if (!p) return;
  for (int i = 0; i < p->n_own; ++i) free(p->own[i]);
  free(p->own);
  free(p->alphas);
  memset(p, 0, sizeof *p);
}
