/* cortexbench generate: write a synthetic dataset. */
#include <getopt.h>
#include <stdio.h>

#include "cb_generate.h"
#include "cli.h"

static void help(void) {
  int n;
  const cb_generator_info *g = cb_generators(&n);
  printf("usage: cortexbench generate ID --out DIR [--seed S]\n\n"
         "Writes a deterministic synthetic dataset in BrainIO form: DIR/stimuli.csv,\n"
         "DIR/images/*.png and DIR/assembly.nc. Same ID and seed give the same bytes.\n\n"
         "generators:\n");
  for (int i = 0; i < n; ++i) printf("  %-14s %s (%.0f deg)\n", g[i].name, g[i].description, g[i].stimulus_degrees);
}

typedef struct gen_args {
  const char *id, *out;
  unsigned long long seed;
} gen_args;

static cb_status gen_rank0(void *arg) {
  gen_args *a = arg;
  CB_CHECK(cb_generate_dataset(a->id, a->seed, a->out));
  printf("wrote %s (seed %llu) to %s\n", a->id, a->seed, a->out);
  return CB_OK;
}

cb_status cb_cmd_generate(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {
      {"out", required_argument, 0, 'o'}, {"seed", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  gen_args a = {NULL, NULL, 1};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("generate", argc, argv, "o:s:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'o': a.out = optarg; break;
    case 's': CB_CHECK(cb_cli_parse_u64("--seed", optarg, &a.seed)); break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("generate: missing ID (see cortexbench generate --help)");
  if (optind + 1 < argc) return CB_USAGE("generate: unexpected argument '%s'", argv[optind + 1]);
  if (!a.out) return CB_USAGE("generate: missing --out DIR (see cortexbench generate --help)");
  a.id = argv[optind];
  if (!cb_generator_find(a.id)) return CB_USAGE("generate: unknown dataset '%s' (see cortexbench generate --help)", a.id);
  return cb_cli_on_rank0(p, gen_rank0, &a);
}
