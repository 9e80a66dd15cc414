/* cortexbench compare A.json B.json: paired bootstrap difference of two scores. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bootstrap.h"
#include "cb_score.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench compare A.json B.json [--level 0.95]\n\n"
         "Paired comparison of two score files of one benchmark (two models, or two layers):\n"
         "difference of the ceiled scores A - B and its percentile interval over the bootstrap\n"
         "replicates both files hold (benchmark key `bootstrap = N`): replicate r resampled the same\n"
         "test stimuli for every model, so the replicate differences are a paired bootstrap over\n"
         "stimuli. Prints one line:\n"
         "  A vs B on BENCH: difference D [LO, HI] (95 %% paired bootstrap, N replicates): A > B\n"
         "ending in 'A > B' or 'A < B' when the interval excludes 0, else 'not distinguishable'.\n"
         "Errors (exit 1): different benchmarks or seeds, a file without replicates, replicate counts\n"
         "that differ.\n");
}

typedef struct cmp_args {
  const char *a, *b;
  double level;
} cmp_args;

static cb_status check_pair(const cmp_args *c, const cb_score *A, const cb_score *B) {
  if (strcmp(A->benchmark, B->benchmark) != 0)
    return CB_ERROR(CB_ERR_ARG, "%s: benchmark '%s' differs from %s's '%s'", c->b, B->benchmark, c->a, A->benchmark);
  if (A->seed != B->seed) return CB_ERROR(CB_ERR_ARG, "%s: seed differs from %s's (not the same resamples)", c->b, c->a);
  const char *none = !A->boot ? c->a : (!B->boot ? c->b : NULL);
  if (none) return CB_ERROR(CB_ERR_ARG, "%s: has no bootstrap replicates (benchmark key bootstrap = N)", none);
  if (A->n_bootstrap != B->n_bootstrap)
    return CB_ERROR(CB_ERR_ARG, "%s: %d bootstrap replicates but %s has %d", c->b, B->n_bootstrap, c->a,
                    A->n_bootstrap);
  return CB_OK;
}

static cb_status compare_rank0(void *arg) {
  cmp_args *c = arg;
  cb_score A, B;
  memset(&A, 0, sizeof A);
  memset(&B, 0, sizeof B);
  cb_status st = cb_score_read_json(c->a, &A);
  if (st == CB_OK) st = cb_score_read_json(c->b, &B);
  if (st == CB_OK) st = check_pair(c, &A, &B);
  double *d = NULL;
  if (st == CB_OK && !(d = malloc(sizeof *d * (size_t)A.n_bootstrap))) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) {
    for (int r = 0; r < A.n_bootstrap; ++r) d[r] = A.boot[r] - B.boot[r]; /* NaN stays NaN: skipped */
    const double lo = cb_quantile_skipnan(d, A.n_bootstrap, (1 - c->level) / 2);
    const double hi = cb_quantile_skipnan(d, A.n_bootstrap, 1 - (1 - c->level) / 2);
    const char *verdict = lo > 0 ? "A > B" : (hi < 0 ? "A < B" : "not distinguishable");
    printf("%s/%s vs %s/%s on %s: difference %.6f [%.6f, %.6f] (%g %% paired bootstrap, %d replicates): %s\n",
           A.model, A.layer, B.model, B.layer, A.benchmark, A.score - B.score, lo, hi, 100 * c->level,
           A.n_bootstrap, verdict);
  }
  free(d);
  cb_score_free(&A);
  cb_score_free(&B);
  return st;
}

cb_status cb_cmd_compare(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"level", required_argument, 0, 'l'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  cmp_args a = {NULL, NULL, 0.95};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("compare", argc, argv, "l:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'l':
      CB_CHECK(cb_cli_parse_double("--level", optarg, &a.level));
      if (!(a.level > 0 && a.level < 1)) return CB_USAGE("option --level: expected a number in (0, 1)");
      break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (argc - optind != 2) return CB_USAGE("compare: expected two score files (see cortexbench compare --help)");
  a.a = argv[optind];
  a.b = argv[optind + 1];
  return cb_cli_on_rank0(p, compare_rank0, &a);
}
