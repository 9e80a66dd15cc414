/* cortexbench leaderboard: rank models from score files; optionally the
 * HTML report and a comparison with another leaderboard CSV. */
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_benchmark.h"
#include "cb_compare.h"
#include "cb_config.h"
#include "cb_fs.h"
#include "cb_lbconfig.h"
#include "cb_leaderboard.h"
#include "cb_rdmfile.h"
#include "cb_report.h"
#include "cb_rsa.h"
#include "cb_strbuf.h"
#include "cb_version.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench leaderboard PATH... [-o DIR] [--html FILE] [--compare OTHER.csv]\n"
         "                              [--config CONFIG] [--region BENCHMARK=REGION]... [--rdm FILE.h5]...\n"
         "                              [--title T]\n\n"
         "Reads every score file (*.json, the format `cortexbench score` writes) in the given\n"
         "files and directories (recursively; leaderboard.json files in directories are skipped), keeps the best layer of each model on each\n"
         "benchmark, clips scores to [0, 1] and aggregates like Brain-Score: benchmark -> region\n"
         "-> neural -> overall, each parent the unweighted mean of its children (a missing child\n"
         "counts as 0, all missing = missing). Ranks on the average rounded to 2 decimals (half\n"
         "up), ties share a rank, and prints the table.\n\n"
         "  -o, --out DIR      also write DIR/leaderboard.{csv,json,md,html}\n"
         "  --html FILE        write the self-contained HTML report to FILE\n"
         "  --compare CSV      print rank changes and score deltas against another leaderboard CSV\n"
         "                     (rank,model,average[,benchmarks...]; a published one or an earlier run)\n"
         "  --config CONFIG    take models, benchmarks (their order) and regions from a suite\n"
         "                     configuration, as `cortexbench run` does (e.g. to rank the shards of a run)\n"
         "  --region B=R       benchmark B belongs to region R (overrides --config; default: from ids like\n"
         "                     dataset.REGION-metric, else the benchmark is its own region)\n"
         "  --rdm FILE.h5      an RDM file (docs/formats.md) to show in the HTML report (the mean\n"
         "                     over subjects when it holds several); named by its identifier\n"
         "  --title T          title of the HTML report (default: leaderboard)\n");
}

/* Two score files of one benchmark id computed on different recordings (their assembly_sha256 differ, e.g. two
 * unnamed benchmarks on files both called assembly.nc) would be ranked as one benchmark: an error naming both. */
static cb_status check_id_clash(const cb_score *s, char *const *path, int n) {
  for (int i = 0; i < n; ++i) {
    if (!s[i].assembly_sha256[0]) continue;
    for (int j = 0; j < i; ++j)
      if (s[j].assembly_sha256[0] && !strcmp(s[i].benchmark, s[j].benchmark) &&
          strcmp(s[i].assembly_sha256, s[j].assembly_sha256))
        return CB_ERROR(CB_ERR_FORMAT, "%s and %s: benchmark id '%s' names two different recordings (assembly "
                        "SHA-256 %.12s... and %.12s...); give each benchmark its own id (--benchmark, or its "
                        "[benchmark ID] section)", path[j], path[i], s[i].benchmark, s[j].assembly_sha256,
                        s[i].assembly_sha256);
  }
  return CB_OK;
}

typedef struct path_list {
  char **v;
  int n, cap;
} path_list;

static cb_status push(path_list *l, const char *s) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    char **nv = realloc(l->v, (size_t)cap * sizeof *nv);
    if (!nv) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    l->v = nv;
    l->cap = cap;
  }
  if (!(l->v[l->n] = cb_strdup(s))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  l->n++;
  return CB_OK;
}

static void list_free(path_list *l) {
  for (int i = 0; i < l->n; ++i) free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static cb_status collect(const char *path, path_list *l) {
  struct stat sb;
  if (stat(path, &sb) != 0) return CB_ERROR(CB_ERR_IO, "%s: no such file or directory", path);
  if (!S_ISDIR(sb.st_mode)) return push(l, path);
  DIR *d = opendir(path);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot read directory", path);
  cb_status st = CB_OK;
  struct dirent *e;
  while (st == CB_OK && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue; /* also skips temporary files */
    char child[CB_PATH_MAX];
    st = cb_path_join(child, sizeof child, path, e->d_name);
    if (st != CB_OK) break;
    if (cb_path_is_dir(child)) {
      st = collect(child, l);
    } else {
      size_t n = strlen(e->d_name);
      /* a run directory holds the leaderboard.json it wrote: not a score file */
      if (n > 5 && !strcmp(e->d_name + n - 5, ".json") && strcmp(e->d_name, "leaderboard.json") != 0)
        st = push(l, child);
    }
  }
  closedir(d);
  return st;
}

/* Natural order: digit runs compare as numbers, so layer files come in
 * depth order (features.2 before features.12). */
static int cmp_natural(const void *pa, const void *pb) {
  const char *a = *(char *const *)pa, *b = *(char *const *)pb;
  while (*a && *b) {
    if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
      while (*a == '0') ++a;
      while (*b == '0') ++b;
      size_t na = 0, nb = 0;
      while (isdigit((unsigned char)a[na])) ++na;
      while (isdigit((unsigned char)b[nb])) ++nb;
      if (na != nb) return na < nb ? -1 : 1;
      int c = strncmp(a, b, na);
      if (c) return c;
      a += na;
      b += nb;
    } else {
      if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
      ++a;
      ++b;
    }
  }
  return *a ? 1 : (*b ? -1 : strcmp(*(char *const *)pa, *(char *const *)pb));
}

typedef struct lb_args {
  int n_paths;
  char **paths;
  const char *out, *html, *compare, *title, *config;
  path_list regions; /* "BENCHMARK=REGION" */
  path_list rdms;    /* RDM files */
} lb_args;

/* Adds an RDM file to the report (mean over subjects; sessions = RDMs with equal /subject names averaged first). */
static cb_status add_rdm_file(cb_report *rep, const char *path) {
  cb_rdmfile *f = NULL;
  cb_status st = cb_rdmfile_read(path, &f);
  if (st != CB_OK) return st;
  size_t nn = (size_t)f->n * (size_t)f->n;
  double *subj = NULL; /* (G, n, n) */
  int G = 0;
  st = cb_rsa_group_subjects(f->rdm, f->has_subject ? f->subject : NULL, f->n_subject, f->n, &subj, &G);
  double *mean = st == CB_OK ? calloc(nn > 0 ? nn : 1, sizeof *mean) : NULL; /* (n, n) */
  if (st == CB_OK && !mean) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int s = 0; st == CB_OK && s < G; ++s)
    for (size_t i = 0; i < nn; ++i) mean[i] += subj[(size_t)s * nn + i] / G;
  if (st == CB_OK) {
    const char *base = strrchr(path, '/');
    st = cb_report_add_rdm(rep, f->identifier[0] ? f->identifier : (base ? base + 1 : path), mean, f->n);
  }
  free(mean);
  free(subj);
  cb_rdmfile_destroy(&f);
  return st;
}

static cb_status write_html(const lb_args *a, const cb_leaderboard *lb, int n_files, const char *path) {
  cb_report *rep = NULL;
  cb_status st = cb_report_create(a->title ? a->title : "leaderboard", &rep);
  if (st != CB_OK) return st;
  char count[32];
  snprintf(count, sizeof count, "%d", n_files);
  CB_CHECK_GOTO(cb_report_set_leaderboard(rep, lb), st, done);
  for (int i = 0; i < a->rdms.n; ++i) CB_CHECK_GOTO(add_rdm_file(rep, a->rdms.v[i]), st, done);
  CB_CHECK_GOTO(cb_report_add_meta(rep, "cortexbench", CB_VERSION), st, done);
  CB_CHECK_GOTO(cb_report_add_meta(rep, "command", "cortexbench leaderboard"), st, done);
  CB_CHECK_GOTO(cb_report_add_meta(rep, "score files", count), st, done);
  CB_CHECK_GOTO(cb_report_add_meta(rep, "OpenBLAS core", cb_cli_blas_core()), st, done);
  CB_CHECK_GOTO(cb_report_write_html(rep, path), st, done);
done:
  cb_report_destroy(&rep);
  return st;
}

/* What the ranking is told: the regions (--region pairs first, then the config's; the first match wins) and,
 * with --config, its models and benchmarks in their order. */
typedef struct lb_filters {
  cb_lb_region *reg;    /* (n_reg) */
  int n_reg;
  const char **models;  /* (cfg->n_models) or NULL */
  const char **benches; /* (cfg->n_benchmarks) or NULL */
} lb_filters;

static void lb_filters_free(lb_filters *f) {
  free(f->reg);
  free(f->models);
  free(f->benches);
  f->reg = NULL;
  f->models = f->benches = NULL;
}

/* The filters from a's --region pairs ("B=R", split in place) and the optional config cfg. */
static cb_status lb_filters_make(lb_args *a, const cb_config *cfg, lb_filters *f) {
  int n_cfg = cfg ? cfg->n_benchmarks : 0;
  f->reg = calloc((size_t)(a->regions.n + n_cfg) + 1, sizeof *f->reg);
  if (!f->reg) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < a->regions.n; ++i) { /* "B=R" split in place; first match wins */
    char *eq = strrchr(a->regions.v[i], '=');
    *eq = '\0';
    f->reg[f->n_reg].benchmark = a->regions.v[i];
    f->reg[f->n_reg++].region = eq + 1;
  }
  if (cfg) {
    f->models = calloc((size_t)cfg->n_models + 1, sizeof *f->models);
    f->benches = calloc((size_t)cfg->n_benchmarks + 1, sizeof *f->benches);
    if (!f->models || !f->benches) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int m = 0; m < cfg->n_models; ++m) f->models[m] = cfg->models[m].name;
    for (int b = 0; b < cfg->n_benchmarks; ++b) {
      f->benches[b] = cfg->benchmarks[b].id;
      f->reg[f->n_reg].benchmark = cfg->benchmarks[b].id;
      f->reg[f->n_reg++].region = cfg->benchmarks[b].region;
    }
  }
  return CB_OK;
}

/* The leaderboard of scores (n): the config's model set and order, as the run used them, when there is one. */
static cb_status lb_build(const cb_score *scores, int n, const cb_config *cfg, const lb_filters *f,
                          cb_leaderboard **lb) {
  cb_lb_options opt = {.models = f->models, .n_models = cfg ? cfg->n_models : 0, .benchmarks = f->benches,
                       .n_bench = cfg ? cfg->n_benchmarks : 0, .regions = f->reg, .n_regions = f->n_reg};
  cb_lb_config lbc;
  memset(&lbc, 0, sizeof lbc);
  if (cfg) {
    cb_status st = cb_lb_config_init(cfg, &lbc);
    if (st != CB_OK) return st;
    opt = lbc.opt;
  }
  cb_status st = cb_leaderboard_build_opts(scores, n, &opt, lb);
  cb_lb_config_free(&lbc);
  return st;
}

/* Prints the table (and the comparison), writes -o DIR and --html, then warns about missing scores. */
static cb_status lb_output(const lb_args *a, const cb_leaderboard *lb, int n_files) {
  cb_status st = CB_OK;
  cb_strbuf md = {0}, cmp = {0};
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  printf("%s", md.data);
  if (a->compare) {
    CB_CHECK_GOTO(cb_leaderboard_compare(lb, a->compare, &cmp), st, done);
    printf("\n%s", cmp.data);
  }
  if (a->out) {
    char path[CB_PATH_MAX];
    CB_CHECK_GOTO(cb_mkdirs(a->out), st, done);
    CB_CHECK_GOTO(cb_leaderboard_write(lb, a->out), st, done);
    CB_CHECK_GOTO(cb_path_join(path, sizeof path, a->out, "leaderboard.html"), st, done);
    CB_CHECK_GOTO(write_html(a, lb, n_files, path), st, done);
    printf("written to %s/leaderboard.{csv,json,md,html}\n", a->out);
  }
  if (a->html) {
    CB_CHECK_GOTO(write_html(a, lb, n_files, a->html), st, done);
    printf("report written to %s\n", a->html);
  }
  fflush(stdout);
  cb_leaderboard_warn_missing(lb);
done:
  cb_strbuf_free(&md);
  cb_strbuf_free(&cmp);
  return st;
}

static cb_status leaderboard_rank0(void *arg) {
  lb_args *a = arg;
  cb_status st = CB_OK;
  path_list files = {0};
  cb_score *scores = NULL;
  cb_leaderboard *lb = NULL;
  lb_filters flt = {0};
  cb_config *cfg = NULL;
  int n = 0;
  for (int i = 0; i < a->n_paths; ++i) CB_CHECK_GOTO(collect(a->paths[i], &files), st, done);
  if (files.n == 0) {
    st = CB_ERROR(CB_ERR_IO, "%s: no score files (*.json) found", a->paths[0]);
    goto done;
  }
  qsort(files.v, (size_t)files.n, sizeof *files.v, cmp_natural);
  scores = calloc((size_t)files.n, sizeof *scores);
  if (a->config) CB_CHECK_GOTO(cb_bench_config_read(a->config, &cfg), st, done);
  CB_ALLOC_GOTO(scores, st, done);
  CB_CHECK_GOTO(lb_filters_make(a, cfg, &flt), st, done);
  for (; n < files.n; ++n) CB_CHECK_GOTO(cb_score_read_json(files.v[n], &scores[n]), st, done);
  CB_CHECK_GOTO(check_id_clash(scores, files.v, n), st, done);
  CB_CHECK_GOTO(lb_build(scores, n, cfg, &flt, &lb), st, done);
  st = lb_output(a, lb, files.n);
done:
  for (int i = 0; i < n; ++i) cb_score_free(&scores[i]);
  free(scores);
  lb_filters_free(&flt);
  cb_config_destroy(&cfg);
  list_free(&files);
  cb_leaderboard_destroy(&lb);
  return st;
}

cb_status cb_cmd_leaderboard(cb_par *p, int argc, char **argv) {
  enum { OPT_HTML = 256, OPT_COMPARE, OPT_REGION, OPT_RDM, OPT_TITLE, OPT_CONFIG };
  static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                       {"html", required_argument, 0, OPT_HTML},
                                       {"compare", required_argument, 0, OPT_COMPARE},
                                       {"region", required_argument, 0, OPT_REGION},
                                       {"rdm", required_argument, 0, OPT_RDM},
                                       {"title", required_argument, 0, OPT_TITLE},
                                       {"config", required_argument, 0, OPT_CONFIG},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  lb_args a;
  memset(&a, 0, sizeof a);
  cb_status st = CB_OK;
  int c;
  while (st == CB_OK && (c = cb_cli_getopt("leaderboard", argc, argv, "o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: break;
    case 'o': a.out = optarg; break;
    case OPT_HTML: a.html = optarg; break;
    case OPT_COMPARE: a.compare = optarg; break;
    case OPT_TITLE: a.title = optarg; break;
    case OPT_CONFIG: a.config = optarg; break;
    case OPT_RDM: st = push(&a.rdms, optarg); break;
    case OPT_REGION: {
      const char *eq = strrchr(optarg, '=');
      if (!eq || eq == optarg || !eq[1])
        st = CB_USAGE("leaderboard: --region '%s': expected BENCHMARK=REGION", optarg);
      else
        st = push(&a.regions, optarg);
      break;
    }
    case 'h':
      if (cb_par_rank(p) == 0) help();
      cb_cli_help_shown = 1;
      goto done;
    }
  }
  if (st != CB_OK) goto done;
  if (optind >= argc) {
    st = CB_USAGE("leaderboard: missing PATH (see cortexbench leaderboard --help)");
    goto done;
  }
  a.n_paths = argc - optind;
  a.paths = argv + optind;
  st = cb_cli_on_rank0(p, leaderboard_rank0, &a);
done:
  list_free(&a.regions);
  list_free(&a.rdms);
  return st;
}
