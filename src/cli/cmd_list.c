/* cortexbench list models|benchmarks|datasets */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_config.h"
#include "cb_fs.h"
#include "cb_generate.h"
#include "cb_zoo_manifest.h"
#include "cb_metric_table.h"
#include "cb_nn.h"
#include "cb_modelopen.h"
#include "cb_zoo.h"
#include "cb_benchmark.h"
#include "cb_front_end.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench list metrics\n"
         "       cortexbench list models [NAME]\n"
         "       cortexbench list benchmarks [CONFIG]   (default benchmarks/default.ini)\n"
         "       cortexbench list datasets [CONFIG]\n\n"
         "models: every zoo model (built-in builders and the zoo manifest benchmarks/zoo.ini)\n"
         "with its input, normalisation and visual degrees; with NAME (a zoo name, a manifest\n"
         "entry or an .onnx file) the layers of that model (name and shape per image).\n"
         "metrics: every metric with its defaults (the table of docs/config.md), as Markdown.\n"
         "benchmarks: the benchmarks of a suite configuration.\n"
         "datasets: the synthetic generators, and the datasets of a suite configuration.\n");
}

typedef struct list_args {
  const char *what, *config;
} list_args;

static void print_pre(const char *in, const float *mean, const float *std, double deg) {
  printf("input %s, %.1f deg, mean (%.3f, %.3f, %.3f), std (%.3f, %.3f, %.3f)", in, deg, mean[0], mean[1], mean[2],
         std[0], std[1], std[2]);
}

/* The layers of one model. */
static cb_status list_model(const char *name) {
  cb_model *m = NULL;
  CB_CHECK(cb_cli_zoo_open(name, 1, &m));
  const cb_model_info *info = cb_model_get_info(m);
  char in[48];
  snprintf(in, sizeof in, "%dx%dx%d", info->in_c, info->in_h, info->in_w);
  printf("%s  %s (front end %s), ", name, cb_modality_name(info->modality),
         info->front_end ? info->front_end : cb_front_end_default(info->modality));
  if (info->modality == CB_MODALITY_AUDIO)
    printf("input %s", in);
  else
    print_pre(in, info->mean, info->std, info->visual_degrees);
  printf(", %d layers\n", cb_model_n_layers(m));
  for (int l = 0; l < cb_model_n_layers(m); ++l) {
    int c, h, w;
    cb_model_layer_shape(m, l, &c, &h, &w);
    printf("  %-28s %4d x %3d x %3d  (%d features)\n", cb_model_layer_name(m, l), c, h, w, c * h * w);
  }
  cb_model_destroy(&m);
  return CB_OK;
}

/* Every model, without building the big ones: preprocessing from the zoo manifest. */
static cb_status list_models(const char *name) {
  CB_CHECK(cb_models_register());
  if (name) return list_model(name);
  char path[CB_PATH_MAX];
  cb_zoo_manifest *man = NULL;
  CB_CHECK(cb_cli_zoo_manifest_path(NULL, path, sizeof path));
  if (cb_path_exists(path)) CB_CHECK(cb_zoo_manifest_load(path, &man));
  for (int k = 0; k < cb_zoo_count(); ++k) {
    const cb_zoo_entry *e = cb_zoo_manifest_find(man, cb_zoo_name(k));
    printf("%-20s ", cb_zoo_name(k));
    if (e && e->source == CB_ZOO_SRC_BUILDER) {
      char in[32] = "default size";
      if (e->in_h > 0) snprintf(in, sizeof in, "3x%dx%d", e->in_h, e->in_w);
      print_pre(in, e->mean, e->std, e->visual_degrees);
      printf("\n%-20s ", "");
    }
    printf("%s\n", cb_zoo_describe(k));
  }
  for (int i = 0; man && i < man->n; ++i) {
    const cb_zoo_entry *e = &man->entries[i];
    if (e->source == CB_ZOO_SRC_BUILDER && !strcmp(e->name, e->builder)) continue;
    char in[32] = "default size";
    if (e->in_h > 0) snprintf(in, sizeof in, "3x%dx%d", e->in_h, e->in_w);
    printf("%-20s ", e->name);
    print_pre(in, e->mean, e->std, e->visual_degrees);
    printf("\n%-20s %s %s\n", "", cb_zoo_source_name(e->source),
           e->source == CB_ZOO_SRC_BUILDER ? e->builder : e->source == CB_ZOO_SRC_ONNX ? e->onnx : e->url);
  }
  printf("(layers of one model: cortexbench list models NAME; manifest %s: cortexbench zoo list)\n", path);
  cb_zoo_manifest_destroy(&man);
  return CB_OK;
}

static cb_status list_rank0(void *arg) {
  list_args *a = arg;
  if (!strcmp(a->what, "models")) return list_models(a->config);
  if (!strcmp(a->what, "metrics")) {
    cb_metric_table_print(stdout);
    return CB_OK;
  }
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
  CB_CHECK(cb_bench_config_read(a->config, &c));
  if (!strcmp(a->what, "benchmarks")) {
    printf("benchmarks of %s:\n", a->config);
    for (int i = 0; i < c->n_benchmarks; ++i) {
      const cb_cfg_benchmark *b = &c->benchmarks[i];
      cb_bench_params p; /* resolved: what a run uses, the metric's defaults filled in */
      cb_bench_params_from_config(b, &p);
      char split[160];
      if (!strcmp(p.split, "all"))
        snprintf(split, sizeof split, "split all (every stimulus, no cross-validation)");
      else if (!strcmp(p.split, "kfold"))
        snprintf(split, sizeof split, "split kfold (%d folds)", p.splits);
      else
        snprintf(split, sizeof split, "split %s (%d splits, train fraction %g)", p.split, p.splits, p.train_fraction);
      printf("  %-24s dataset %s, region %s, metric %s, %s%s%s%s%s, ceiling %s, normalise %s\n", b->id, b->dataset,
             p.region ? p.region : "(every neuroid)", p.metric, split, p.stratify ? ", stratified on " : "",
             p.stratify ? p.stratify : "", p.group ? ", grouped by " : "", p.group ? p.group : "", p.ceiling,
             p.normalise);
    }
  } else {
    printf("datasets of %s:\n", a->config);
    for (int i = 0; i < c->n_datasets; ++i) {
      const cb_cfg_dataset *d = &c->datasets[i];
      if (d->generator)
        printf("  %-24s generator %s, seed %llu\n", d->id, d->generator, (unsigned long long)d->seed);
      else
        printf("  %-24s stimuli %s, %s %s\n", d->id, d->stimuli, d->rdm ? "rdm" : "assembly",
               d->rdm ? d->rdm : d->assembly ? d->assembly : "(none)");
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
  if (optind >= argc) return CB_USAGE("list: missing what to list: metrics, models, benchmarks or datasets (see cortexbench list --help)");
  list_args a = {argv[optind], NULL};
  if (strcmp(a.what, "metrics") && strcmp(a.what, "models") && strcmp(a.what, "benchmarks") &&
      strcmp(a.what, "datasets"))
    return CB_USAGE("list: unknown list '%s' (metrics, models, benchmarks or datasets)", a.what);
  if (optind + 1 < argc) a.config = argv[optind + 1];
  else if (strcmp(a.what, "models") && strcmp(a.what, "metrics") && cb_path_exists("benchmarks/default.ini")) a.config = "benchmarks/default.ini";
  if (optind + 2 < argc) return CB_USAGE("list: unexpected argument '%s'", argv[optind + 2]);
  return cb_cli_on_rank0(p, list_rank0, &a);
}
