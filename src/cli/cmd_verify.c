/* cortexbench verify RESULTS_DIR: recompute a committed suite from scratch in a temporary directory and compare
 * every committed number with the recomputed one, per benchmark, against stated tolerances. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_fs.h"
#include "cb_par.h"
#include "cb_score.h"
#include "cb_strbuf.h"
#include "cb_report_suite.h"
#include "cb_suite.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench verify RESULTS_DIR [-c CONFIG] [--tolerance T] [--keep DIR]\n\n"
         "Recomputes a published suite from scratch (datasets, activations, scores, leaderboard) in a\n"
         "temporary directory, whatever RESULTS_DIR already holds, and compares: every score file of\n"
         "RESULTS_DIR/scores (score, raw and ceiling) within T (default 1e-6; score files agree to ~1e-14\n"
         "across OpenBLAS kernels), and every cell of RESULTS_DIR/leaderboard.csv within 1e-4 (it prints\n"
         "4 decimals). Prints per benchmark the files or cells compared, the largest difference and\n"
         "PASS or FAIL; exit status 0 when everything passes, 1 otherwise (a missing file fails).\n\n"
         "  RESULTS_DIR          a suite's results, e.g. results/default (leaderboard.csv, scores/)\n"
         "  -c, --config CONFIG  the suite configuration (default: benchmarks/<RESULTS_DIR name>.ini)\n"
         "  --tolerance T        for score files (default 1e-6)\n"
         "  --keep DIR           recompute into DIR and keep it (default: a temporary directory, removed)\n\n"
         "The datasets the configuration reads must be present (scripts/prepare.sh CONFIG). Runs under\n"
         "mpirun like `run`; results do not depend on the number of ranks.\n");
}

typedef struct bench_row {
  char name[160];
  int n;          /* files or cells compared */
  int missing;    /* committed, not recomputed */
  double max_diff;
  double tol;
} bench_row;

typedef struct verify_ctx {
  const char *committed, *fresh; /* suite directories */
  double tol;
  bench_row *rows;
  int n_rows, cap;
} verify_ctx;

static bench_row *row_for(verify_ctx *v, const char *name, double tol) {
  for (int i = 0; i < v->n_rows; ++i)
    if (!strcmp(v->rows[i].name, name) && v->rows[i].tol == tol) return &v->rows[i];
  if (v->n_rows == v->cap) {
    int cap = v->cap ? 2 * v->cap : 32;
    bench_row *r = realloc(v->rows, sizeof *r * (size_t)cap);
    if (!r) return NULL;
    v->rows = r;
    v->cap = cap;
  }
  bench_row *r = &v->rows[v->n_rows++];
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", name);
  r->tol = tol;
  return r;
}

/* |a - b| with two NaNs equal and one NaN infinitely far. */
static double diff_of(double a, double b) {
  if (isnan(a) && isnan(b)) return 0.0;
  if (isnan(a) || isnan(b)) return INFINITY;
  return fabs(a - b);
}

static cb_status compare_score(verify_ctx *v, const char *rel) {
  char a[CB_PATH_MAX], b[CB_PATH_MAX], scores_a[CB_PATH_MAX], scores_b[CB_PATH_MAX];
  CB_CHECK(cb_path_join(scores_a, sizeof scores_a, v->committed, "scores"));
  CB_CHECK(cb_path_join(scores_b, sizeof scores_b, v->fresh, "scores"));
  CB_CHECK(cb_path_join(a, sizeof a, scores_a, rel));
  CB_CHECK(cb_path_join(b, sizeof b, scores_b, rel));
  cb_score sa, sb;
  CB_CHECK(cb_score_read_json(a, &sa));
  bench_row *r = row_for(v, sa.benchmark, v->tol);
  if (!r) {
    cb_score_free(&sa);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  if (!cb_path_exists(b)) {
    r->missing++;
  } else {
    cb_status st = cb_score_read_json(b, &sb);
    if (st != CB_OK) {
      cb_score_free(&sa);
      return st;
    }
    double d = fmax(diff_of(sa.score, sb.score), fmax(diff_of(sa.raw, sb.raw), diff_of(sa.ceiling, sb.ceiling)));
    if (d > r->max_diff) r->max_diff = d;
    r->n++;
    cb_score_free(&sb);
  }
  cb_score_free(&sa);
  return CB_OK;
}

/* Every *.json under dir (relative to root), in sorted order within each directory. */
static cb_status walk_scores(verify_ctx *v, const char *root, const char *rel) {
  char dir[CB_PATH_MAX];
  CB_CHECK(cb_path_join(dir, sizeof dir, root, rel[0] ? rel : "."));
  struct dirent **ents = NULL;
  int n = scandir(dir, &ents, NULL, alphasort);
  if (n < 0) return CB_ERROR(CB_ERR_IO, "%s: cannot list the directory", dir);
  cb_status st = CB_OK;
  for (int i = 0; i < n; ++i) {
    const char *name = ents[i]->d_name;
    char sub[CB_PATH_MAX], full[CB_PATH_MAX];
    if (st == CB_OK && name[0] != '.') {
      if (rel[0]) st = cb_path_join(sub, sizeof sub, rel, name);
      else snprintf(sub, sizeof sub, "%s", name);
      if (st == CB_OK) st = cb_path_join(full, sizeof full, root, sub);
      size_t len = strlen(name);
      if (st == CB_OK && cb_path_is_dir(full)) st = walk_scores(v, root, sub);
      else if (st == CB_OK && len > 5 && !strcmp(name + len - 5, ".json")) st = compare_score(v, sub);
    }
    free(ents[i]);
  }
  free(ents);
  return st;
}

/* Splits a CSV line (no quoting: the leaderboard's ids never hold commas) in place. */
static int split_csv(char *line, char **f, int max) {
  int n = 0;
  for (char *s = line; n < max;) {
    f[n++] = s;
    char *c = strchr(s, ',');
    if (!c) break;
    *c = '\0';
    s = c + 1;
  }
  return n;
}

/* Numbers: |a - b| (empty = missing = NaN); anything else (a layer name): 0 when equal, infinite otherwise. */
static double cell_diff(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  int num_a = a[0] && !*ea, num_b = b[0] && !*eb;
  if (!a[0] && !b[0]) return 0.0;
  if (num_a && num_b) return diff_of(x, y);
  if (num_a || num_b || !a[0] || !b[0]) return INFINITY;
  return strcmp(a, b) ? INFINITY : 0.0;
}

enum { MAX_COLS = 512 };

/* leaderboard.csv: the fresh cell of every committed (model, column) within 1e-4 (4 printed decimals). */
static cb_status compare_csv(verify_ctx *v) {
  char pa[CB_PATH_MAX], pb[CB_PATH_MAX];
  CB_CHECK(cb_path_join(pa, sizeof pa, v->committed, "leaderboard.csv"));
  CB_CHECK(cb_path_join(pb, sizeof pb, v->fresh, "leaderboard.csv"));
  if (!cb_path_exists(pa)) return CB_OK;
  char *ta = NULL, *tb = NULL;
  size_t na = 0, nb = 0;
  cb_status st = cb_file_read_all(pa, &ta, &na);
  if (st == CB_OK) st = cb_file_read_all(pb, &tb, &nb);
  char **ha = calloc(MAX_COLS, sizeof *ha), **hb = calloc(MAX_COLS, sizeof *hb);
  char **fa = calloc(MAX_COLS, sizeof *fa), **fb = calloc(MAX_COLS, sizeof *fb);
  if (st == CB_OK && (!ha || !hb || !fa || !fb)) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st != CB_OK) goto done;
  char *save_a = NULL, *save_b = NULL;
  char *la = strtok_r(ta, "\n", &save_a), *lb0 = strtok_r(tb, "\n", &save_b);
  if (!la || !lb0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: empty leaderboard", la ? pb : pa);
    goto done;
  }
  int ca = split_csv(la, ha, MAX_COLS), cb = split_csv(lb0, hb, MAX_COLS);
  char *rows_b[4096];
  int n_rows_b = 0;
  for (char *l; n_rows_b < 4096 && (l = strtok_r(NULL, "\n", &save_b));) rows_b[n_rows_b++] = l;
  for (char *l; (l = strtok_r(NULL, "\n", &save_a));) {
    int nfa = split_csv(l, fa, MAX_COLS);
    if (nfa < 2) continue;
    char *row_b = NULL; /* the fresh row of the same model (column 1) */
    for (int i = 0; i < n_rows_b && !row_b; ++i) {
      const char *c1 = strchr(rows_b[i], ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
      if (c1 && c2 && (size_t)(c2 - c1 - 1) == strlen(fa[1]) && !strncmp(c1 + 1, fa[1], strlen(fa[1])))
        row_b = rows_b[i];
    }
    char copy[8192] = "";
    if (row_b) snprintf(copy, sizeof copy, "%s", row_b);
    int nfb = row_b ? split_csv(copy, fb, MAX_COLS) : 0;
    for (int c = 2; c < nfa && c < ca; ++c) { /* columns: rank, model, then numbers */
      char name[200];
      if (snprintf(name, sizeof name, "leaderboard.csv %s", ha[c]) >= (int)sizeof name) name[sizeof name - 2] = '~';
      bench_row *r = row_for(v, name, 1e-4);
      if (!r) {
        st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
        goto done;
      }
      int cj = -1;
      for (int k = 2; k < cb; ++k)
        if (!strcmp(hb[k], ha[c])) cj = k;
      if (cj < 0 || cj >= nfb) {
        r->missing++;
        continue;
      }
      double d = cell_diff(fa[c], fb[cj]);
      if (d > r->max_diff) r->max_diff = d;
      r->n++;
    }
  }
done:
  free(ha);
  free(hb);
  free(fa);
  free(fb);
  free(ta);
  free(tb);
  return st;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Prints the table; returns the number of failing rows. */
static int report(const verify_ctx *v) {
  int failed = 0;
  printf("%-48s %8s %12s %10s  %s\n", "benchmark", "compared", "max |diff|", "tolerance", "result");
  for (int i = 0; i < v->n_rows; ++i) {
    const bench_row *r = &v->rows[i];
    int ok = r->missing == 0 && r->max_diff <= r->tol;
    failed += !ok;
    printf("%-48s %8d %12.3g %10.0e  %s", r->name, r->n, r->max_diff, r->tol, ok ? "PASS" : "FAIL");
    if (r->missing) printf(" (%d missing from the recomputation)", r->missing);
    printf("\n");
  }
  return failed;
}

typedef struct verify_args {
  const char *results, *config, *keep;
  double tol;
  char tmp[CB_PATH_MAX];  /* root the suite is recomputed into */
  char suite[CB_PATH_MAX];
} verify_args;

static cb_status compare_rank0(void *arg) {
  verify_args *a = arg;
  verify_ctx v = {a->results, a->suite, a->tol, NULL, 0, 0};
  char scores[CB_PATH_MAX];
  cb_status st = cb_path_join(scores, sizeof scores, a->results, "scores");
  if (st == CB_OK && cb_path_is_dir(scores)) st = walk_scores(&v, scores, "");
  if (st == CB_OK) st = compare_csv(&v);
  if (st == CB_OK && v.n_rows == 0)
    st = CB_ERROR(CB_ERR_FORMAT, "%s: no scores/ and no leaderboard.csv to verify", a->results);
  if (st == CB_OK) {
    int failed = report(&v);
    if (failed)
      st = CB_ERROR(CB_ERR_NUMERIC, "verify: %d of %d rows of %s differ from a fresh recomputation beyond their "
                    "tolerance", failed, v.n_rows, a->results);
    else
      printf("verify: %s reproduced within tolerance (%d rows)\n", a->results, v.n_rows);
  }
  free(v.rows);
  return st;
}

/* The suite's output directory under root: the one subdirectory the run created. */
static cb_status find_suite_dir(const char *root, char *out, size_t n) {
  DIR *d = opendir(root);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot open the recomputation", root);
  struct dirent *e;
  int found = 0;
  while ((e = readdir(d))) {
    char p[CB_PATH_MAX];
    if (e->d_name[0] == '.' || cb_path_join(p, sizeof p, root, e->d_name) != CB_OK || !cb_path_is_dir(p)) continue;
    snprintf(out, n, "%s", p);
    ++found;
  }
  closedir(d);
  return found == 1 ? CB_OK : CB_ERROR(CB_ERR_INTERNAL, "%s: expected one suite directory, found %d", root, found);
}

static cb_status parse_args(int argc, char **argv, verify_args *a, cb_par *p, int *done) {
  static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"tolerance", required_argument, 0, 't'},
                                       {"keep", required_argument, 0, 'k'},   {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("verify", argc, argv, "c:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'c': a->config = optarg; break;
    case 'k': a->keep = optarg; break;
    case 't':
      CB_CHECK(cb_cli_parse_double("--tolerance", optarg, &a->tol));
      if (!(a->tol >= 0)) return CB_USAGE("option --tolerance: expected a number >= 0");
      break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      *done = 1;
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("verify: missing RESULTS_DIR (see cortexbench verify --help)");
  if (optind + 1 < argc) return CB_USAGE("verify: unexpected argument '%s'", argv[optind + 1]);
  a->results = argv[optind];
  if (!cb_path_is_dir(a->results)) return CB_USAGE("verify: %s is not a directory", a->results);
  return CB_OK;
}

cb_status cb_cmd_verify(cb_par *p, int argc, char **argv) {
  verify_args a;
  memset(&a, 0, sizeof a);
  a.tol = 1e-6;
  int done = 0;
  CB_CHECK(parse_args(argc, argv, &a, p, &done));
  if (done) return CB_OK;
  static char config[CB_PATH_MAX];
  if (!a.config) { /* benchmarks/<basename>.ini */
    char base[CB_PATH_MAX];
    snprintf(base, sizeof base, "%s", a.results);
    size_t len = strlen(base);
    while (len > 1 && base[len - 1] == '/') base[--len] = '\0';
    const char *slash = strrchr(base, '/');
    int k = snprintf(config, sizeof config, "benchmarks/%s.ini", slash ? slash + 1 : base);
    if (k < 0 || (size_t)k >= sizeof config) return CB_USAGE("verify: results directory name too long");
    if (!cb_path_exists(config)) return CB_USAGE("verify: no -c CONFIG and no %s", config);
    a.config = config;
  }
  cb_status st = CB_OK;
  if (cb_par_rank(p) == 0) {
    if (a.keep) {
      snprintf(a.tmp, sizeof a.tmp, "%s", a.keep);
      st = cb_mkdirs(a.tmp);
    } else {
      const char *t = getenv("TMPDIR");
      int k = snprintf(a.tmp, sizeof a.tmp, "%s/cortexbench-verify.XXXXXX", t && t[0] ? t : "/tmp");
      if (k < 0 || (size_t)k >= sizeof a.tmp) st = CB_ERROR(CB_ERR_IO, "TMPDIR too long");
      else if (!mkdtemp(a.tmp)) st = CB_ERROR(CB_ERR_IO, "%s: cannot create a temporary directory", a.tmp);
    }
  }
  st = cb_par_agree(p, st);
  if (st == CB_OK) st = cb_par_bcast_string(p, a.tmp, sizeof a.tmp);
  if (st != CB_OK) return st;
  cb_cli_print_header(p, cb_par_set_blas_threads(p));
  cb_suite_opts o = {.out_root = a.tmp, .work = NULL, .shard_i = 0, .shard_n = 1, .fresh = 1, .restart = 0,
                     .finish = cb_report_suite};
  st = cb_suite_run(p, a.config, &o);
  if (st == CB_OK && cb_par_rank(p) == 0) st = find_suite_dir(a.tmp, a.suite, sizeof a.suite);
  st = cb_par_agree(p, st);
  if (st == CB_OK) st = cb_cli_on_rank0(p, compare_rank0, &a);
  if (!a.keep && cb_par_rank(p) == 0) nftw(a.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return st;
}
