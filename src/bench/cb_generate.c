#include "cb_generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_assembly.h"
#include "cb_fs.h"
#include "cb_image.h"
#include "cb_stimuli.h"
#include "cb_strbuf.h"
#include "cb_synth.h"

static const cb_generator_info generators[] = {
    {"gratings-v1",
     "walking-skeleton V1 set: 128 gratings (8 orientations x 4 spatial frequencies x 4 phases), "
     "Gabor-energy simple/complex cells with divisive normalisation, Poisson counts",
     4.0},
};

const cb_generator_info *cb_generators(int *n) {
  *n = (int)(sizeof generators / sizeof generators[0]);
  return generators;
}

const cb_generator_info *cb_generator_find(const char *name) {
  int n;
  const cb_generator_info *g = cb_generators(&n);
  for (int i = 0; i < n; ++i)
    if (!strcmp(g[i].name, name)) return &g[i];
  return NULL;
}

static cb_status write_stimuli(const cb_synth_v1 *d, const char *dir) {
  cb_status st = CB_OK;
  const char *meta[] = {"orientation", "spatial_frequency", "phase"};
  cb_stimulus_set *set = NULL;
  char path[CB_PATH_MAX], rel[512], num[64];
  CB_CHECK(cb_stimulus_set_create(d->n_stim, 3, meta, &set));
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "images"), st, done);
  CB_CHECK_GOTO(cb_mkdirs(path), st, done);
  for (int i = 0; i < d->n_stim; ++i) {
    snprintf(rel, sizeof rel, "images/%s.png", d->stimulus_id[i]);
    CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, rel), st, done);
    CB_CHECK_GOTO(cb_image_write_png(path, d->images + (size_t)i * d->size * d->size, d->size, d->size, 1), st,
                  done);
    set->stimulus_id[i] = cb_strdup(d->stimulus_id[i]);
    set->filename[i] = cb_strdup(rel);
    CB_ALLOC_GOTO(set->stimulus_id[i], st, done);
    CB_ALLOC_GOTO(set->filename[i], st, done);
    const double vals[3] = {d->orientation[i], d->spatial_frequency[i], d->phase[i]};
    for (int k = 0; k < 3; ++k) {
      snprintf(num, sizeof num, "%.17g", vals[k]);
      set->meta[(size_t)i * 3 + k] = cb_strdup(num);
      CB_ALLOC_GOTO(set->meta[(size_t)i * 3 + k], st, done);
    }
  }
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "stimuli.csv"), st, done);
  CB_CHECK_GOTO(cb_stimulus_set_write(path, set), st, done);
done:
  cb_stimulus_set_destroy(&set);
  return st;
}

static cb_status write_assembly(const cb_synth_v1 *d, const char *dir, const char *name, uint64_t seed) {
  cb_status st = CB_OK;
  const int64_t n_pres = (int64_t)d->n_stim * d->n_reps;
  cb_assembly *a = NULL;
  const char **sid = NULL, **nid = NULL, **region = NULL;
  double *rep = NULL, *ori = NULL, *sf = NULL, *ph = NULL;
  char **nid_store = NULL;
  char path[CB_PATH_MAX], ident[256];
  CB_CHECK(cb_assembly_create(n_pres, d->n_neurons, 1, &a));
  sid = malloc((size_t)n_pres * sizeof *sid);
  rep = malloc((size_t)n_pres * sizeof *rep);
  ori = malloc((size_t)n_pres * sizeof *ori);
  sf = malloc((size_t)n_pres * sizeof *sf);
  ph = malloc((size_t)n_pres * sizeof *ph);
  nid = malloc((size_t)d->n_neurons * sizeof *nid);
  region = malloc((size_t)d->n_neurons * sizeof *region);
  nid_store = calloc((size_t)d->n_neurons, sizeof *nid_store);
  CB_ALLOC_GOTO(sid, st, done);
  CB_ALLOC_GOTO(rep, st, done);
  CB_ALLOC_GOTO(ori, st, done);
  CB_ALLOC_GOTO(sf, st, done);
  CB_ALLOC_GOTO(ph, st, done);
  CB_ALLOC_GOTO(nid, st, done);
  CB_ALLOC_GOTO(region, st, done);
  CB_ALLOC_GOTO(nid_store, st, done);
  /* Presentations stimulus-major: (stimulus, repetition). */
  for (int i = 0; i < d->n_stim; ++i)
    for (int r = 0; r < d->n_reps; ++r) {
      int64_t pi = (int64_t)i * d->n_reps + r;
      sid[pi] = d->stimulus_id[i];
      rep[pi] = r;
      ori[pi] = d->orientation[i];
      sf[pi] = d->spatial_frequency[i];
      ph[pi] = d->phase[i];
      for (int k = 0; k < d->n_neurons; ++k)
        a->data[pi * d->n_neurons + k] = d->counts[((size_t)i * d->n_reps + r) * d->n_neurons + k];
    }
  for (int k = 0; k < d->n_neurons; ++k) {
    char buf[32];
    snprintf(buf, sizeof buf, "v1_%03d", k);
    nid_store[k] = cb_strdup(buf);
    CB_ALLOC_GOTO(nid_store[k], st, done);
    nid[k] = nid_store[k];
    region[k] = "V1";
  }
  const double t0 = 70.0, t1 = 170.0;
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, 0, "stimulus_id", sid), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, "repetition", rep), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, "orientation", ori), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, "spatial_frequency", sf), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, "phase", ph), st, done);
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, 1, "neuroid_id", nid), st, done);
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, 1, "region", region), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 2, "time_bin_start", &t0), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 2, "time_bin_end", &t1), st, done);
  snprintf(ident, sizeof ident, "cortexbench.%s.seed%llu", name, (unsigned long long)seed);
  free(a->identifier);
  free(a->stimulus_set_identifier);
  a->identifier = cb_strdup(ident);
  a->stimulus_set_identifier = cb_strdup(ident);
  CB_ALLOC_GOTO(a->identifier, st, done);
  CB_ALLOC_GOTO(a->stimulus_set_identifier, st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "assembly.nc"), st, done);
  CB_CHECK_GOTO(cb_assembly_write(path, a), st, done);
done:
  if (nid_store)
    for (int k = 0; k < d->n_neurons; ++k) free(nid_store[k]);
  free(nid_store);
  free(sid);
  free(rep);
  free(ori);
  free(sf);
  free(ph);
  free(nid);
  free(region);
  cb_assembly_destroy(&a);
  return st;
}

cb_status cb_generate_dataset(const char *name, uint64_t seed, const char *dir) {
  if (!cb_generator_find(name)) {
    int n;
    const cb_generator_info *g = cb_generators(&n);
    char known[512] = "";
    size_t used = 0;
    for (int i = 0; i < n; ++i)
      used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", g[i].name);
    return CB_ERROR(CB_ERR_ARG, "unknown generator '%s' (known: %s)", name, known);
  }
  cb_status st = CB_OK;
  cb_synth_v1 *d = NULL;
  cb_synth_v1_params p;
  cb_synth_v1_defaults(&p);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_synth_v1_generate(&p, seed, &d));
  CB_CHECK_GOTO(write_stimuli(d, dir), st, done);
  CB_CHECK_GOTO(write_assembly(d, dir, name, seed), st, done);
done:
  cb_synth_v1_destroy(&d);
  return st;
}
