/* cb_zoo.c - the zoo registry: one row per built-in model, then the rows
 * registered from outside nn (cb_zoo_register). To add a model, write its
 * builder in a cb_zoo_<family>.c file, declare it in cb_zoo_impl.h (or its
 * family's header) and append a row to `zoo` below. Models without learned
 * weights (fixed filter banks, generators' ground truth) set .fixed: every
 * constant is then part of the model and cb_model_reinit refuses them (an
 * "untrained twin" would be the model itself). */
#include <stdio.h>
#include <string.h>

#include "cb_nn_model.h"
#include "cb_zoo_audio.h" /* auditory models */
#include "cb_zoo_bio.h"   /* v1like, hmax */
#include "cb_zoo_impl.h"

typedef struct zoo_entry {
  const char *name;
  cb__zoo_build_fn build;
  const char *summary;
  int fixed; /* no learned weights (see above) */
} zoo_entry;

static const zoo_entry zoo[] = {
    {"pixels", cb__zoo_build_pixels, "the preprocessed image itself (3x32x32)", 0},
    {"tinycnn", cb__zoo_build_tinycnn, "two seeded conv layers (3x64x64), for the default suite", 0},
    {"alexnet", cb__zoo_build_alexnet, "AlexNet (torchvision), random seeded weights", 0},
    {"vgg16", cb__zoo_build_vgg16, "VGG-16 (torchvision), random seeded weights, 138 M parameters", 0},
    {"resnet18", cb__zoo_build_resnet18, "ResNet-18 (torchvision), random seeded weights", 0},
    {"resnet50", cb__zoo_build_resnet50, "ResNet-50 (torchvision), random seeded weights", 0},
    {"cornet_z", cb__zoo_build_cornet_z, "CORnet-Z (feed-forward), random seeded weights", 0},
    {"cornet_s", cb__zoo_build_cornet_s, "CORnet-S (recurrent V2 x2, V4 x4, IT x2, unrolled), random seeded weights", 0},
    {"stm-baseline", cb_audio_zoo_stm, "spectrotemporal-modulation filterbank (Chi-Ru-Shamma) on a 211x400 cochleagram", 1},
    {"cochcnn9", cb_audio_zoo_cochcnn9, "Kell-2018 CochCNN9 layout on a 211x400 cochleagram, random seeded weights", 0},
    {"synthetic-aud-truth", cb_audio_zoo_truth, "the synthetic-aud voxel model (seed = the dataset's seed)", 1},
    {"v1like", cb__zoo_build_v1like, "VOneNet-style V1 Gabor bank, 256 simple + 256 complex cells (seeded parameters)", 1},
    {"hmax", cb__zoo_build_hmax, "HMAX S1-C1-S2-C2 (Serre 2007), 4 x 64 S2 prototypes sampled under the seed", 1},
    {"fmnist_cnn", cb__zoo_build_fmnist_cnn, "small CNN for 1x28x28 images (the Fashion-MNIST training example)", 0},
    {"synit_cnn", cb__zoo_build_synit_cnn, "small CNN for 1x64x64 images, 8 classes (the synthetic-it training example)", 0},
};
#define N_BUILTIN ((int)(sizeof zoo / sizeof zoo[0]))
#define MAX_REGISTERED 16

static zoo_entry registered[MAX_REGISTERED]; /* (n_registered) rows from cb_zoo_register */
static int n_registered = 0;

static const zoo_entry *row(int i) {
  if (i >= 0 && i < N_BUILTIN) return &zoo[i];
  if (i >= N_BUILTIN && i < N_BUILTIN + n_registered) return &registered[i - N_BUILTIN];
  return NULL;
}

int cb_zoo_count(void) { return N_BUILTIN + n_registered; }
const char *cb_zoo_name(int i) { return row(i) ? row(i)->name : NULL; }
const char *cb_zoo_describe(int i) { return row(i) ? row(i)->summary : NULL; }

const char *const *cb_zoo_names(void) {
  static const char *names[N_BUILTIN + MAX_REGISTERED + 1];
  int n = cb_zoo_count();
  for (int i = 0; i < n; ++i) names[i] = row(i)->name;
  names[n] = NULL;
  return names;
}

cb_status cb_zoo_register(const char *name, cb_zoo_builder build, const char *summary, int fixed) {
  if (name == NULL || build == NULL || summary == NULL) return CB_ERROR(CB_ERR_ARG, "zoo register: NULL argument");
  for (int i = 0; i < cb_zoo_count(); ++i)
    if (strcmp(row(i)->name, name) == 0) {
      if (row(i)->build == build) return CB_OK;
      return CB_ERROR(CB_ERR_ARG, "zoo register: model '%s' exists with another builder", name);
    }
  if (n_registered == MAX_REGISTERED)
    return CB_ERROR(CB_ERR_ARG, "zoo register: more than %d registered models ('%s')", MAX_REGISTERED, name);
  registered[n_registered++] = (zoo_entry){name, build, summary, fixed};
  return CB_OK;
}

/* Every constant of a model without learned weights is part of the model. */
static void mark_fixed(cb_graph *g) {
  for (int id = 0; id < cb_graph_n_values(g); ++id) {
    int input = 0;
    for (int i = 0; i < cb_graph_n_inputs(g) && !input; ++i) input = cb_graph_input_id(g, i) == id;
    if (!input && !cb_graph_value_is_layer(g, id)) (void)cb_graph_mark_fixed(g, id);
  }
}

static const zoo_entry *find(const char *name) {
  for (int i = 0; i < cb_zoo_count(); ++i)
    if (strcmp(row(i)->name, name) == 0) return row(i);
  char known[512] = "";
  size_t used = 0;
  for (int i = 0; i < cb_zoo_count() && used < sizeof known; ++i)
    used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", row(i)->name);
  CB_ERROR(CB_ERR_ARG, "unknown model '%s' (known: %s)", name, known);
  return NULL;
}

cb_status cb__zoo_build_graph(const char *name, const cb_zoo_opts *o, cb_graph **out, cb_model_info *info) {
  if (name == NULL || out == NULL || info == NULL) return CB_ERROR(CB_ERR_ARG, "zoo: NULL argument");
  cb_zoo_opts def = {.seed = 1};
  if (o == NULL) o = &def;
  if (o->in_h < 0 || o->in_w < 0) return CB_ERROR(CB_ERR_ARG, "model '%s': negative input size %dx%d", name, o->in_h, o->in_w);
  const zoo_entry *e = find(name);
  if (e == NULL) return CB_ERR_ARG;
  cb_graph *g = NULL;
  CB_CHECK(cb_graph_create(&g));
  cb_status st = e->build(o, g, info);
  if (st != CB_OK) {
    cb_graph_destroy(&g);
    return cb_error_prefix("model '%s'", name);
  }
  *out = g;
  return CB_OK;
}

cb_status cb_zoo_create(const char *name, const cb_zoo_opts *o, cb_model **out) {
  if (name == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "model create: NULL argument");
  cb_zoo_opts def = {.seed = 1};
  if (o == NULL) o = &def;
  const zoo_entry *e = find(name);
  if (e == NULL) return CB_ERR_ARG;
  cb_graph *g = NULL;
  cb_model_info info;
  CB_CHECK(cb__zoo_build_graph(name, o, &g, &info));
  if (e->fixed) mark_fixed(g);
  return cb__model_from_graph(&info, g, out);
}

cb_status cb_zoo_create_as(const char *name, const cb_zoo_opts *o, const cb_model_info *as, cb_model **out) {
  if (as == NULL || as->name == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "model create: NULL argument");
  cb_model *m = NULL;
  CB_CHECK(cb_zoo_create(name, o, &m));
  if (as->modality != CB_MODALITY_UNSET && as->modality != m->info.modality) {
    cb_status st = CB_ERROR(CB_ERR_CONFIG, "model '%s': declared modality %s, but builder '%s' takes %s stimuli",
                            as->name, cb_modality_name(as->modality), name, cb_modality_name(m->info.modality));
    cb_model_destroy(&m);
    return st;
  }
  if (as->front_end && *as->front_end) {
    cb_status st = cb_model_set_front_end(m, as->front_end);
    if (st != CB_OK) {
      cb_model_destroy(&m);
      return st;
    }
  }
  snprintf(m->name, sizeof m->name, "%s", as->name);
  memcpy(m->info.mean, as->mean, sizeof m->info.mean);
  memcpy(m->info.std, as->std, sizeof m->info.std);
  m->info.visual_degrees = as->visual_degrees;
  *out = m;
  return CB_OK;
}

cb_status cb_model_create(const char *zoo_name, uint64_t seed, cb_model **out) {
  cb_zoo_opts o = {.seed = seed};
  return cb_zoo_create(zoo_name, &o, out);
}
