/* cb_generate.c - the generator registry and the BrainIO writer of
 * synthetic datasets (stimulus CSV + PNGs, then the netCDF assembly). */
#include "cb_generate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_assembly.h"
#include "cb_extract.h"
#include "cb_fs.h"
#include "cb_image.h"
#include "cb_modelopen.h"
#include "cb_nn.h"
#include "cb_stimuli.h"
#include "cb_strbuf.h"
#include "cb_synth.h"
#include "cb_synth_it.h"
#include "cb_synth_v1set.h"
#include "cb_synth_aud.h" /* synthetic-aud (writer at the end of this file) */
#include "cb_audio_input.h"
#include "cb_sound_write.h"

#define STREAM_V1_COUNTS (9ull << 56)
#define STREAM_IT_NOISE (10ull << 56)
#define TIME_BIN_START 70.0
#define TIME_BIN_END 170.0

static const cb_generator_info generators[] = {
    {"gratings-v1",
     "walking-skeleton V1 set: 128 gratings (8 orientations x 4 spatial frequencies x 4 phases), "
     "Gabor-energy simple/complex cells with divisive normalisation, Poisson counts",
     4.0, NULL, CB_MODALITY_VISUAL},
    {"synthetic-v1",
     "synthetic V1: 320 images at 4 deg (128 gratings, 64 plaids, 128 oriented 1/f textures; texture_type), "
     "128 Gabor-energy simple/complex cells with divisive normalisation, Poisson counts, 10 repetitions",
     CB_SYNTH_V1SET_DEGREES, "synthetic-v1-truth", CB_MODALITY_VISUAL},
    {"synthetic-it",
     "synthetic IT (HvM-like): 8 categories x 8 procedural objects at variations 0/3/6 on 1/f backgrounds, "
     "640 images at 8 deg, 160 sites mixing a hidden CNN's features and category evidence, Gaussian noise, "
     "20 repetitions",
     CB_SYNTH_IT_DEGREES, "synthetic-it-truth", CB_MODALITY_VISUAL},
    {"synthetic-aud",
     "synthetic auditory: 168 two-second 20 kHz sounds (harmonic, noise, am, fm, formant, click; sound_type), "
     "240 voxels mixing spectrotemporal-modulation amplitudes (region auditory), Gaussian noise, 3 repetitions",
     0.0, "synthetic-aud-truth", CB_MODALITY_AUDIO},
};

static cb_status synthetic_aud(uint64_t seed, const char *dir, cb_synth_set **out);

const cb_generator_info *cb_generators(int *n) {
  *n = (int)(sizeof generators / sizeof generators[0]);
  return generators;
}

const cb_generator_info *cb_generator_find(const char *name) {
  int n;
  const cb_generator_info *g = cb_generators(&n);
  for (int i = 0; name != NULL && i < n; ++i)
    if (!strcmp(g[i].name, name)) return &g[i];
  return NULL;
}

/* DIR/images/<id>.png for every stimulus, then DIR/stimuli.csv. */
static cb_status write_stimuli(const cb_synth_set *d, const char *dir) {
  cb_status st = CB_OK;
  const char *meta[CB_SYNTH_MAX_META];
  cb_stimulus_set *set = NULL;
  char path[CB_PATH_MAX], rel[512], num[64];
  const size_t img_bytes = (size_t)d->height * d->width * d->channels;
  for (int k = 0; k < d->n_meta; ++k) meta[k] = d->meta_names[k];
  CB_CHECK(cb_stimulus_set_create(d->n_stim, d->n_meta, meta, &set));
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "images"), st, done);
  CB_CHECK_GOTO(cb_mkdirs(path), st, done);
  for (int i = 0; i < d->n_stim; ++i) {
    snprintf(rel, sizeof rel, "images/%s.png", d->stimulus_id[i]);
    CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, rel), st, done);
    CB_CHECK_GOTO(cb_image_write_png(path, d->images + (size_t)i * img_bytes, d->height, d->width, d->channels), st,
                  done);
    set->stimulus_id[i] = cb_strdup(d->stimulus_id[i]);
    set->filename[i] = cb_strdup(rel);
    CB_ALLOC_GOTO(set->stimulus_id[i], st, done);
    CB_ALLOC_GOTO(set->filename[i], st, done);
    for (int k = 0; k < d->n_meta; ++k) {
      size_t at = (size_t)i * d->n_meta + k;
      if (d->meta_is_string[k]) {
        set->meta[at] = cb_strdup(d->meta_str[at] ? d->meta_str[at] : "");
      } else {
        snprintf(num, sizeof num, "%.17g", d->meta_num[at]);
        set->meta[at] = cb_strdup(num);
      }
      CB_ALLOC_GOTO(set->meta[at], st, done);
    }
  }
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "stimuli.csv"), st, done);
  CB_CHECK_GOTO(cb_stimulus_set_write(path, set), st, done);
done:
  cb_stimulus_set_destroy(&set);
  return st;
}

/* DIR/assembly.nc: presentations stimulus-major (stimulus, repetition) with
 * coordinates stimulus_id, repetition and the metadata columns; neuroids
 * <prefix>_%03d in `region`; one time bin 70-170 ms. */
static cb_status write_assembly(const cb_synth_set *d, const char *dir, const char *name, uint64_t seed) {
  cb_status st = CB_OK;
  const int64_t n_pres = (int64_t)d->n_stim * d->n_reps;
  cb_assembly *a = NULL;
  const char **sid = NULL, **nid = NULL, **region = NULL, **sval = NULL;
  double *rep = NULL, *nval = NULL;
  char **nid_store = NULL;
  char path[CB_PATH_MAX], ident[256];
  CB_CHECK(cb_assembly_create(n_pres, d->n_neurons, 1, &a));
  CB_ALLOC_GOTO(sid = malloc((size_t)n_pres * sizeof *sid), st, done);
  CB_ALLOC_GOTO(sval = malloc((size_t)n_pres * sizeof *sval), st, done);
  CB_ALLOC_GOTO(rep = malloc((size_t)n_pres * sizeof *rep), st, done);
  CB_ALLOC_GOTO(nval = malloc((size_t)n_pres * sizeof *nval), st, done);
  CB_ALLOC_GOTO(nid = malloc((size_t)d->n_neurons * sizeof *nid), st, done);
  CB_ALLOC_GOTO(region = malloc((size_t)d->n_neurons * sizeof *region), st, done);
  CB_ALLOC_GOTO(nid_store = calloc((size_t)d->n_neurons, sizeof *nid_store), st, done);
  for (int i = 0; i < d->n_stim; ++i)
    for (int r = 0; r < d->n_reps; ++r) {
      int64_t pi = (int64_t)i * d->n_reps + r;
      sid[pi] = d->stimulus_id[i];
      rep[pi] = r;
      for (int k = 0; k < d->n_neurons; ++k)
        a->data[pi * d->n_neurons + k] = d->counts[((size_t)i * d->n_reps + r) * d->n_neurons + k];
    }
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, 0, "stimulus_id", sid), st, done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, "repetition", rep), st, done);
  for (int m = 0; m < d->n_meta; ++m) {
    for (int64_t pi = 0; pi < n_pres; ++pi) {
      size_t at = (size_t)(pi / d->n_reps) * d->n_meta + m;
      sval[pi] = d->meta_str[at] ? d->meta_str[at] : "";
      nval[pi] = d->meta_num[at];
    }
    if (d->meta_is_string[m])
      CB_CHECK_GOTO(cb_assembly_add_string_coord(a, 0, d->meta_names[m], sval), st, done);
    else
      CB_CHECK_GOTO(cb_assembly_add_number_coord(a, 0, d->meta_names[m], nval), st, done);
  }
  for (int k = 0; k < d->n_neurons; ++k) {
    char buf[48];
    snprintf(buf, sizeof buf, "%s_%03d", d->neuroid_prefix, k);
    nid_store[k] = cb_strdup(buf);
    CB_ALLOC_GOTO(nid_store[k], st, done);
    nid[k] = nid_store[k];
    region[k] = d->region;
  }
  const double t0 = TIME_BIN_START, t1 = TIME_BIN_END;
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
  free(sval);
  free(rep);
  free(nval);
  free(nid);
  free(region);
  cb_assembly_destroy(&a);
  return st;
}

/* gratings-v1: the walking skeleton's data as a cb_synth_set (same bytes on disk as before). */
static cb_status gratings_v1(uint64_t seed, cb_synth_set **out) {
  cb_status st = CB_OK;
  cb_synth_v1 *d = NULL;
  cb_synth_set *s = NULL;
  cb_synth_v1_params p;
  const char *names[] = {"orientation", "spatial_frequency", "phase"};
  const int is_str[] = {0, 0, 0};
  cb_synth_v1_defaults(&p);
  CB_CHECK(cb_synth_v1_generate(&p, seed, &d));
  CB_CHECK_GOTO(cb_synth_set_create("gratings-v1", d->n_stim, d->size, d->size, 1, d->visual_degrees, 3, names,
                                    is_str, &s),
                st, fail);
  memcpy(s->images, d->images, (size_t)d->n_stim * d->size * d->size);
  for (int i = 0; i < d->n_stim; ++i) {
    CB_CHECK_GOTO(cb_synth_set_id(s, i, d->stimulus_id[i]), st, fail);
    cb_synth_set_meta_num(s, i, 0, d->orientation[i]);
    cb_synth_set_meta_num(s, i, 1, d->spatial_frequency[i]);
    cb_synth_set_meta_num(s, i, 2, d->phase[i]);
  }
  size_t nr = (size_t)d->n_stim * d->n_neurons;
  CB_ALLOC_GOTO(s->rates = malloc(nr * sizeof(double)), st, fail);
  CB_ALLOC_GOTO(s->counts = malloc(nr * d->n_reps * sizeof(double)), st, fail);
  memcpy(s->rates, d->rates, nr * sizeof(double));
  memcpy(s->counts, d->counts, nr * d->n_reps * sizeof(double));
  s->n_neurons = d->n_neurons;
  s->n_reps = d->n_reps;
  s->noise = CB_SYNTH_NOISE_POISSON;
  snprintf(s->region, sizeof s->region, "V1");
  snprintf(s->neuroid_prefix, sizeof s->neuroid_prefix, "v1");
  cb_synth_v1_destroy(&d);
  *out = s;
  return CB_OK;
fail:
  cb_synth_v1_destroy(&d);
  cb_synth_set_destroy(&s);
  return st;
}

/* Layer "rates" of the truth model on the stimulus set just written: rates (n_stim, n_neurons). */
static cb_status truth_rates(const cb_generator_info *gi, uint64_t seed, const char *dir, int n_stim,
                             double **rates, int *n_neurons) {
  cb_status st = CB_OK;
  cb_model *m = NULL;
  cb_stimulus_set *set = NULL;
  float *out[1] = {NULL};
  char path[CB_PATH_MAX];
  int idx = -1, c, h, w;
  CB_CHECK(cb_path_join(path, sizeof path, dir, "stimuli.csv"));
  CB_CHECK(cb_stimulus_set_read(path, &set));
  CB_CHECK_GOTO(cb_models_register(), st, done);
  CB_CHECK_GOTO(cb_model_create(gi->truth_model, seed, &m), st, done);
  idx = cb_model_find_layer(m, "rates");
  if (idx < 0 || set->n != n_stim) {
    st = CB_ERROR(CB_ERR_INTERNAL, "%s: truth model %s has no layer 'rates' or the set has %d != %d stimuli", gi->name,
                  gi->truth_model, set->n, n_stim);
    goto done;
  }
  cb_model_layer_shape(m, idx, &c, &h, &w);
  CB_CHECK_GOTO(cb_extract_block(m, set, gi->stimulus_degrees, 0, set->n, 32, &idx, 1, out), st, done);
  const size_t q = (size_t)c * h * w;
  double *r = malloc((size_t)n_stim * q * sizeof *r);
  CB_ALLOC_GOTO(r, st, done);
  for (size_t i = 0; i < (size_t)n_stim * q; ++i) r[i] = out[0][i];
  *rates = r;
  *n_neurons = (int)q;
done:
  free(out[0]);
  cb_model_destroy(&m);
  cb_stimulus_set_destroy(&set);
  return st;
}

cb_status cb_generate_dataset_keep(const char *name, uint64_t seed, const char *dir, cb_synth_set **out) {
  const cb_generator_info *gi = cb_generator_find(name);
  if (gi == NULL) {
    int n;
    const cb_generator_info *g = cb_generators(&n);
    char known[512] = "";
    size_t used = 0;
    for (int i = 0; i < n; ++i)
      used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", g[i].name);
    return CB_ERROR(CB_ERR_ARG, "unknown generator '%s' (known: %s)", name ? name : "(null)", known);
  }
  cb_status st = CB_OK;
  cb_synth_set *s = NULL;
  double *rates = NULL, *sd = NULL;
  cb_synth_it_net *net = NULL;
  int q = 0;
  CB_CHECK(cb_mkdirs(dir));
  if (!strcmp(name, "gratings-v1")) {
    CB_CHECK(gratings_v1(seed, &s));
    CB_CHECK_GOTO(write_stimuli(s, dir), st, done);
  } else if (!strcmp(name, "synthetic-v1")) {
    CB_CHECK(cb_synth_v1set_stimuli(seed, &s));
    CB_CHECK_GOTO(write_stimuli(s, dir), st, done);
    CB_CHECK_GOTO(truth_rates(gi, seed, dir, s->n_stim, &rates, &q), st, done);
    CB_CHECK_GOTO(cb_synth_set_sample_poisson(s, "V1", "v1", q, CB_SYNTH_V1SET_REPS, rates, seed, STREAM_V1_COUNTS), st,
                  done);
  } else if (!strcmp(name, "synthetic-aud")) {
    CB_CHECK(synthetic_aud(seed, dir, &s));
  } else {
    CB_CHECK(cb_synth_it_stimuli(seed, &s));
    CB_CHECK_GOTO(write_stimuli(s, dir), st, done);
    CB_CHECK_GOTO(truth_rates(gi, seed, dir, s->n_stim, &rates, &q), st, done);
    CB_CHECK_GOTO(cb_synth_it_network(seed, &net), st, done);
    if (q != net->n_sites) {
      st = CB_ERROR(CB_ERR_INTERNAL, "synthetic-it: truth model gives %d rates for %d sites", q, net->n_sites);
      goto done;
    }
    CB_ALLOC_GOTO(sd = malloc((size_t)q * sizeof *sd), st, done);
    cb_synth_it_noise_sd(net, rates, s->n_stim, sd);
    CB_CHECK_GOTO(
        cb_synth_set_sample_gaussian(s, "IT", "it", q, CB_SYNTH_IT_REPS, rates, sd, seed, STREAM_IT_NOISE), st,
        done);
  }
  CB_CHECK_GOTO(write_assembly(s, dir, name, seed), st, done);
  if (out != NULL) {
    *out = s;
    s = NULL;
  }
done:
  free(rates);
  free(sd);
  cb_synth_it_net_destroy(&net);
  cb_synth_set_destroy(&s);
  return st;
}

cb_status cb_generate_dataset(const char *name, uint64_t seed, const char *dir) {
  return cb_generate_dataset_keep(name, seed, dir, NULL);
}

/* synthetic-aud: DIR/sounds/<id>.wav (float WAV at 20 kHz) + stimuli.csv
 * (filename -> the WAV, column sound_type); voxel rates = layer "voxels" of
 * synthetic-aud-truth (same seed) on the written WAV files; Gaussian noise
 * (cb_synth_aud_noise_sd), 3 repetitions; the caller writes the assembly.
 * The set's images are a 1x1 placeholder (1 "degree"): the stimuli are sounds. */
#define STREAM_AUD_NOISE (11ull << 56)
static cb_status synthetic_aud(uint64_t seed, const char *dir, cb_synth_set **out) {
  const int n = CB_SYNTH_AUD_TYPES * CB_SYNTH_AUD_PER_TYPE;
  const char *meta[1] = {"sound_type"};
  const int is_str[1] = {1};
  cb_status st = CB_OK;
  cb_synth_set *s = NULL;
  cb_stimulus_set *set = NULL;
  cb_model *m = NULL;
  cb_audio_input *ai = NULL;
  float *x = calloc(CB_SYNTH_AUD_SAMPLES, sizeof *x), *coch = NULL, *vox = NULL;
  double *rates = NULL, *sd = NULL;
  char path[CB_PATH_MAX], rel[512], id[64];
  CB_ALLOC_GOTO(x, st, done);
  CB_CHECK_GOTO(cb_synth_set_create("synthetic-aud", n, 1, 1, 1, 1.0, 1, meta, is_str, &s), st, done);
  CB_CHECK_GOTO(cb_stimulus_set_create(n, 1, meta, &set), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "sounds"), st, done);
  CB_CHECK_GOTO(cb_mkdirs(path), st, done);
  for (int i = 0; i < n; ++i) {
    const char *type = cb_synth_aud_type_name(i / CB_SYNTH_AUD_PER_TYPE);
    snprintf(id, sizeof id, "aud_%s_%02d", type, i % CB_SYNTH_AUD_PER_TYPE);
    snprintf(rel, sizeof rel, "sounds/%s.wav", id);
    CB_CHECK_GOTO(cb_synth_aud_sound(seed, i, x), st, done);
    CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, rel), st, done);
    CB_CHECK_GOTO(cb_sound_write_wav(path, x, CB_SYNTH_AUD_SAMPLES, CB_SYNTH_AUD_RATE, CB_SOUND_FLOAT32), st, done);
    CB_CHECK_GOTO(cb_synth_set_id(s, i, id), st, done);
    CB_CHECK_GOTO(cb_synth_set_meta_str(s, i, 0, type), st, done);
    set->stimulus_id[i] = cb_strdup(id);
    set->filename[i] = cb_strdup(rel);
    set->meta[i] = cb_strdup(type);
    CB_ALLOC_GOTO(set->stimulus_id[i], st, done);
    CB_ALLOC_GOTO(set->filename[i], st, done);
    CB_ALLOC_GOTO(set->meta[i], st, done);
  }
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "stimuli.csv"), st, done);
  CB_CHECK_GOTO(cb_stimulus_set_write(path, set), st, done);
  /* voxel rates from the WAV files, through the audio model input */
  CB_CHECK_GOTO(cb_model_create("synthetic-aud-truth", seed, &m), st, done);
  int layer = cb_model_find_layer(m, "voxels"), c, h, w;
  cb_model_layer_shape(m, layer, &c, &h, &w);
  const int q = c * h * w;
  const cb_model_info *mi = cb_model_get_info(m);
  CB_CHECK_GOTO(cb_extract_audio_input_create(m, &ai), st, done);
  CB_ALLOC_GOTO(coch = malloc(sizeof *coch * (size_t)mi->in_h * mi->in_w), st, done);
  CB_ALLOC_GOTO(vox = malloc(sizeof *vox * (size_t)q), st, done);
  CB_ALLOC_GOTO(rates = malloc(sizeof *rates * (size_t)n * q), st, done);
  CB_ALLOC_GOTO(sd = malloc(sizeof *sd * (size_t)q), st, done);
  for (int i = 0; i < n; ++i) {
    CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, set->filename[i]), st, done);
    CB_CHECK_GOTO(cb_audio_input_load(ai, path, coch), st, done);
    float *outs[1] = {vox};
    CB_CHECK_GOTO(cb_model_forward(m, coch, 1, &layer, 1, outs), st, done);
    for (int k = 0; k < q; ++k) rates[(size_t)i * q + k] = vox[k];
  }
  cb_synth_aud_noise_sd(seed, rates, n, q, sd);
  CB_CHECK_GOTO(cb_synth_set_sample_gaussian(s, "auditory", "aud", q, CB_SYNTH_AUD_REPS, rates, sd, seed,
                                             STREAM_AUD_NOISE),
                st, done);
  *out = s;
  s = NULL;
done:
  free(x);
  free(coch);
  free(vox);
  free(rates);
  free(sd);
  cb_audio_input_destroy(&ai);
  cb_model_destroy(&m);
  cb_stimulus_set_destroy(&set);
  cb_synth_set_destroy(&s);
  return st;
}
