#include "cb_config.h"

#include "cb_activations.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_ini.h"
#include "cb_sha.h"
#include "cb_strbuf.h"

#define SEED_UNSET UINT64_MAX
/* The parenthesis of a syntax error's message (cb_ini_opts). */
#define SYNTAX_HINT "expected [section] or key = value"

static const char *const SPLITS[] = {"stratified", "shuffle", "kfold", "all", NULL};
static const char *const DISTANCES[] = {"1-pearson", "euclidean", "cosine", NULL};
static const char *const COMPARES[] = {"spearman", "kendall", "pearson", "cosine", NULL};

static int one_of(const char *v, const char *const *list) {
  for (; *list; ++list)
    if (!strcmp(v, *list)) return 1;
  return 0;
}

typedef enum { SEC_NONE, SEC_SUITE, SEC_DATASET, SEC_MODEL, SEC_BENCHMARK } sec_kind;

typedef struct parse_state {
  cb_config *cfg;
  char dir[CB_PATH_MAX];
  char cur_section[256];
  sec_kind kind;
  int index;
  int suite_seen;
  int continued;          /* 1: this entry continues the previous key (an indented line) */
} parse_state;

int cb_config_name_ok(const char *name) {
  if (!name || !*name || !strcmp(name, ".") || !strcmp(name, "..")) return 0;
  for (const char *p = name; *p; ++p)
    if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')) return 0;
  return 1;
}

static int parse_u64(const char *v, uint64_t *out) {
  if (!isdigit((unsigned char)*v)) return 0; /* strtoull accepts " -1" and wraps it */
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end || x == SEED_UNSET) return 0;
  *out = (uint64_t)x;
  return 1;
}

cb_status cb_parse_time_bin(const char *s, double *t0, double *t1) {
  const char *colon = strchr(s, ':');
  if (!colon) return CB_ERROR(CB_ERR_ARG, "time bin '%s': expected START:END in ms", s);
  char a[64], b[64];
  size_t la = (size_t)(colon - s);
  if (la == 0 || la >= sizeof a || strlen(colon + 1) >= sizeof b)
    return CB_ERROR(CB_ERR_ARG, "time bin '%s': expected START:END in ms", s);
  memcpy(a, s, la);
  a[la] = '\0';
  snprintf(b, sizeof b, "%s", colon + 1);
  if (!cb_ini_double(a, t0) || !cb_ini_double(b, t1) || !(*t1 > *t0))
    return CB_ERROR(CB_ERR_ARG, "time bin '%s': expected START:END with START < END", s);
  return CB_OK;
}

static cb_status set_str(char **dst, const char *v) {
  free(*dst);
  *dst = cb_strdup(v);
  return *dst ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
}

/* Expands ${NAME} from the environment; ${CORTEXBENCH_HOME} defaults to
 * $HOME/.cache/cortexbench like the fetch cache. */
static cb_status expand_vars(parse_state *ps, const char *key, const char *v, char *out, size_t n) {
  size_t k = 0;
  for (const char *p = v; *p;) {
    if (p[0] == '$' && p[1] == '{') {
      const char *end = strchr(p, '}');
      if (!end) return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s': unterminated ${ in '%s'", ps->cfg->path,
                                         ps->cur_section, key, v);
      char name[128], fallback[CB_PATH_MAX];
      snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
      const char *val = getenv(name);
      if ((!val || !*val) && !strcmp(name, "CORTEXBENCH_HOME") && getenv("HOME")) {
        snprintf(fallback, sizeof fallback, "%s/.cache/cortexbench", getenv("HOME"));
        val = fallback;
      }
      if (!val || !*val)
        return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s': environment variable %s is not set",
                                 ps->cfg->path, ps->cur_section, key, name);
      size_t l = strlen(val);
      if (k + l + 1 > n) return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s': path too long", ps->cfg->path,
                                                  ps->cur_section, key);
      memcpy(out + k, val, l);
      k += l;
      p = end + 1;
    } else {
      if (k + 2 > n) return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s': path too long", ps->cfg->path,
                                              ps->cur_section, key);
      out[k++] = *p++;
    }
  }
  out[k] = '\0';
  return CB_OK;
}

static cb_status set_path(parse_state *ps, char **dst, const char *key, const char *v) {
  char exp[CB_PATH_MAX], buf[CB_PATH_MAX];
  CB_CHECK(expand_vars(ps, key, v, exp, sizeof exp));
  CB_CHECK(cb_path_join(buf, sizeof buf, ps->dir, exp));
  return set_str(dst, buf);
}

#define BAD_VALUE(ps, key, what, v)                                                                \
  CB_ERROR(CB_ERR_CONFIG, "%s: [%s] key '%s': expected %s, got '%s'", ps->cfg->path,      \
                    ps->cur_section, key, what, v)

static cb_status on_suite(parse_state *ps, const char *k, const char *v) {
  cb_config *c = ps->cfg;
  if (!strcmp(k, "name")) {
    if (!cb_config_name_ok(v)) return BAD_VALUE(ps, k, "a name of letters, digits, '-', '_', '.' (not . or ..)", v);
    return set_str(&c->suite, v);
  }
  if (!strcmp(k, "seed")) return parse_u64(v, &c->seed) ? CB_OK : BAD_VALUE(ps, k, "a non-negative integer", v);
  if (!strcmp(k, "batch")) return cb_ini_int(v, 1, 4096, &c->batch) ? CB_OK : BAD_VALUE(ps, k, "an integer in [1, 4096]", v);
  if (!strcmp(k, "compression"))
    return cb_ini_int(v, 0, 9, &c->compression) ? CB_OK : BAD_VALUE(ps, k, "a deflate level 0-9 (0: none)", v);
  if (!strcmp(k, "selection_pca"))
    return cb_ini_int(v, 0, 1000000, &c->selection_pca) ? CB_OK
                                                       : BAD_VALUE(ps, k, "a number of components 0-1000000 (0: off)", v);
  if (!strcmp(k, "selection_pca_dataset")) return set_str(&c->selection_pca_dataset, v);
  if (!strcmp(k, "average")) {
    if (!strcmp(v, "all-regions")) c->average_scored = 0;
    else if (!strcmp(v, "scored-regions")) c->average_scored = 1;
    else return BAD_VALUE(ps, k, "all-regions or scored-regions", v);
    return CB_OK;
  }
  if (!strcmp(k, "layer_commitment")) {
    if (!strcmp(v, "per-region")) c->per_benchmark_layers = 0;
    else if (!strcmp(v, "per-benchmark")) c->per_benchmark_layers = 1;
    else return BAD_VALUE(ps, k, "per-region or per-benchmark", v);
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] unknown key '%s'", c->path, ps->cur_section, k);
}

static cb_status on_dataset(parse_state *ps, cb_cfg_dataset *d, const char *k, const char *v) {
  if (!strcmp(k, "generator")) return set_str(&d->generator, v);
  if (!strcmp(k, "stimuli")) return set_path(ps, &d->stimuli, k, v);
  if (!strcmp(k, "assembly")) return set_path(ps, &d->assembly, k, v);
  if (!strcmp(k, "rdm")) return set_path(ps, &d->rdm, k, v);
  if (!strcmp(k, "seed")) return parse_u64(v, &d->seed) ? CB_OK : BAD_VALUE(ps, k, "a non-negative integer", v);
  if (!strcmp(k, "stimulus_degrees"))
    return cb_ini_double(v, &d->stimulus_degrees) && d->stimulus_degrees > 0 ? CB_OK
                                                                            : BAD_VALUE(ps, k, "a positive number", v);
  if (!strcmp(k, "modality")) return cb_modality_parse(v, &d->modality) ? CB_OK : BAD_VALUE(ps, k, "visual or audio", v);
  return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] unknown key '%s'", ps->cfg->path, ps->cur_section, k);
}

/* "a, b, c": three numbers, each > lo (exclusive) when strict, else >= lo. */
static int parse_triple(const char *v, float out[3], int positive) {
  double x[3];
  char tail = 0;
  if (sscanf(v, "%lf ,%lf ,%lf %c", &x[0], &x[1], &x[2], &tail) != 3) return 0;
  for (int i = 0; i < 3; ++i) {
    if (!isfinite(x[i]) || (positive && !(x[i] > 0))) return 0;
    out[i] = (float)x[i];
  }
  return 1;
}

/* Appends the comma-separated items of v to the list (n): a list may
 * continue on indented lines (libinih hands each line over as the same key). */
static cb_status list_append(const char *v, char ***list, int *n) {
  char **items = NULL, buf[1024];
  int k = 0;
  /* libinih strips inline comments on first lines only: cut " ;" / " #" here too. */
  snprintf(buf, sizeof buf, "%s", v);
  for (char *p = buf; *p; ++p)
    if ((*p == ';' || *p == '#') && p > buf && isspace((unsigned char)p[-1])) {
      *p = '\0';
      break;
    }
  CB_CHECK(cb_strlist_split(buf, ',', &items, &k));
  char **grown = realloc(*list, sizeof *grown * (size_t)(*n + k + 1));
  if (!grown) {
    cb_strlist_free(&items);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
  }
  for (int i = 0; i < k; ++i) grown[*n + i] = items[i];
  grown[*n + k] = NULL;
  free(items); /* the strings moved into the list */
  *list = grown;
  *n += k;
  return CB_OK;
}

static cb_status on_model(parse_state *ps, cb_cfg_model *m, const char *k, const char *v) {
  if (!strcmp(k, "zoo")) return set_str(&m->zoo, v);
  if (!strcmp(k, "onnx")) return set_path(ps, &m->onnx, k, v);
  if (!strcmp(k, "rdm")) return set_path(ps, &m->rdm, k, v);
  if (!strcmp(k, "rdm_entry")) return set_str(&m->rdm_entry, v);
  if (!strcmp(k, "reinit")) {
    if (strcmp(v, "pytorch") && strcmp(v, "kaiming-normal-fan-out"))
      return BAD_VALUE(ps, k, "pytorch or kaiming-normal-fan-out (cb_model_reinit)", v);
    return set_str(&m->reinit, v);
  }
  if (!strcmp(k, "mean")) {
    m->has_mean = parse_triple(v, m->mean, 0);
    return m->has_mean ? CB_OK : BAD_VALUE(ps, k, "three numbers R, G, B", v);
  }
  if (!strcmp(k, "std")) {
    m->has_std = parse_triple(v, m->std, 1);
    return m->has_std ? CB_OK : BAD_VALUE(ps, k, "three positive numbers R, G, B", v);
  }
  if (!strcmp(k, "visual_degrees"))
    return cb_ini_double(v, &m->visual_degrees) && m->visual_degrees > 0 ? CB_OK
                                                                        : BAD_VALUE(ps, k, "a positive number", v);
  if (!strcmp(k, "seed")) return parse_u64(v, &m->seed) ? CB_OK : BAD_VALUE(ps, k, "a non-negative integer", v);
  if (!strcmp(k, "task_accuracy"))
    return cb_ini_double(v, &m->task_accuracy) && m->task_accuracy >= 0 && m->task_accuracy <= 1
               ? CB_OK
               : BAD_VALUE(ps, k, "a number in [0, 1]", v);
  if (!strcmp(k, "modality")) return cb_modality_parse(v, &m->modality) ? CB_OK : BAD_VALUE(ps, k, "visual or audio", v);
  if (!strcmp(k, "front_end")) {
    if (!cb_config_name_ok(v) || strlen(v) >= 32) return BAD_VALUE(ps, k, "the name of an input front end", v);
    return set_str(&m->front_end, v);
  }
  if (!strcmp(k, "region_layers")) {
    if (!ps->continued) {
      cb_strlist_free(&m->region_layers);
      m->n_region_layers = 0;
    }
    CB_CHECK(list_append(v, &m->region_layers, &m->n_region_layers));
    for (int i = 0; i < m->n_region_layers; ++i) {
      const char *colon = strchr(m->region_layers[i], ':');
      if (!colon || colon == m->region_layers[i] || !colon[1])
        return BAD_VALUE(ps, k, "a comma-separated list of REGION:LAYER", v);
    }
    return CB_OK;
  }
  if (!strcmp(k, "input_size")) {
    int h = 0, w = 0;
    char tail = 0;
    int got = sscanf(v, "%dx%d%c", &h, &w, &tail);
    if (got == 1) w = h;
    if ((got != 1 && got != 2) || h < 8 || w < 8 || h > 4096 || w > 4096)
      return BAD_VALUE(ps, k, "N or HxW pixels (8..4096)", v);
    m->in_h = h;
    m->in_w = w;
    return CB_OK;
  }
  if (!strcmp(k, "datasets")) {
    if (!ps->continued) {
      cb_strlist_free(&m->datasets);
      m->n_datasets = 0;
    }
    CB_CHECK(list_append(v, &m->datasets, &m->n_datasets));
    if (m->n_datasets == 0) return BAD_VALUE(ps, k, "a comma-separated list of dataset ids", v);
    return CB_OK;
  }
  if (!strcmp(k, "layers")) {
    if (!ps->continued) {
      cb_strlist_free(&m->layers);
      m->n_layers = 0;
    }
    if (!strcmp(v, "all") && !ps->continued) return CB_OK;
    CB_CHECK(list_append(v, &m->layers, &m->n_layers));
    if (m->n_layers == 0) return BAD_VALUE(ps, k, "a comma-separated list of layer names or 'all'", v);
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] unknown key '%s'", ps->cfg->path, ps->cur_section, k);
}

/* alphas = logspace(A, B, N) (10^x for N values of x evenly spaced from A to B inclusive, numpy.logspace) or a
 * comma-separated list of positive numbers. */
static cb_status on_benchmark_alphas(parse_state *ps, cb_cfg_benchmark *b, const char *k, const char *v) {
  if (!strncmp(v, "logspace(", 9)) {
    double a, bb;
    int nn = 0;
    char tail = 0;
    if (sscanf(v, "logspace(%lf ,%lf ,%d )%c", &a, &bb, &nn, &tail) != 3 || nn < 1 || nn > 10000)
      return BAD_VALUE(ps, k, "logspace(A, B, N) or a comma-separated list of positive numbers", v);
    free(b->alphas);
    b->alphas = calloc((size_t)nn, sizeof *b->alphas);
    if (!b->alphas) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
    for (int i = 0; i < nn; ++i) b->alphas[i] = pow(10.0, nn == 1 ? a : a + (bb - a) * i / (nn - 1));
    b->n_alphas = nn;
    return CB_OK;
  }
  char **items = NULL;
  int n = 0;
  CB_CHECK(cb_strlist_split(v, ',', &items, &n));
  free(b->alphas);
  b->alphas = calloc((size_t)(n > 0 ? n : 1), sizeof *b->alphas);
  if (!b->alphas) {
    cb_strlist_free(&items);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
  }
  int ok = n > 0;
  for (int i = 0; ok && i < n; ++i) ok = cb_ini_double(items[i], &b->alphas[i]) && b->alphas[i] > 0;
  cb_strlist_free(&items);
  b->n_alphas = n;
  return ok ? CB_OK : BAD_VALUE(ps, k, "a comma-separated list of positive numbers", v);
}

/* The [benchmark] keys whose value is a name or one of a few words; 0 when k is none of them (*st untouched). */
static int on_benchmark_text(parse_state *ps, cb_cfg_benchmark *b, const char *k, const char *v, cb_status *st) {
  if (!strcmp(k, "dataset")) *st = set_str(&b->dataset, v);
  else if (!strcmp(k, "region")) *st = set_str(&b->region, v);
  /* Kept as written: io does not know the metrics; cb_bench_config_check checks the name through the metric
   * table (src/metrics/cb_metric_table.c) right after the read. */
  else if (!strcmp(k, "metric")) *st = set_str(&b->metric, v);
  else if (!strcmp(k, "split"))
    *st = one_of(v, SPLITS) ? set_str(&b->split, v) : BAD_VALUE(ps, k, "stratified, shuffle, kfold or all (rdm, cka)", v);
  else if (!strcmp(k, "distance"))
    *st = one_of(v, DISTANCES) ? set_str(&b->distance, v) : BAD_VALUE(ps, k, "1-pearson, euclidean or cosine", v);
  else if (!strcmp(k, "compare"))
    *st = one_of(v, COMPARES) ? set_str(&b->compare, v) : BAD_VALUE(ps, k, "spearman, kendall, pearson or cosine", v);
  else if (!strcmp(k, "cka"))
    *st = strcmp(v, "biased") && strcmp(v, "unbiased") ? BAD_VALUE(ps, k, "biased or unbiased", v)
                                                         : set_str(&b->cka, v);
  else if (!strcmp(k, "subjects"))
    *st = strcmp(v, "average") && strcmp(v, "mean-rdm") ? BAD_VALUE(ps, k, "average or mean-rdm", v)
                                                          : set_str(&b->subjects, v);
  else if (!strcmp(k, "stratify")) *st = set_str(&b->stratify, v);
  else if (!strcmp(k, "group")) *st = v[0] ? set_str(&b->group, v) : BAD_VALUE(ps, k, "a coordinate name", v);
  else if (!strcmp(k, "ceiling"))
    *st = strcmp(v, "internal") && strcmp(v, "metric-split-half") && strcmp(v, "voxel") && strcmp(v, "none")
              ? BAD_VALUE(ps, k, "internal, metric-split-half, voxel or none", v)
              : set_str(&b->ceiling, v);
  else if (!strcmp(k, "normalise"))
    *st = strcmp(v, "r2/c") && strcmp(v, "(r/c)^2") && strcmp(v, "r/c") ? BAD_VALUE(ps, k, "r2/c, (r/c)^2 or r/c", v)
                                                                        : set_str(&b->normalise, v);
  else return 0;
  return 1;
}

static cb_status on_benchmark(parse_state *ps, cb_cfg_benchmark *b, const char *k, const char *v) {
  cb_status st = CB_OK;
  if (on_benchmark_text(ps, b, k, v, &st)) return st;
  if (!strcmp(k, "alpha"))
    return cb_ini_double(v, &b->alpha) && b->alpha >= 0 ? CB_OK : BAD_VALUE(ps, k, "a non-negative number", v);
  if (!strcmp(k, "alphas")) return on_benchmark_alphas(ps, b, k, v);
  if (!strcmp(k, "alpha_per_target")) return cb_ini_bool(v, &b->alpha_per_target) ? CB_OK : BAD_VALUE(ps, k, "true or false", v);
  if (!strcmp(k, "selection")) return cb_ini_bool(v, &b->selection) ? CB_OK : BAD_VALUE(ps, k, "true or false", v);
  if (!strcmp(k, "bootstrap"))
    return cb_ini_int(v, 0, 100000, &b->bootstrap) ? CB_OK : BAD_VALUE(ps, k, "an integer in [0, 100000]", v);
  if (!strcmp(k, "ci_level"))
    return cb_ini_double(v, &b->ci_level) && b->ci_level > 0 && b->ci_level < 1 ? CB_OK
                                                                               : BAD_VALUE(ps, k, "a number in (0, 1)", v);
  if (!strcmp(k, "time_bin")) {
    if (cb_parse_time_bin(v, &b->t0, &b->t1) != CB_OK) return BAD_VALUE(ps, k, "START:END in ms", v);
    return CB_OK;
  }
  if (!strcmp(k, "splits")) return cb_ini_int(v, 1, 1000, &b->splits) ? CB_OK : BAD_VALUE(ps, k, "an integer in [1, 1000]", v);
  if (!strcmp(k, "components"))
    return cb_ini_int(v, 1, 10000, &b->components) ? CB_OK : BAD_VALUE(ps, k, "an integer in [1, 10000]", v);
  if (!strcmp(k, "train_fraction"))
    return cb_ini_double(v, &b->train_fraction) && b->train_fraction > 0 && b->train_fraction < 1
               ? CB_OK
               : BAD_VALUE(ps, k, "a number in (0, 1)", v);
  if (!strcmp(k, "seed")) return parse_u64(v, &b->seed) ? CB_OK : BAD_VALUE(ps, k, "a non-negative integer", v);
  return CB_ERROR(CB_ERR_CONFIG, "%s: [%s] unknown key '%s'", ps->cfg->path, ps->cur_section, k);
}

/* Grows an array of structs by one zeroed element. */
static void *grow(void *arr, int n, size_t elem) {
  unsigned char *p = realloc(arr, (size_t)(n + 1) * elem);
  if (p) memset(p + (size_t)n * elem, 0, elem);
  return p;
}

static cb_status begin_section(parse_state *ps, const char *section) {
  cb_config *c = ps->cfg;
  snprintf(ps->cur_section, sizeof ps->cur_section, "%s", section);
  if (!strcmp(section, "suite")) {
    if (ps->suite_seen) return CB_ERROR(CB_ERR_CONFIG, "%s: section [suite] appears twice", c->path);
    ps->suite_seen = 1;
    ps->kind = SEC_SUITE;
    return CB_OK;
  }
  char kind[32];
  const char *after = cb_ini_section_split(section, kind, sizeof kind);
  if (!after || !*after) {
    return CB_ERROR(CB_ERR_CONFIG,
                             "%s: unknown section [%s] (expected [suite], [dataset ID], [model NAME], [benchmark ID])",
                             c->path, section);
  }
  const char *name = cb_ini_skip_blanks(after);
  if (!cb_config_name_ok(name))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [%s]: name '%s' may only hold letters, digits, '-', '_', '.' (not . "
                             "or ..: names become file and folder names)", c->path, section, name);
  if (!strcmp(kind, "dataset")) {
    for (int i = 0; i < c->n_datasets; ++i)
      if (!strcmp(c->datasets[i].id, name))
        return CB_ERROR(CB_ERR_CONFIG, "%s: section [%s] appears twice", c->path, section);
    cb_cfg_dataset *d = grow(c->datasets, c->n_datasets, sizeof *d);
    if (!d) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
    c->datasets = d;
    d = &c->datasets[c->n_datasets];
    d->seed = SEED_UNSET;
    d->stimulus_degrees = NAN;
    ps->index = c->n_datasets++;
    ps->kind = SEC_DATASET;
    return set_str(&d->id, name);
  }
  if (!strcmp(kind, "model")) {
    for (int i = 0; i < c->n_models; ++i)
      if (!strcmp(c->models[i].name, name))
        return CB_ERROR(CB_ERR_CONFIG, "%s: section [%s] appears twice", c->path, section);
    cb_cfg_model *m = grow(c->models, c->n_models, sizeof *m);
    if (!m) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
    c->models = m;
    m = &c->models[c->n_models];
    m->seed = SEED_UNSET;
    m->visual_degrees = NAN;
    m->task_accuracy = NAN;
    ps->index = c->n_models++;
    ps->kind = SEC_MODEL;
    return set_str(&m->name, name);
  }
  if (!strcmp(kind, "benchmark")) {
    for (int i = 0; i < c->n_benchmarks; ++i)
      if (!strcmp(c->benchmarks[i].id, name))
        return CB_ERROR(CB_ERR_CONFIG, "%s: section [%s] appears twice", c->path, section);
    cb_cfg_benchmark *b = grow(c->benchmarks, c->n_benchmarks, sizeof *b);
    if (!b) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading configuration");
    c->benchmarks = b;
    b = &c->benchmarks[c->n_benchmarks];
    b->t0 = b->t1 = NAN;
    b->splits = 10;
    b->components = 25;
    b->train_fraction = NAN; /* the metric's default (cb_metric_table.h) */
    b->seed = SEED_UNSET;
    b->alpha = 1.0;
    b->ci_level = 0.95;
    ps->index = c->n_benchmarks++;
    ps->kind = SEC_BENCHMARK;
    return set_str(&b->id, name);
  }
  return CB_ERROR(CB_ERR_CONFIG,
                           "%s: unknown section [%s] (expected [suite], [dataset ID], [model NAME], [benchmark ID])",
                           c->path, section);
}

/* Finds the section registered by the pre-scan. */
static int select_section(parse_state *ps, const char *section) {
  cb_config *c = ps->cfg;
  snprintf(ps->cur_section, sizeof ps->cur_section, "%s", section);
  if (!strcmp(section, "suite")) {
    ps->kind = SEC_SUITE;
    return 1;
  }
  char kind[32];
  const char *name = cb_ini_section_split(section, kind, sizeof kind);
  if (!name) return 0;
  name = cb_ini_skip_blanks(name);
  if (!strcmp(kind, "dataset")) {
    for (int i = 0; i < c->n_datasets; ++i)
      if (!strcmp(c->datasets[i].id, name)) return ps->kind = SEC_DATASET, ps->index = i, 1;
  } else if (!strcmp(kind, "model")) {
    for (int i = 0; i < c->n_models; ++i)
      if (!strcmp(c->models[i].name, name)) return ps->kind = SEC_MODEL, ps->index = i, 1;
  } else if (!strcmp(kind, "benchmark")) {
    for (int i = 0; i < c->n_benchmarks; ++i)
      if (!strcmp(c->benchmarks[i].id, name)) return ps->kind = SEC_BENCHMARK, ps->index = i, 1;
  }
  return 0;
}

/* One entry of the configuration (cb_ini_fn): selects its section, then its key's handler. */
static cb_status on_entry(void *user, const cb_ini_entry *e) {
  parse_state *ps = user;
  const char *section = e->section, *key = e->key, *value = e->value;
  if (!section[0]) return CB_ERROR(CB_ERR_CONFIG, "%s: key '%s' outside any section", ps->cfg->path, key);
  if (e->new_section && !select_section(ps, section))
    return CB_ERROR(CB_ERR_INTERNAL, "%s: section [%s] was not registered", ps->cfg->path, section);
  cb_config *c = ps->cfg;
  ps->continued = e->continued;
  switch (ps->kind) {
  case SEC_SUITE: return on_suite(ps, key, value);
  case SEC_DATASET: return on_dataset(ps, &c->datasets[ps->index], key, value);
  case SEC_MODEL: return on_model(ps, &c->models[ps->index], key, value);
  case SEC_BENCHMARK: return on_benchmark(ps, &c->benchmarks[ps->index], key, value);
  case SEC_NONE: break;
  }
  return CB_ERROR(CB_ERR_INTERNAL, "no section");
}

/* libinih never reports a section without keys, but "[model pixels]" alone
 * is a complete model entry: register every section header first, in file
 * order, then let libinih deliver the keys. */
/* Key of a "key = value" line that starts in column 0 (not a continuation), or "" (*k, cap bytes). */
static void line_key(const char *a, const char *b, char *k, size_t cap) {
  k[0] = '\0';
  if (a >= b || isspace((unsigned char)*a) || *a == ';' || *a == '#' || *a == '[') return;
  const char *eq = memchr(a, '=', (size_t)(b - a)), *colon = memchr(a, ':', (size_t)(b - a));
  if (!eq || (colon && colon < eq)) eq = colon;
  if (!eq) return;
  const char *e = eq;
  while (e > a && isspace((unsigned char)e[-1])) --e;
  snprintf(k, cap, "%.*s", (int)(e - a), a);
}

/* What libinih would not say: lines longer than it reads (their tail would be parsed as a line of its own) and a
 * key given twice in one section (libinih hands both over; the last would silently win). */
static cb_status check_lines(parse_state *ps, const char *text) {
  typedef struct seen_key { char key[64]; int line; } seen_key;
  seen_key seen[256];
  int n_seen = 0, line = 0;
  for (const char *p = text; *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    ++line;
    if (len >= 200)
      return CB_ERROR(CB_ERR_CONFIG, "%s:%d: line longer than 199 characters (continue a list on indented "
                               "lines)", ps->cfg->path, line);
    char k[64];
    line_key(p, p + len, k, sizeof k);
    if (*p == '[') n_seen = 0; /* a new section */
    for (int i = 0; k[0] && i < n_seen; ++i)
      if (!strcmp(seen[i].key, k))
        return CB_ERROR(CB_ERR_CONFIG, "%s:%d: key '%s' given twice in one section (first on line %d)",
                                 ps->cfg->path, line, k, seen[i].line);
    if (k[0] && n_seen < 256) {
      snprintf(seen[n_seen].key, sizeof seen[n_seen].key, "%s", k);
      seen[n_seen++].line = line;
    }
    if (!eol) break;
    p = eol + 1;
  }
  return CB_OK;
}

/* A section header found by the pre-scan (cb_ini_header_fn): registered under its trimmed name. */
static cb_status on_header(void *user, const char *inside, size_t len, int line) {
  parse_state *ps = user;
  (void)line;
  char sec[256];
  const char *s0 = inside, *s1 = inside + len;
  while (s0 < s1 && isspace((unsigned char)*s0)) ++s0;
  while (s1 > s0 && isspace((unsigned char)s1[-1])) --s1;
  size_t sl = (size_t)(s1 - s0);
  if (sl >= sizeof sec) return CB_ERROR(CB_ERR_CONFIG, "%s: section name too long", ps->cfg->path);
  memcpy(sec, s0, sl);
  sec[sl] = '\0';
  return begin_section(ps, sec);
}

static cb_status prescan_sections(parse_state *ps, const char *text) {
  CB_CHECK(check_lines(ps, text));
  CB_CHECK(cb_ini_each_header(text, on_header, ps));
  ps->kind = SEC_NONE;
  ps->cur_section[0] = '\0';
  return CB_OK;
}

static cb_status validate_dataset(const cb_config *c, const cb_cfg_dataset *d) {
  const int responses = (d->assembly != NULL) + (d->rdm != NULL);
  if (d->generator && (d->stimuli || responses))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset %s] give either 'generator' or 'stimuli' + 'assembly' (or 'rdm'), "
                    "not both", c->path, d->id);
  if (d->assembly && d->rdm)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset %s] give either 'assembly' or 'rdm', not both", c->path, d->id);
  if (d->generator) return CB_OK;
  /* The PCA fit set needs images only: stimuli without an assembly. */
  const int pca_set = c->selection_pca_dataset && !strcmp(c->selection_pca_dataset, d->id);
  if (pca_set && d->stimuli && !responses) return CB_OK;
  if (!d->stimuli || !responses)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset %s] missing key '%s'", c->path, d->id,
                    d->stimuli ? "assembly' (or 'rdm" : (responses ? "stimuli" : "generator"));
  return CB_OK;
}

/* A model comes from one source: a zoo name (default: the section name), an
 * ONNX file, or an RDM file (an RDM-only model, which has no layers). */
static cb_status validate_model(cb_config *c, cb_cfg_model *m) {
  if ((m->zoo != NULL) + (m->onnx != NULL) + (m->rdm != NULL) > 1)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [model %s] give one of 'zoo', 'onnx' or 'rdm'", c->path, m->name);
  if (!m->onnx && (m->has_mean || m->has_std || !isnan(m->visual_degrees)))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [model %s] key '%s': only for 'onnx' models (zoo models take theirs from "
                    "benchmarks/zoo.ini)", c->path, m->name,
                    m->has_mean ? "mean" : (m->has_std ? "std" : "visual_degrees"));
  if (m->rdm && (m->n_layers || m->in_h || m->reinit || m->n_region_layers || m->modality || m->front_end))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [model %s] key '%s': an RDM-only model has no layers, input or weights",
                    c->path, m->name,
                    m->n_layers ? "layers"
                    : m->in_h   ? "input_size"
                    : m->reinit ? "reinit"
                    : m->n_region_layers ? "region_layers"
                    : m->modality        ? "modality"
                                         : "front_end");
  if (m->rdm_entry && !m->rdm)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [model %s] key 'rdm_entry': needs 'rdm'", c->path, m->name);
  if (!m->zoo && !m->onnx && !m->rdm && set_str(&m->zoo, m->name) != CB_OK) return CB_ERR_NOMEM;
  for (int k = 0; k < m->n_datasets; ++k)
    if (!cb_config_dataset(c, m->datasets[k]))
      return CB_ERROR(CB_ERR_CONFIG, "%s: [model %s] key 'datasets': no [dataset %s] section", c->path, m->name,
                      m->datasets[k]);
  return CB_OK;
}

/* Checks what no single key can: required keys, references, defaults
 * (the [suite] seed is the default seed of every other section). */
static cb_status validate(cb_config *c) {
  for (int i = 0; i < c->n_datasets; ++i)
    if (c->datasets[i].seed == SEED_UNSET) c->datasets[i].seed = c->seed;
  for (int i = 0; i < c->n_models; ++i)
    if (c->models[i].seed == SEED_UNSET) c->models[i].seed = c->seed;
  for (int i = 0; i < c->n_benchmarks; ++i)
    if (c->benchmarks[i].seed == SEED_UNSET) c->benchmarks[i].seed = c->seed;
  if (c->n_models == 0) return CB_ERROR(CB_ERR_CONFIG, "%s: no [model NAME] section", c->path);
  if (c->n_benchmarks == 0) return CB_ERROR(CB_ERR_CONFIG, "%s: no [benchmark ID] section", c->path);
  for (int i = 0; i < c->n_datasets; ++i) CB_CHECK(validate_dataset(c, &c->datasets[i]));
  for (int i = 0; i < c->n_models; ++i) CB_CHECK(validate_model(c, &c->models[i]));
  for (int i = 0; i < c->n_benchmarks; ++i) {
    cb_cfg_benchmark *b = &c->benchmarks[i];
    if (!b->dataset) return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] missing key 'dataset'", c->path, b->id);
    if (!cb_config_dataset(c, b->dataset))
      return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'dataset': no [dataset %s] section", c->path, b->id,
                      b->dataset);
    if (!b->metric && set_str(&b->metric, "pls") != CB_OK) return CB_ERR_NOMEM;
    if (!b->ceiling && set_str(&b->ceiling, "internal") != CB_OK) return CB_ERR_NOMEM;
    if (!strcmp(b->ceiling, "voxel") && b->bootstrap > 0)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'ceiling': 'voxel' does not support 'bootstrap'", c->path,
                      b->id);
    if (!b->split && set_str(&b->split, "stratified") != CB_OK) return CB_ERR_NOMEM;
    if (b->group && !strcmp(b->split, "all"))
      return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'group': split 'all' has no training stimuli to keep "
                      "apart (use split = stratified, shuffle or kfold, or drop 'group')", c->path, b->id);
    const cb_cfg_dataset *d = cb_config_dataset(c, b->dataset);
    if (!d->generator && !d->assembly && !d->rdm)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'dataset': [dataset %s] has no 'assembly'", c->path,
                      b->id, b->dataset);
    if (b->subjects && !d->rdm)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'subjects': only for datasets with an 'rdm' file",
                      c->path, b->id);
  }
  if (c->selection_pca > 0 && !c->selection_pca_dataset)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca': needs 'selection_pca_dataset' (the [dataset] the "
                    "PCA is fitted on)", c->path);
  if (c->selection_pca_dataset && c->selection_pca == 0)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca_dataset': set without 'selection_pca' (components)",
                    c->path);
  if (c->selection_pca_dataset && !cb_config_dataset(c, c->selection_pca_dataset))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca_dataset': no [dataset %s] section", c->path,
                    c->selection_pca_dataset);
  if (c->selection_pca > 0 && c->per_benchmark_layers)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca': needs layer_commitment = per-region (PCA applies "
                    "to the selection benchmarks)", c->path);
  return CB_OK;
}

cb_status cb_config_read(const char *path, cb_config **out) {
  cb_status st = CB_OK;
  parse_state ps;
  memset(&ps, 0, sizeof ps);
  char *text = NULL;
  CB_CHECK(cb_ini_read_text(path, &text));
  cb_config *c = calloc(1, sizeof *c);
  CB_ALLOC_GOTO(c, st, done);
  c->path = cb_strdup(path);
  c->suite = cb_strdup("default");
  c->seed = 1;
  c->batch = 32;
  c->compression = CB_ACTIVATIONS_DEFLATE;
  CB_ALLOC_GOTO(c->path, st, done);
  CB_ALLOC_GOTO(c->suite, st, done);
  if (strlen(text) == 0) {
    st = CB_ERROR(CB_ERR_CONFIG, "%s: empty configuration file", path);
    goto done;
  }
  ps.cfg = c;
  cb_path_dirname(path, ps.dir, sizeof ps.dir);
  CB_CHECK_GOTO(prescan_sections(&ps, text), st, done);
  cb_ini_opts io = {.path = path, .where = CB_INI_WHERE_COLON, .syntax_hint = SYNTAX_HINT};
  CB_CHECK_GOTO(cb_ini_parse_text(&io, text, on_entry, &ps), st, done);
  CB_CHECK_GOTO(validate(c), st, done);
  *out = c;
  c = NULL;
done:
  free(text);
  cb_config_destroy(&c);
  return st;
}

/* ---- fingerprint ------------------------------------------------------------ */

/* s with leading/trailing blanks dropped and inner runs of blanks as one space. */
static void collapse_blanks(const char *s, size_t n, cb_strbuf *b) {
  int blank = 0, any = 0;
  for (size_t i = 0; i < n; ++i) {
    if (isspace((unsigned char)s[i])) {
      blank = 1;
      continue;
    }
    if (blank && any) cb_strbuf_append(b, " ");
    char c[2] = {s[i], '\0'};
    cb_strbuf_append(b, c);
    blank = 0;
    any = 1;
  }
}

typedef struct fp_state {
  cb_hash h;
  cb_strbuf section; /* normalised name of the section of the last key */
} fp_state;

static void fp_field(cb_hash *h, const char *s) { cb_hash_update(h, s, strlen(s) + 1); } /* with its NUL */

static cb_status fp_entry(void *user, const cb_ini_entry *e) {
  fp_state *f = user;
  const char *section = e->section, *key = e->key, *value = e->value;
  cb_strbuf sec = {0};
  collapse_blanks(section, strlen(section), &sec);
  const char *sname = sec.data ? sec.data : "";
  /* Results do not depend on these two [suite] keys. */
  if (!strcmp(sname, "suite") && (!strcmp(key, "batch") || !strcmp(key, "compression"))) {
    cb_strbuf_free(&sec);
    return CB_OK;
  }
  if (!f->section.data || strcmp(f->section.data, sname) != 0) {
    fp_field(&f->h, "[");
    fp_field(&f->h, sname);
    cb_strbuf_free(&f->section);
    cb_strbuf_append(&f->section, sname);
  }
  fp_field(&f->h, key);
  fp_field(&f->h, value);
  cb_strbuf_free(&sec);
  return CB_OK;
}

/* A section header (cb_ini_header_fn): hashed with its blanks collapsed. */
static cb_status fp_header(void *user, const char *inside, size_t len, int line) {
  fp_state *f = user;
  (void)line;
  cb_strbuf sec = {0};
  collapse_blanks(inside, len, &sec);
  fp_field(&f->h, sec.data ? sec.data : "");
  cb_strbuf_free(&sec);
  return CB_OK;
}

cb_status cb_config_fingerprint(const char *path, char out[CB_CONFIG_FINGERPRINT_HEX]) {
  char *text = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &text, &n));
  fp_state f;
  memset(&f, 0, sizeof f);
  cb_status hst = cb_hash_init(&f.h, CB_HASH_SHA256);
  if (hst != CB_OK) {
    free(text);
    return hst;
  }
  fp_field(&f.h, "cortexbench configuration fingerprint 1");
  /* Every section header, in file order: libinih reports only sections
   * that have keys, and "[model pixels]" alone is a model. */
  fp_field(&f.h, "sections");
  cb_ini_each_header(text, fp_header, &f); /* fp_header cannot fail */
  fp_field(&f.h, "keys");
  cb_ini_opts io = {.path = path, .where = CB_INI_WHERE_COLON, .syntax_hint = SYNTAX_HINT};
  cb_status st = cb_ini_parse_text(&io, text, fp_entry, &f);
  free(text);
  cb_strbuf_free(&f.section);
  if (st != CB_OK) {
    cb_hash_discard(&f.h);
    return st;
  }
  return cb_hash_hex(&f.h, out);
}

const cb_cfg_dataset *cb_config_dataset(const cb_config *c, const char *id) {
  for (int i = 0; i < c->n_datasets; ++i)
    if (!strcmp(c->datasets[i].id, id)) return &c->datasets[i];
  return NULL;
}

void cb_cfg_model_free(cb_cfg_model *m) {
  free(m->name);
  free(m->zoo);
  free(m->onnx);
  free(m->rdm);
  free(m->rdm_entry);
  free(m->reinit);
  free(m->front_end);
  cb_strlist_free(&m->layers);
  cb_strlist_free(&m->datasets);
  cb_strlist_free(&m->region_layers);
  m->name = m->zoo = m->onnx = m->rdm = m->rdm_entry = m->reinit = m->front_end = NULL;
}

void cb_config_destroy(cb_config **cp) {
  if (!cp || !*cp) return;
  cb_config *c = *cp;
  for (int i = 0; i < c->n_datasets; ++i) {
    free(c->datasets[i].id);
    free(c->datasets[i].generator);
    free(c->datasets[i].stimuli);
    free(c->datasets[i].assembly);
    free(c->datasets[i].rdm);
  }
  for (int i = 0; i < c->n_models; ++i) cb_cfg_model_free(&c->models[i]);
  for (int i = 0; i < c->n_benchmarks; ++i) {
    cb_cfg_benchmark *b = &c->benchmarks[i];
    free(b->id);
    free(b->dataset);
    free(b->region);
    free(b->metric);
    free(b->stratify);
    free(b->group);
    free(b->ceiling);
    free(b->normalise);
    free(b->split);
    free(b->alphas);
    free(b->distance);
    free(b->compare);
    free(b->cka);
    free(b->subjects);
  }
  free(c->datasets);
  free(c->models);
  free(c->benchmarks);
  free(c->path);
  free(c->suite);
  free(c->selection_pca_dataset);
  free(c);
  *cp = NULL;
}
