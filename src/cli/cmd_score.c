/* cortexbench score: one layer against one assembly. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_config.h"
#include "cb_log.h"
#include "cb_strbuf.h"
#include "cb_timer.h"
#include "cli.h"

static void help(void) {
  char metrics[256]; /* every row of the metric table */
  printf("usage: cortexbench score --activations F.h5 --layer NAME --assembly A.nc --out S.json\n"
         "         [--metric %s] [--region R]\n", cb_metric_names(metrics, sizeof metrics, "|", "|", 0));
  printf("         [--time-bin START:END] [--stratify COLUMN] [--group COLUMN]\n"
         "         [--split stratified|shuffle|kfold|all]\n"
         "         [--splits 10] [--train-fraction F] [--seed 1] [--components 25]\n"
         "         [--alpha A] [--alphas A1,A2,...] [--alpha-per-target]\n"
         "         [--distance 1-pearson|euclidean|cosine] [--compare spearman|kendall|pearson|cosine]\n"
         "         [--cka unbiased|biased] [--ceiling internal|metric-split-half|voxel|none]\n"
         "         [--normalise r2/c|(r/c)^2|r/c]\n"
         "         [--bootstrap N] [--ci-level 0.95] [--benchmark ID] [--stimuli CSV]\n\n"
         "Scores one layer's activations against a neural assembly. Stimuli are matched by\n"
         "stimulus_id whatever their order in each file; repetitions are averaged.\n\n"
         "Regressions (pls, default: 25 components; ridge: fixed --alpha; ridgecv: alpha chosen by\n"
         "efficient leave-one-out over Brain-Score's 99 values or --alphas, shared or per neuroid;\n"
         "linear: least squares; neuron2neuron: the best-correlated unit per neuroid): fit on the\n"
         "training stimuli of each split, Pearson r per neuroid on the test stimuli, median over\n"
         "neuroids; raw = mean over splits, error = standard error of the split medians.\n"
         "rdm: RDMs (--distance) of model and brain on each split's test stimuli, compared on\n"
         "the upper triangle (--compare); cka: linear CKA on each split's test stimuli.\n\n"
         "Defaults per metric (`cortexbench list metrics`; Brain-Score's where the metric carries its\n"
         "name): 10 shuffle splits, stratified on --stratify when given, seed 1; regressions train on\n"
         "90 %% of the stimuli; rdm and cka compare the 90 %% held out (--train-fraction 0.1, Brain-\n"
         "Score's test_size 0.9); cka is the unbiased estimator; kfold uses --splits folds.\n"
         "Splits (--split): stratified (the default: shuffle splits stratified on --stratify, plain\n"
         "shuffle splits without it), shuffle, kfold (--splits folds), all (rdm and cka only: one\n"
         "comparison over every stimulus, no cross-validation); with --splits N, --train-fraction F,\n"
         "--stratify COLUMN, --group COLUMN (below) and --seed S.\n"
         "Ceiling (internal, every metric): repetitions split in random halves (--splits times),\n"
         "Pearson r per neuroid between the halves, Spearman-Brown corrected, median over neuroids\n"
         "(Brain-Score's InternalConsistency). metric-split-half (rdm, cka): the halves compared with\n"
         "the metric itself (the older Brain-Score's RDMConsistency / CKAConsistency).\n"
         "--group COLUMN: the stimuli sharing a value of this presentation coordinate (e.g.\n"
         "movie_id: the frames of one movie, the augmentations of one image, one session) are\n"
         "never split between train and test: shuffle splits draw whole groups (90 %% of the\n"
         "groups train; with --stratify, stratified on each group's majority class), kfold\n"
         "assigns whole groups to folds balancing their sizes (and the classes with --stratify).\n"
         "Use it when stimuli repeat or nearly repeat: otherwise near-duplicates in train and\n"
         "test reward memorising them. The score file records the group.\n"
         "score = r^2/c for regressions and r/c for rdm and cka unless --normalise says otherwise.\n"
         "--bootstrap N: percentile interval (--ci-level) of the score, resampling the test\n"
         "stimuli of every split with replacement (the ceiling held fixed).\n"
         "--benchmark ID: the id written into the score (default: the assembly's BrainIO identifier,\n"
         "else its file name without extension); the score records the assembly's SHA-256, and\n"
         "`cortexbench leaderboard` refuses one id on two different assemblies.\n"
         "--stimuli CSV: the stimulus set the activations came from; only recorded (its SHA-256 as\n"
         "stimulus_set_sha256).\n"
         "The score file is a self-contained record (docs/formats.md, 'Scores'): per-split and\n"
         "per-neuroid values, ceiling and its method, resolved parameters, the assembly's and\n"
         "stimulus set's identifiers and SHA-256, cortexbench version and git commit.\n"
         "Writes the score JSON to S.json (atomically).\n");
}

/* What `score` was asked: the files and the benchmark parameters. */
typedef struct score_args {
  const char *act, *layer, *assembly, *out;
  cb_bench_params bp;
  double *alphas; /* (bp.n_alphas) --alphas, owned */
} score_args;

/* An option of the stimuli and splits (region, time bin, split scheme, stratification, groups, seed). */
static cb_status parse_split_param(int c, score_args *a) {
  long v;
  unsigned long long seed;
  switch (c) {
    case 'x':
      if (strcmp(optarg, "stratified") && strcmp(optarg, "shuffle") && strcmp(optarg, "kfold") && strcmp(optarg, "all"))
        return CB_USAGE("option --split: expected stratified, shuffle, kfold or all, got '%s'", optarg);
      a->bp.split = optarg;
      break;
    case 'r': a->bp.region = optarg; break;
    case 't':
      if (cb_parse_time_bin(optarg, &a->bp.t0, &a->bp.t1) != CB_OK) return CB_USAGE("option --time-bin: %s", cb_error_message());
      break;
    case 's': a->bp.stratify = optarg; break;
    case 'g':
      if (!optarg[0]) return CB_USAGE("option --group: expected a coordinate name");
      a->bp.group = optarg;
      break;
    case 'n': CB_CHECK(cb_cli_parse_int("--splits", optarg, 1, 1000, &v)); a->bp.splits = (int)v; break;
    case 'f':
      CB_CHECK(cb_cli_parse_double("--train-fraction", optarg, &a->bp.train_fraction));
      if (!(a->bp.train_fraction > 0 && a->bp.train_fraction < 1)) return CB_USAGE("option --train-fraction: expected a number in (0, 1)");
      break;
    case 'S': CB_CHECK(cb_cli_parse_u64("--seed", optarg, &seed));
      a->bp.seed = seed; break;
  default: return CB_USAGE("score: unknown option (see cortexbench score --help)");
  }
  return CB_OK;
}

/* An option of the metric and its ceiling (metric, its own parameters, ceiling, normalisation, bootstrap). */
static cb_status parse_metric_param(int c, score_args *a) {
  long v;
  switch (c) {
    case 'm': {
      cb_metric_kind k;
      if (cb_metric_parse(optarg, &k) != CB_OK) return CB_USAGE("option --metric: %s", cb_error_message());
      a->bp.metric = optarg;
      break;
    }
    case 'L':
      CB_CHECK(cb_cli_parse_double("--alpha", optarg, &a->bp.alpha));
      if (a->bp.alpha < 0) return CB_USAGE("option --alpha: expected a non-negative number");
      break;
    case 'G': {
      char **items = NULL;
      int n = 0;
      CB_CHECK(cb_strlist_split(optarg, ',', &items, &n));
      free(a->alphas); /* a repeated --alphas: the last one counts */
      a->alphas = calloc((size_t)(n > 0 ? n : 1), sizeof *a->alphas);
      cb_status pst = a->alphas && n > 0 ? CB_OK : CB_USAGE("option --alphas: expected a comma-separated list");
      for (int i = 0; pst == CB_OK && i < n; ++i) {
        pst = cb_cli_parse_double("--alphas", items[i], &a->alphas[i]);
        if (pst == CB_OK && !(a->alphas[i] > 0)) pst = CB_USAGE("option --alphas: values must be positive");
      }
      cb_strlist_free(&items);
      if (pst != CB_OK) {
        free(a->alphas);
        a->alphas = NULL;
        return pst;
      }
      a->bp.alphas = a->alphas;
      a->bp.n_alphas = n;
      break;
    }
    case 'P': a->bp.alpha_per_target = 1; break;
    case 'D': {
      cb_rdm_distance d;
      if (cb_rdm_distance_parse(optarg, &d) != CB_OK) return CB_USAGE("option --distance: %s", cb_error_message());
      a->bp.distance = optarg;
      break;
    }
    case 'R': {
      cb_rdm_compare_kind k;
      if (cb_rdm_compare_parse(optarg, &k) != CB_OK) return CB_USAGE("option --compare: %s", cb_error_message());
      a->bp.compare = optarg;
      break;
    }
    case 'K': {
      cb_cka_estimator e;
      if (cb_cka_estimator_parse(optarg, &e) != CB_OK) return CB_USAGE("option --cka: %s", cb_error_message());
      a->bp.cka = optarg;
      break;
    }
    case 'b': CB_CHECK(cb_cli_parse_int("--bootstrap", optarg, 0, 100000, &v)); a->bp.bootstrap = (int)v; break;
    case 'v':
      CB_CHECK(cb_cli_parse_double("--ci-level", optarg, &a->bp.ci_level));
      if (!(a->bp.ci_level > 0 && a->bp.ci_level < 1)) return CB_USAGE("option --ci-level: expected a number in (0, 1)");
      break;
    case 'c': CB_CHECK(cb_cli_parse_int("--components", optarg, 1, 10000, &v)); a->bp.components = (int)v; break;
    case 'C':
      if (strcmp(optarg, "internal") && strcmp(optarg, "metric-split-half") && strcmp(optarg, "voxel") &&
          strcmp(optarg, "none"))
        return CB_USAGE("option --ceiling: expected internal, metric-split-half, voxel or none, got '%s'", optarg);
      a->bp.ceiling = optarg;
      break;
    case 'N':
      if (strcmp(optarg, "r2/c") && strcmp(optarg, "(r/c)^2") && strcmp(optarg, "r/c"))
        return CB_USAGE("option --normalise: expected r2/c, (r/c)^2 or r/c, got '%s'", optarg);
      a->bp.normalise = optarg;
      break;
  default: return CB_USAGE("score: unknown option (see cortexbench score --help)");
  }
  return CB_OK;
}

/* One option of the benchmark parameters (c as getopt_long returns it, its value in optarg). */
static cb_status parse_param(int c, score_args *a) {
  return strchr("xsgnfSrt", c) ? parse_split_param(c, a) : parse_metric_param(c, a);
}

/* Rank 0: the benchmark loaded, the layer scored, the record written and one line printed; `-v` logs the breakdown. */
static cb_status score_on_rank0(const score_args *a) {
  cb_bench *b = NULL;
  cb_activations *acts = NULL;
  cb_score s;
  memset(&s, 0, sizeof s);
  double t[5]; /* (5) clock after each step: where a score's time goes, logged by `cortexbench -v score` */
  t[0] = cb_now();
  cb_status st = cb_activations_open(a->act, &acts);
  t[1] = cb_now();
  if (st == CB_OK) st = cb_bench_load(a->assembly, &a->bp, &b);
  t[2] = cb_now();
  if (st == CB_OK) st = cb_bench_score_layer(b, a->act, acts, a->layer, &s);
  t[3] = cb_now();
  if (st == CB_OK) st = cb_score_write_json(a->out, &s);
  t[4] = cb_now();
  if (st == CB_OK)
    cb_log(CB_LOG_DEBUG, "score: %.3f s: activations file opened %.3f s, benchmark loaded (assembly, splits, "
           "ceiling) %.3f s, layer read and scored %.3f s, score file written %.3f s", t[4] - t[0], t[1] - t[0],
           t[2] - t[1], t[3] - t[2], t[4] - t[3]);
  if (st == CB_OK) {
    printf("%s %s on %s (%s): raw %.4f ceiling %.4f score %.4f (+/- %.4f, %d splits)", s.model, s.layer,
           s.benchmark, s.metric, s.raw, s.ceiling, s.score, s.error, s.n_splits);
    if (s.group[0]) printf(", grouped by %s (%d groups)", s.group, s.n_groups);
    if (s.n_bootstrap > 0) printf(", %.0f%% interval [%.4f, %.4f]", 100 * s.ci_level, s.ci_low, s.ci_high);
    printf(" -> %s\n", a->out);
  }
  cb_score_free(&s);
  cb_bench_destroy(&b);
  cb_activations_destroy(&acts);
  return st;
}

/* Reads the command line into *a; *help_only = 1 after --help. */
static cb_status parse_args(cb_par *p, int argc, char **argv, score_args *a, int *help_only) {
  static const struct option opts[] = {{"activations", required_argument, 0, 'a'},
                                       {"layer", required_argument, 0, 'l'},
                                       {"assembly", required_argument, 0, 'A'},
                                       {"metric", required_argument, 0, 'm'},
                                       {"region", required_argument, 0, 'r'},
                                       {"time-bin", required_argument, 0, 't'},
                                       {"stratify", required_argument, 0, 's'},
                                       {"group", required_argument, 0, 'g'},
                                       {"splits", required_argument, 0, 'n'},
                                       {"train-fraction", required_argument, 0, 'f'},
                                       {"components", required_argument, 0, 'c'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"ceiling", required_argument, 0, 'C'},
                                       {"normalise", required_argument, 0, 'N'},
                                       {"benchmark", required_argument, 0, 'B'},
                                       {"split", required_argument, 0, 'x'},
                                       {"alpha", required_argument, 0, 'L'},
                                       {"alphas", required_argument, 0, 'G'},
                                       {"alpha-per-target", no_argument, 0, 'P'},
                                       {"distance", required_argument, 0, 'D'},
                                       {"compare", required_argument, 0, 'R'},
                                       {"cka", required_argument, 0, 'K'},
                                       {"bootstrap", required_argument, 0, 'b'},
                                       {"ci-level", required_argument, 0, 'v'},
                                       {"out", required_argument, 0, 'o'},
                                       {"stimuli", required_argument, 0, 'T'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("score", argc, argv, "a:l:A:m:r:t:s:g:n:f:c:S:C:N:B:o:x:L:G:PD:R:K:b:v:T:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'a': a->act = optarg; break;
    case 'l': a->layer = optarg; break;
    case 'A': a->assembly = optarg; break;
    case 'o': a->out = optarg; break;
    case 'B': a->bp.id = optarg; break;
    case 'T': a->bp.stimuli = optarg; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      *help_only = 1;
      return CB_OK;
    default: CB_CHECK(parse_param(c, a)); break;
    }
  }
  if (optind < argc) return CB_USAGE("score: unexpected argument '%s'", argv[optind]);
  if (!a->act) return CB_USAGE("score: missing --activations (see cortexbench score --help)");
  if (!a->layer) return CB_USAGE("score: missing --layer (see cortexbench score --help)");
  if (!a->assembly) return CB_USAGE("score: missing --assembly (see cortexbench score --help)");
  if (!a->out) return CB_USAGE("score: missing --out (see cortexbench score --help)");
  return cb_bench_params_resolve(&a->bp);
}

cb_status cb_cmd_score(cb_par *p, int argc, char **argv) {
  score_args a = {0};
  cb_bench_params_defaults(&a.bp);
  a.bp.id = NULL;
  int help_only = 0;
  cb_status st = parse_args(p, argc, argv, &a, &help_only);
  if (st == CB_OK && !help_only) {
    /* One thread: the same bits as `run`, whatever the rank count. */
    openblas_set_num_threads(1);
    if (cb_par_rank(p) == 0) st = score_on_rank0(&a);
    st = cb_par_agree(p, st);
  }
  free(a.alphas);
  return st;
}
