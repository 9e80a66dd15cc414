/* cortexbench score: one layer against one assembly. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_config.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench score --activations F.h5 --layer NAME --assembly A.nc --out S.json\n"
         "                        [--metric pls] [--region R] [--time-bin START:END] [--stratify COLUMN]\n"
         "                        [--splits 10] [--train-fraction 0.9] [--components 25] [--seed 1]\n"
         "                        [--ceiling internal|none] [--normalise r2/c|(r/c)^2|r/c]\n"
         "                        [--benchmark ID]\n\n"
         "Cross-validated predictivity of the assembly's neuroids from one layer's activations.\n"
         "Stimuli are matched by stimulus_id whatever their order in each file; repetitions are\n"
         "averaged. raw = mean over splits of the median over neuroids of the test-set Pearson r;\n"
         "ceiling = split-half internal consistency (Spearman-Brown corrected); score = the\n"
         "ceiled value (default r^2/c). Writes the score JSON to S.json (atomically).\n");
}

cb_status cb_cmd_score(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"activations", required_argument, 0, 'a'},
                                       {"layer", required_argument, 0, 'l'},
                                       {"assembly", required_argument, 0, 'A'},
                                       {"metric", required_argument, 0, 'm'},
                                       {"region", required_argument, 0, 'r'},
                                       {"time-bin", required_argument, 0, 't'},
                                       {"stratify", required_argument, 0, 's'},
                                       {"splits", required_argument, 0, 'n'},
                                       {"train-fraction", required_argument, 0, 'f'},
                                       {"components", required_argument, 0, 'c'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"ceiling", required_argument, 0, 'C'},
                                       {"normalise", required_argument, 0, 'N'},
                                       {"benchmark", required_argument, 0, 'B'},
                                       {"out", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *act = NULL, *layer = NULL, *assembly = NULL, *out = NULL;
  cb_bench_params bp;
  cb_bench_params_defaults(&bp);
  bp.id = NULL;
  cb_status st = CB_OK;
  long v;
  unsigned long long seed;
  int c;
  while ((c = cb_cli_getopt("score", argc, argv, "a:l:A:m:r:t:s:n:f:c:S:C:N:B:o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'a': act = optarg; break;
    case 'l': layer = optarg; break;
    case 'A': assembly = optarg; break;
    case 'o': out = optarg; break;
    case 'm':
      if (strcmp(optarg, "pls")) return CB_USAGE("option --metric: '%s' is not available yet (available: pls)", optarg);
      bp.metric = optarg;
      break;
    case 'r': bp.region = optarg; break;
    case 't':
      if (cb_parse_time_bin(optarg, &bp.t0, &bp.t1) != CB_OK) return CB_USAGE("option --time-bin: %s", cb_error_message());
      break;
    case 's': bp.stratify = optarg; break;
    case 'n': CB_CHECK(cb_cli_parse_int("--splits", optarg, 1, 1000, &v)); bp.splits = (int)v; break;
    case 'f':
      CB_CHECK(cb_cli_parse_double("--train-fraction", optarg, &bp.train_fraction));
      if (!(bp.train_fraction > 0 && bp.train_fraction < 1)) return CB_USAGE("option --train-fraction: expected a number in (0, 1)");
      break;
    case 'c': CB_CHECK(cb_cli_parse_int("--components", optarg, 1, 10000, &v)); bp.components = (int)v; break;
    case 'S': CB_CHECK(cb_cli_parse_u64("--seed", optarg, &seed)); bp.seed = seed; break;
    case 'C':
      if (strcmp(optarg, "internal") && strcmp(optarg, "none")) return CB_USAGE("option --ceiling: expected internal or none, got '%s'", optarg);
      bp.ceiling = optarg;
      break;
    case 'N':
      if (strcmp(optarg, "r2/c") && strcmp(optarg, "(r/c)^2") && strcmp(optarg, "r/c"))
        return CB_USAGE("option --normalise: expected r2/c, (r/c)^2 or r/c, got '%s'", optarg);
      bp.normalise = optarg;
      break;
    case 'B': bp.id = optarg; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (optind < argc) return CB_USAGE("score: unexpected argument '%s'", argv[optind]);
  if (!act) return CB_USAGE("score: missing --activations (see cortexbench score --help)");
  if (!layer) return CB_USAGE("score: missing --layer");
  if (!assembly) return CB_USAGE("score: missing --assembly");
  if (!out) return CB_USAGE("score: missing --out");
  /* One thread: the same bits as `run`, whatever the rank count. */
  openblas_set_num_threads(1);
  st = CB_OK;
  if (cb_par_rank(p) == 0) {
    cb_bench *b = NULL;
    cb_activations *a = NULL;
    cb_score s;
    memset(&s, 0, sizeof s);
    char id[512];
    if (!bp.id) {
      /* Default benchmark id: the assembly's file name without extension. */
      const char *base = strrchr(assembly, '/');
      snprintf(id, sizeof id, "%s", base ? base + 1 : assembly);
      char *dot = strrchr(id, '.');
      if (dot) *dot = '\0';
      bp.id = id;
    }
    st = cb_activations_open(act, &a);
    if (st == CB_OK) st = cb_bench_load(assembly, &bp, &b);
    if (st == CB_OK) st = cb_bench_score_layer(b, act, a, layer, &s);
    if (st == CB_OK) st = cb_score_write_json(out, &s);
    if (st == CB_OK)
      printf("%s %s on %s: raw %.4f ceiling %.4f score %.4f (+/- %.4f, %d splits) -> %s\n", s.model, s.layer,
             s.benchmark, s.raw, s.ceiling, s.score, s.error, s.n_splits, out);
    cb_score_free(&s);
    cb_bench_destroy(&b);
    cb_activations_destroy(&a);
  }
  return cb_par_agree(p, st);
}
