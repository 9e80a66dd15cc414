/* cortexbench activations: one model on one stimulus set, distributed. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_extract.h"
#include "cb_front_end.h"
#include "cb_modelopen.h"
#include "cb_log.h"
#include "cb_par_pipeline.h"
#include "cb_strbuf.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench activations --model M --stimuli S.csv --out F.h5 [--layers L1,L2]\n"
         "                              [--batch N] [--seed S] [--stimulus-degrees D]\n"
         "                              [--input-size N|HxW] [--mean R,G,B] [--std R,G,B] [--visual-degrees D]\n"
         "                              [--modality visual|audio] [--front-end NAME]\n\n"
         "Computes the activations of model M (a zoo name, see `cortexbench list models`, or a\n"
         "path to an .onnx file) on\n"
         "every stimulus of the BrainIO stimulus set S.csv (columns stimulus_id, filename, ...;\n"
         "image files resolved beside the CSV) and writes F.h5, a netCDF-4 file (docs/formats.md):\n"
         "the coordinate stimulus_id and one float32 variable per layer, (stimulus_id, channel,\n"
         "height, width) or (stimulus_id, feature), with the exact layer name in its attribute\n"
         "`layer`; xarray.open_dataset(F.h5) reads it. Under mpirun the ranks split the stimuli\n"
         "and write F.h5 collectively.\n\n"
         "  --layers L1,L2          layers to keep (default: all): module paths for zoo models,\n"
         "                          node output names for ONNX models\n"
         "  --batch N               images per forward pass (default 32)\n"
         "  --compression L         deflate level of the layer variables, after a byte shuffle\n"
         "                          (0 = none, 1-9; default 1)\n"
         "  --seed S                seed of the model's initialisation (default 1)\n"
         "  --stimulus-degrees D    visual angle the stimuli span (default: the model's)\n"
         "ONNX models only (defaults: the size the file fixes, mean 0, std 1, 8 degrees, visual):\n"
         "  --input-size N|HxW      input height and width (for files with symbolic H, W)\n"
         "  --mean R,G,B            per-channel mean subtracted from [0,1] pixels\n"
         "  --std R,G,B             per-channel standard deviation divided by\n"
         "  --visual-degrees D      the model's field of view\n"
         "  --modality M            the stimuli the model takes: visual (default) or audio\n"
         "  --front-end NAME        its input front end (default: the modality's: image,\n"
         "                          cochleagram; see docs/architecture.md)\n");
}

static int is_onnx_path(const char *model) {
  size_t n = strlen(model);
  return (n > 5 && strcmp(model + n - 5, ".onnx") == 0) || strchr(model, '/') != NULL;
}

/* "a,b,c" -> three floats; `positive` requires each > 0. */
static cb_status parse_triple(const char *opt, const char *v, int positive, float *out) {
  char **items = NULL;
  int n = 0;
  CB_CHECK(cb_strlist_split(v, ',', &items, &n));
  cb_status st = CB_OK;
  if (n != 3) st = CB_USAGE("option %s: expected three comma-separated numbers, got '%s'", opt, v);
  for (int i = 0; st == CB_OK && i < 3; ++i) {
    double d;
    st = cb_cli_parse_double(opt, items[i], &d);
    if (st == CB_OK && positive && !(d > 0)) st = CB_USAGE("option %s: values must be positive, got '%s'", opt, v);
    if (st == CB_OK) out[i] = (float)d;
  }
  cb_strlist_free(&items);
  return st;
}

static cb_status parse_size(const char *v, int *h, int *w) {
  char *end = NULL;
  long a = strtol(v, &end, 10), b = a;
  if (end != v && *end == 'x') {
    const char *s = end + 1;
    b = strtol(s, &end, 10);
    if (end == s) a = 0;
  }
  if (end == v || *end != '\0' || a < 1 || b < 1 || a > 8192 || b > 8192)
    return CB_USAGE("option --input-size: expected N or HxW (1..8192), got '%s'", v);
  *h = (int)a;
  *w = (int)b;
  return CB_OK;
}

/* The command line of `cortexbench activations`. */
typedef struct act_args {
  const char *model, *stimuli, *layers, *out;
  long batch, level;
  unsigned long long seed;
  double degrees;    /* --stimulus-degrees, NAN: the model's */
  cb_model_info pp;  /* ONNX input options */
  int onnx_opts;     /* an ONNX-only option was given */
  int help_shown;    /* --help: nothing more to do */
} act_args;

/* One option c (its value in optarg) into a. */
static cb_status parse_option(int c, act_args *a) {
  switch (c) {
  case 'm': a->model = optarg; break;
  case 's': a->stimuli = optarg; break;
  case 'l': a->layers = optarg; break;
  case 'o': a->out = optarg; break;
  case 'b': CB_CHECK(cb_cli_parse_int("--batch", optarg, 1, 4096, &a->batch)); break;
  case 'C': CB_CHECK(cb_cli_parse_int("--compression", optarg, 0, 9, &a->level)); break;
  case 'S': CB_CHECK(cb_cli_parse_u64("--seed", optarg, &a->seed)); break;
  case 'd':
    CB_CHECK(cb_cli_parse_double("--stimulus-degrees", optarg, &a->degrees));
    if (!(a->degrees > 0)) return CB_USAGE("option --stimulus-degrees: expected a positive number");
    break;
  case 'I': CB_CHECK(parse_size(optarg, &a->pp.in_h, &a->pp.in_w));
    a->onnx_opts = 1;
    break;
  case 'M': CB_CHECK(parse_triple("--mean", optarg, 0, a->pp.mean));
    a->onnx_opts = 1;
    break;
  case 'T': CB_CHECK(parse_triple("--std", optarg, 1, a->pp.std));
    a->onnx_opts = 1;
    break;
  case 'V':
    CB_CHECK(cb_cli_parse_double("--visual-degrees", optarg, &a->pp.visual_degrees));
    if (!(a->pp.visual_degrees > 0)) return CB_USAGE("option --visual-degrees: expected a positive number");
    a->onnx_opts = 1;
    break;
  case 'A':
    if (!cb_modality_parse(optarg, &a->pp.modality))
      return CB_USAGE("option --modality: expected visual or audio, got '%s'", optarg);
    a->onnx_opts = 1;
    break;
  case 'F':
    if (cb_front_end_find(optarg) < 0) {
      char known[256];
      cb_front_end_known(known, sizeof known);
      return CB_USAGE("option --front-end: unknown input front end '%s' (known: %s)", optarg, known);
    }
    a->pp.front_end = optarg;
    a->onnx_opts = 1;
    break;
  }
  return CB_OK;
}

/* The options into a, then the required ones and their combinations checked. */
static cb_status parse_args(cb_par *p, int argc, char **argv, act_args *a) {
  static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                       {"stimuli", required_argument, 0, 's'},
                                       {"layers", required_argument, 0, 'l'},
                                       {"out", required_argument, 0, 'o'},
                                       {"batch", required_argument, 0, 'b'},
                                       {"compression", required_argument, 0, 'C'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"stimulus-degrees", required_argument, 0, 'd'},
                                       {"input-size", required_argument, 0, 'I'},
                                       {"mean", required_argument, 0, 'M'},
                                       {"std", required_argument, 0, 'T'},
                                       {"visual-degrees", required_argument, 0, 'V'},
                                       {"modality", required_argument, 0, 'A'},
                                       {"front-end", required_argument, 0, 'F'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("activations", argc, argv, "m:s:l:o:b:C:S:d:I:M:T:V:A:F:h", opts, &st)) != -1) {
    if (c == 0) return st;
    if (c == 'h') {
      if (cb_par_rank(p) == 0) help();
      a->help_shown = 1;
      return CB_OK;
    }
    CB_CHECK(parse_option(c, a));
  }
  if (optind < argc) return CB_USAGE("activations: unexpected argument '%s'", argv[optind]);
  if (!a->model) return CB_USAGE("activations: missing --model (see cortexbench activations --help)");
  if (!a->stimuli) return CB_USAGE("activations: missing --stimuli (see cortexbench activations --help)");
  if (!a->out) return CB_USAGE("activations: missing --out (see cortexbench activations --help)");
  if (a->onnx_opts && !is_onnx_path(a->model))
    return CB_USAGE("activations: --input-size, --mean, --std, --visual-degrees, --modality and --front-end apply to "
                    ".onnx models only");
  return CB_OK;
}

/* Opens the model, resolves the layers, reads the stimulus set (all ranks agree), then extracts and writes. */
static cb_status run_activations(cb_par *p, const act_args *a) {
  const int onnx = is_onnx_path(a->model);
  cb_par_set_blas_threads(p);
  cb_model *m = NULL;
  cb_stimulus_set *set = NULL;
  cb_timers *t = NULL;
  char **names = NULL;
  int n_names = 0, *idx = NULL, n_idx = 0;
  cb_status st = cb_timers_create(&t);
  /* One entry point for every model (cb_modelopen.h): a zoo name, a manifest entry or an ONNX file. */
  const cb_model_info *pp = &a->pp;
  cb_model_spec spec = {.zoo = onnx ? NULL : a->model, .onnx = onnx ? a->model : NULL, .seed = a->seed,
                        .in_h = pp->in_h, .in_w = pp->in_w, .mean = pp->mean, .std = pp->std,
                        .visual_degrees = pp->visual_degrees, .modality = pp->modality, .front_end = pp->front_end};
  if (st == CB_OK) st = cb_model_open_spec(&spec, &m);
  if (st == CB_OK && a->layers) st = cb_strlist_split(a->layers, ',', &names, &n_names);
  if (st == CB_OK) st = cb_extract_resolve_layers(m, (const char *const *)names, n_names, &idx, &n_idx);
  if (st == CB_OK) st = cb_stimulus_set_read(a->stimuli, &set);
  st = cb_par_agree(p, st);
  cb_activations_layout layout = {.deflate = (int)a->level};
  if (st == CB_OK)
    st = cb_par_activations_layout(p, m, cb_model_get_info(m)->name, NULL, set, a->degrees, (int)a->batch, idx, n_idx,
                                   a->out, &layout, t);
  if (st == CB_OK)
    cb_print0("wrote %s: %d stimuli x %d layer%s of %s\n", a->out, set->n, n_idx, n_idx == 1 ? "" : "s", a->model);
  free(idx);
  cb_strlist_free(&names);
  cb_stimulus_set_destroy(&set);
  cb_model_destroy(&m);
  cb_timers_destroy(&t);
  return st;
}

cb_status cb_cmd_activations(cb_par *p, int argc, char **argv) {
  act_args a = {.batch = 32, .level = CB_ACTIVATIONS_DEFLATE, .seed = 1, .degrees = NAN,
                .pp = {.name = NULL, .mean = {0, 0, 0}, .std = {1, 1, 1}, .visual_degrees = 8.0}};
  cb_status st = parse_args(p, argc, argv, &a);
  if (st != CB_OK || a.help_shown) return st;
  return run_activations(p, &a);
}
