/* cortexbench list models|benchmarks|datasets */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_config.h"
#include "cb_fs.h"
#include "cb_generate.h"
#include "cb_nn.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench list models\n"
         "       cortexbench list benchmarks [CONFIG]   (default benchmarks/default.ini)\n"
         "       cortexbench list datasets [CONFIG]\n\n"
         "models: every zoo model with its input and its layers (name and shape per image).\n"
         "benchmarks: the benchmarks of a suite configuration.\n"
         "datasets: the synthetic generators, and the datasets of a suite configuration.\n");
}

typedef struct list_args {
  const char *what, *config;
} list_args;

static cb_status list_models(void) {
  for (const char *const *name = cb_zoo_names(); *name; ++name) {
    cb_model *m = NULL;
    CB_CHECK(cb_model_create(*name, 1, &m));
    const cb_model_info *info = cb_model_get_info(m);
    printf("%s  input %dx%dx%d, %.1f deg, mean (%.3f, %.3f, %.3f), std (%.3f, %.3f, %.3f)\n", *name, info->in_c,
           info->in_h, info->in_w, info->visual_degrees, info->mean[0], info->mean[1], info->mean[2], info->std[0],
           info->std[1], info->std[2]);
    for (int l = 0; l < cb_model_n_layers(m); ++l) {
      int c, h, w;
      cb_model_layer_shape(m, l, &c, &h, &w);
      printf("  %-24s %4d x %3d x %3d  (%d features)\n", cb_model_layer_name(m, l), c, h, w, c * h * w);
    }
    cb_model_destroy(&m);
  }
  return CB_OK;
}

static cb_status list_rank0(void *arg) {
  list_args *a = arg;
  if (!strcmp(a->what, "models")) return list_models();
  if (!strcmp(a->what, "datasets")) {
    int n;
    const cb_generator_info *g = cb_generators(&n);
    printf("synthetic generators (cortexbench generate ID):\n");
    for (int i = 0; i < n; ++i) printf("  %-14s %s\n", g[i].name, g[i].description);
  }
  if (!a->config) {
    if (!strcmp(a->what, "datasets")) return CB_OK;
    return CB_ERROR(CB_ERR_IO, "benchmarks/default.ini: not found (give a CONFIG)");
  }
  cb_config *c = NULL;
  CB_CHECK(cb_config_read(a->config, &c));
  if (!strcmp(a->what, "benchmarks")) {
    printf("benchmarks of %s:\n", a->config);
    for (int i = 0; i < c->n_benchmarks; ++i) {
      const cb_cfg_benchmark *b = &c->benchmarks[i];
      printf("  %-24s dataset %s, region %s, metric %s, %d splits, ceiling %s, %s\n", b->id, b->dataset,
             b->region ? b->region : "(all)", b->metric, b->splits, b->ceiling, b->normalise);
    }
  } else {
    printf("datasets of %s:\n", a->config);
    for (int i = 0; i < c->n_datasets; ++i) {
      const cb_cfg_dataset *d = &c->datasets[i];
      if (d->generator)
        printf("  %-24s generator %s, seed %llu\n", d->id, d->generator, (unsigned long long)d->seed);
      else
        printf("  %-24s stimuli %s, assembly %s\n", d->id, d->stimuli, d->assembly);
    }
  }
  cb_config_destroy(&c);
  return CB_OK;
}

cb_status cb_cmd_list(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("list", argc, argv, "h", opts, &st)) != -1) {
    if (c == 0) return st;
    if (c == 'h') {
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("list: missing what to list: models, benchmarks or datasets");
  list_args a = {argv[optind], NULL};
  if (strcmp(a.what, "models") && strcmp(a.what, "benchmarks") && strcmp(a.what, "datasets"))
    return CB_USAGE("list: unknown list '%s' (models, benchmarks or datasets)", a.what);
  if (optind + 1 < argc) a.config = argv[optind + 1];
  else if (strcmp(a.what, "models") && cb_path_exists("benchmarks/default.ini")) a.config = "benchmarks/default.ini";
  if (optind + 2 < argc) return CB_USAGE("list: unexpected argument '%s'", argv[optind + 2]);
  return cb_cli_on_rank0(p, list_rank0, &a);
}
