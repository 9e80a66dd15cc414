/* cortexbench activations: one model on one stimulus set, distributed. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_extract.h"
#include "cb_log.h"
#include "cb_par_pipeline.h"
#include "cb_strbuf.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench activations --model M --stimuli S.csv --out F.h5 [--layers L1,L2]\n"
         "                              [--batch N] [--seed S] [--stimulus-degrees D]\n\n"
         "Computes the activations of model M (a zoo name, see `cortexbench list models`) on\n"
         "every stimulus of the BrainIO stimulus set S.csv (columns stimulus_id, filename, ...;\n"
         "image files resolved beside the CSV) and writes F.h5: /stimulus_id and\n"
         "/layers/<name> float32 (n, features). Under mpirun the ranks split the stimuli and\n"
         "write F.h5 collectively.\n\n"
         "  --layers L1,L2          layers to keep (default: all)\n"
         "  --batch N               images per forward pass (default 32)\n"
         "  --seed S                seed of the model's initialisation (default 1)\n"
         "  --stimulus-degrees D    visual angle the stimuli span (default: the model's)\n");
}

cb_status cb_cmd_activations(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                       {"stimuli", required_argument, 0, 's'},
                                       {"layers", required_argument, 0, 'l'},
                                       {"out", required_argument, 0, 'o'},
                                       {"batch", required_argument, 0, 'b'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"stimulus-degrees", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *model = NULL, *stimuli = NULL, *layers = NULL, *out = NULL;
  long batch = 32;
  unsigned long long seed = 1;
  double degrees = NAN;
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("activations", argc, argv, "m:s:l:o:b:S:d:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'm': model = optarg; break;
    case 's': stimuli = optarg; break;
    case 'l': layers = optarg; break;
    case 'o': out = optarg; break;
    case 'b': CB_CHECK(cb_cli_parse_int("--batch", optarg, 1, 4096, &batch)); break;
    case 'S': CB_CHECK(cb_cli_parse_u64("--seed", optarg, &seed)); break;
    case 'd':
      CB_CHECK(cb_cli_parse_double("--stimulus-degrees", optarg, &degrees));
      if (!(degrees > 0)) return CB_USAGE("option --stimulus-degrees: expected a positive number");
      break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (optind < argc) return CB_USAGE("activations: unexpected argument '%s'", argv[optind]);
  if (!model) return CB_USAGE("activations: missing --model (see cortexbench activations --help)");
  if (!stimuli) return CB_USAGE("activations: missing --stimuli");
  if (!out) return CB_USAGE("activations: missing --out");

  cb_par_set_blas_threads(p);
  cb_model *m = NULL;
  cb_stimulus_set *set = NULL;
  cb_timers *t = NULL;
  char **names = NULL;
  int n_names = 0, *idx = NULL, n_idx = 0;
  st = cb_timers_create(&t);
  if (st == CB_OK) st = cb_model_create(model, seed, &m);
  if (st == CB_OK && layers) st = cb_strlist_split(layers, ',', &names, &n_names);
  if (st == CB_OK) st = cb_extract_resolve_layers(m, (const char *const *)names, n_names, &idx, &n_idx);
  if (st == CB_OK) st = cb_stimulus_set_read(stimuli, &set);
  st = cb_par_agree(p, st);
  if (st == CB_OK) st = cb_par_activations(p, m, model, set, degrees, (int)batch, idx, n_idx, out, t);
  if (st == CB_OK) cb_print0("wrote %s: %d stimuli x %d layer%s of %s\n", out, set->n, n_idx, n_idx == 1 ? "" : "s", model);
  free(idx);
  cb_strlist_free(&names);
  cb_stimulus_set_destroy(&set);
  cb_model_destroy(&m);
  cb_timers_destroy(&t);
  return st;
}
