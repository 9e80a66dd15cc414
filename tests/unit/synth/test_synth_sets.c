/* Validation of the synthetic-v1 and synthetic-it generators and their truth
 * models: the truth model reproduces the generator's rates from the PNGs it
 * wrote; the split-half ceiling agrees within 0.03 with the reliability the
 * generator put in; the truth model scores ceiled >= 0.9 on its own set
 * (PLS) while pixels scores below it (and below 0.3 on IT); same seed ->
 * same files; metadata columns; category signal in IT. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_assembly.h"
#include "cb_benchmark.h"
#include "cb_ceiling.h"
#include "cb_extract.h"
#include "cb_fs.h"
#include "cb_generate.h"
#include "cb_modelopen.h"
#include "cb_nn.h"
#include "cb_stimuli.h"
#include "cb_synth_it.h"
#include "cb_synth_set.h"
#include "cb_synth_v1set.h"
#include "cb_test_main.h"

#define SEED 3

static char root[256];
static cb_synth_set *v1, *it;
static char v1_dir[300], it_dir[300];

static void setup(void) {
  snprintf(root, sizeof root, "/tmp/cb_test_synth_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(root));
  snprintf(v1_dir, sizeof v1_dir, "%s/v1", root);
  snprintf(it_dir, sizeof it_dir, "%s/it", root);
  ck_assert_int_eq(cb_generate_dataset_keep("synthetic-v1", SEED, v1_dir, &v1), CB_OK);
  ck_assert_int_eq(cb_generate_dataset_keep("synthetic-it", SEED, it_dir, &it), CB_OK);
}

static void teardown(void) {
  cb_synth_set_destroy(&v1);
  cb_synth_set_destroy(&it);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
}

static int meta_col(const cb_synth_set *s, const char *name) {
  for (int k = 0; k < s->n_meta; ++k)
    if (!strcmp(s->meta_names[k], name)) return k;
  return -1;
}

START_TEST(test_sizes_and_metadata) {
  ck_assert_int_eq(v1->n_stim, 320);
  ck_assert_int_ge(v1->n_neurons, 100);
  ck_assert_int_ge(v1->n_reps, 10);
  ck_assert_double_eq(v1->visual_degrees, 4.0);
  int k = meta_col(v1, "texture_type"), n_type[3] = {0, 0, 0};
  ck_assert_int_ge(k, 0);
  for (int i = 0; i < v1->n_stim; ++i) {
    const char *t = v1->meta_str[(size_t)i * v1->n_meta + k];
    n_type[!strcmp(t, "grating") ? 0 : !strcmp(t, "plaid") ? 1 : 2]++;
  }
  ck_assert_int_eq(n_type[0], 128);
  ck_assert_int_eq(n_type[1], 64);
  ck_assert_int_eq(n_type[2], 128);
  ck_assert_str_eq(v1->region, "V1");
  ck_assert_int_eq(it->n_stim, 640);
  ck_assert_int_ge(it->n_neurons, 150);
  ck_assert_int_ge(it->n_reps, 20);
  ck_assert_double_eq(it->visual_degrees, 8.0);
  ck_assert_str_eq(it->region, "IT");
  int ko = meta_col(it, "object_name"), kc = meta_col(it, "category_name"), kv = meta_col(it, "variation");
  ck_assert(ko >= 0 && kc >= 0 && kv >= 0);
  int n_var[7] = {0};
  for (int i = 0; i < it->n_stim; ++i) {
    int v = (int)it->meta_num[(size_t)i * it->n_meta + kv];
    ck_assert(v == 0 || v == 3 || v == 6);
    n_var[v]++;
    const char *obj = it->meta_str[(size_t)i * it->n_meta + ko], *cat = it->meta_str[(size_t)i * it->n_meta + kc];
    ck_assert(strncmp(obj, cat, strlen(cat)) == 0);
  }
  ck_assert_int_eq(n_var[0], 128);
  ck_assert_int_eq(n_var[3], 256);
  ck_assert_int_eq(n_var[6], 256);
  /* The files: CSV columns and assembly coordinates. */
  char path[400];
  cb_stimulus_set *set = NULL;
  snprintf(path, sizeof path, "%s/stimuli.csv", it_dir);
  ck_assert_int_eq(cb_stimulus_set_read(path, &set), CB_OK);
  ck_assert_int_eq(set->n, 640);
  ck_assert_str_eq(cb_stimulus_set_meta(set, 0, "category_name"), "animals");
  ck_assert_str_eq(cb_stimulus_set_meta(set, 0, "variation"), "0");
  cb_stimulus_set_destroy(&set);
  cb_assembly *a = NULL;
  snprintf(path, sizeof path, "%s/assembly.nc", it_dir);
  ck_assert_int_eq(cb_assembly_read(path, &a), CB_OK);
  ck_assert_int_eq(a->n_pres, 640 * it->n_reps);
  ck_assert_int_eq(a->n_neuroid, it->n_neurons);
  ck_assert_ptr_nonnull(cb_assembly_coord(a, "object_name"));
  ck_assert_ptr_nonnull(cb_assembly_coord(a, "category_name"));
  ck_assert_ptr_nonnull(cb_assembly_coord(a, "variation"));
  ck_assert_ptr_nonnull(cb_assembly_coord(a, "repetition"));
  ck_assert_str_eq(cb_assembly_coord(a, "region")->s[0], "IT");
  ck_assert_double_eq(cb_assembly_coord(a, "time_bin_start")->v[0], 70.0);
  cb_assembly_destroy(&a);
  snprintf(path, sizeof path, "%s/assembly.nc", v1_dir);
  ck_assert_int_eq(cb_assembly_read(path, &a), CB_OK);
  ck_assert_str_eq(cb_assembly_coord(a, "texture_type")->s[0], "grating");
  ck_assert_str_eq(cb_assembly_coord(a, "region")->s[0], "V1");
  cb_assembly_destroy(&a);
}
END_TEST

/* Runs a zoo model on a written set; returns (n_stim, features) of `layer`. */
static float *run_model(const char *dir, const char *model, uint64_t seed, const char *layer, double degrees,
                        int64_t *n_feat) {
  char path[400];
  cb_stimulus_set *set = NULL;
  cb_model *m = NULL;
  snprintf(path, sizeof path, "%s/stimuli.csv", dir);
  ck_assert_int_eq(cb_stimulus_set_read(path, &set), CB_OK);
  ck_assert_int_eq(cb_models_register(), CB_OK); /* the truth models join the zoo from src/synth */
  ck_assert_int_eq(cb_model_create(model, seed, &m), CB_OK);
  int idx = cb_model_find_layer(m, layer), c, h, w;
  ck_assert_int_ge(idx, 0);
  cb_model_layer_shape(m, idx, &c, &h, &w);
  float *out[1] = {NULL};
  ck_assert_int_eq(cb_extract_block(m, set, degrees, 0, set->n, 16, &idx, 1, out), CB_OK);
  *n_feat = (int64_t)c * h * w;
  cb_model_destroy(&m);
  cb_stimulus_set_destroy(&set);
  return out[0];
}

START_TEST(test_v1_truth_reproduces_rates) {
  /* Independent double-precision implementation of the same neurons. */
  cb_synth_v1_pop *p = NULL;
  ck_assert_int_eq(cb_synth_v1set_population(SEED, &p), CB_OK);
  double *ref = malloc((size_t)v1->n_stim * p->n_neurons * sizeof *ref);
  ck_assert_int_eq(cb_synth_v1set_rates(p, v1, ref), CB_OK);
  int64_t nf = 0;
  float *x = run_model(v1_dir, "synthetic-v1-truth", SEED, "rates", 4.0, &nf);
  ck_assert_int_eq(nf, v1->n_neurons);
  double max_rel = 0.0;
  for (size_t i = 0; i < (size_t)v1->n_stim * nf; ++i) {
    ck_assert(fabs(v1->rates[i] - x[i]) == 0.0);             /* the generator's rates are the model's */
    double rel = fabs(ref[i] - x[i]) / (fabs(ref[i]) + 1e-3);
    if (rel > max_rel) max_rel = rel;
  }
  ck_assert_msg(max_rel < 1e-4, "truth model vs double reference: max relative error %g", max_rel);
  /* Rates are in a sensible range and tuned: peak per neuron in [10, 60]. */
  for (int j = 0; j < v1->n_neurons; ++j) {
    double mx = 0.0;
    for (int i = 0; i < v1->n_stim; ++i) mx = fmax(mx, v1->rates[(size_t)i * v1->n_neurons + j]);
    ck_assert_msg(mx > 5.0 && mx < 80.0, "neuron %d peak rate %g", j, mx);
  }
  /* A truth model built with another seed is another population. */
  float *y = run_model(v1_dir, "synthetic-v1-truth", SEED + 1, "rates", 4.0, &nf);
  ck_assert(memcmp(x, y, (size_t)v1->n_stim * nf * sizeof *x) != 0);
  free(x);
  free(y);
  free(ref);
  cb_synth_v1_pop_destroy(&p);
}
END_TEST

START_TEST(test_it_truth_reproduces_rates_and_category_signal) {
  int64_t nf = 0;
  float *x = run_model(it_dir, "synthetic-it-truth", SEED, "rates", 8.0, &nf);
  ck_assert_int_eq(nf, it->n_neurons);
  for (size_t i = 0; i < (size_t)it->n_stim * nf; ++i) {
    ck_assert(x[i] >= 0.0f && isfinite(x[i]));
    ck_assert(fabs(it->rates[i] - x[i]) == 0.0);
  }
  free(x);
  /* Category signal: most sites respond more to their preferred category. */
  cb_synth_it_net *net = NULL;
  ck_assert_int_eq(cb_synth_it_network(SEED, &net), CB_OK);
  int kc = meta_col(it, "category_name"), better = 0;
  for (int j = 0; j < it->n_neurons; ++j) {
    const char *pref = cb_synth_it_category(net->pref_category[j]);
    double in = 0.0, out = 0.0;
    int n_in = 0, n_out = 0;
    for (int i = 0; i < it->n_stim; ++i) {
      double r = it->rates[(size_t)i * it->n_neurons + j];
      if (!strcmp(it->meta_str[(size_t)i * it->n_meta + kc], pref)) in += r, ++n_in;
      else out += r, ++n_out;
    }
    better += in / n_in > out / n_out;
  }
  ck_assert_msg(better > 0.7 * it->n_neurons, "only %d of %d sites prefer their category", better, it->n_neurons);
  cb_synth_it_net_destroy(&net);
}
END_TEST

static void check_ceiling(const cb_synth_set *s) {
  double analytic = cb_synth_set_reliability(s, NULL), c = NAN, e = NAN;
  ck_assert_int_eq(cb_ceiling_split_half(s->counts, s->n_stim, s->n_reps, s->n_neurons, 10, 1, &c, &e), CB_OK);
  fprintf(stderr, "%s: split-half ceiling %.4f (+/- %.4f), generator reliability %.4f\n", s->name, c, e, analytic);
  ck_assert_msg(fabs(c - analytic) < 0.03, "%s: ceiling %g vs analytic %g", s->name, c, analytic);
  ck_assert(analytic > 0.5 && analytic < 0.99);
}

START_TEST(test_ceiling_matches_generator_reliability) {
  check_ceiling(v1);
  check_ceiling(it);
}
END_TEST

/* Ceiled score of one model layer on a set (benchmarks/synthetic-*.ini settings) (activations written to a file, as the pipeline does). */
static double score(const char *dir, const char *model, uint64_t seed, const char *layer, double degrees,
                    const char *region, const char *stratify, const char *metric, int components) {
  int64_t nf = 0;
  float *x = run_model(dir, model, seed, layer, degrees, &nf);
  char path[400], apath[400];
  cb_stimulus_set *set = NULL;
  snprintf(path, sizeof path, "%s/stimuli.csv", dir);
  ck_assert_int_eq(cb_stimulus_set_read(path, &set), CB_OK);
  snprintf(apath, sizeof apath, "%s/%s.h5", dir, model);
  const char *names[1] = {layer};
  const float *X[1] = {x};
  ck_assert_int_eq(cb_activations_write(apath, model, "test", set->n, (const char *const *)set->stimulus_id, 1, names,
                                        X, &nf),
                   CB_OK);
  cb_bench_params p;
  cb_bench_params_defaults(&p);
  p.id = "test";
  p.metric = metric;
  p.region = region;
  p.stratify = stratify;
  p.components = components;
  cb_bench *b = NULL;
  cb_activations *a = NULL;
  cb_score s;
  memset(&s, 0, sizeof s);
  snprintf(path, sizeof path, "%s/assembly.nc", dir);
  ck_assert_int_eq(cb_bench_load(path, &p, &b), CB_OK);
  ck_assert_int_eq(cb_activations_open(apath, &a), CB_OK);
  ck_assert_int_eq(cb_bench_score_layer(b, apath, a, layer, &s), CB_OK);
  fprintf(stderr, "%s %s/%s %s: raw %.4f ceiling %.4f ceiled %.4f\n", dir, model, layer, metric, s.raw, s.ceiling,
          s.score);
  double r = s.score;
  cb_score_free(&s);
  cb_bench_destroy(&b);
  cb_activations_destroy(&a);
  cb_stimulus_set_destroy(&set);
  free(x);
  return r;
}

START_TEST(test_v1_truth_and_pixels_scores) {
  double truth = score(v1_dir, "synthetic-v1-truth", SEED, "rates", 4.0, "V1", "texture_type", "pls", 50);
  double pix = score(v1_dir, "pixels", 1, "pixels", 4.0, "V1", "texture_type", "pls", 50);
  ck_assert_msg(truth >= 0.9, "truth %g", truth);
  ck_assert_msg(pix < truth, "pixels %g vs truth %g", pix, truth);
  truth = score(v1_dir, "synthetic-v1-truth", SEED, "rates", 4.0, "V1", "texture_type", "rdm", 25);
  pix = score(v1_dir, "pixels", 1, "pixels", 4.0, "V1", "texture_type", "rdm", 25);
  ck_assert_msg(pix < truth, "rdm: pixels %g vs truth %g", pix, truth);
}
END_TEST

START_TEST(test_it_truth_and_pixels_scores) {
  double truth = score(it_dir, "synthetic-it-truth", SEED, "rates", 8.0, "IT", "category_name", "pls", 25);
  double pix = score(it_dir, "pixels", 1, "pixels", 8.0, "IT", "category_name", "pls", 25);
  ck_assert_msg(truth >= 0.9, "truth %g", truth);
  ck_assert_msg(pix < truth && pix < 0.3, "pixels %g vs truth %g", pix, truth);
  truth = score(it_dir, "synthetic-it-truth", SEED, "rates", 8.0, "IT", "category_name", "rdm", 25);
  pix = score(it_dir, "pixels", 1, "pixels", 8.0, "IT", "category_name", "rdm", 25);
  ck_assert_msg(pix < truth, "rdm: pixels %g vs truth %g", pix, truth);
}
END_TEST

static int same_file(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb) same = 0;
    if (ca == EOF || cb == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

/* Same seed -> same stimulus CSV, PNG and assembly bytes (and content). */
static void check_deterministic(const char *name, const char *dir, const cb_synth_set *s) {
  char dir2[400], a[600], b[600];
  snprintf(dir2, sizeof dir2, "%s/%s-again", root, name);
  ck_assert_int_eq(cb_generate_dataset(name, SEED, dir2), CB_OK);
  snprintf(a, sizeof a, "%s/stimuli.csv", dir);
  snprintf(b, sizeof b, "%s/stimuli.csv", dir2);
  ck_assert(same_file(a, b));
  for (int i = 0; i < s->n_stim; ++i) {
    snprintf(a, sizeof a, "%s/images/%s.png", dir, s->stimulus_id[i]);
    snprintf(b, sizeof b, "%s/images/%s.png", dir2, s->stimulus_id[i]);
    ck_assert_msg(same_file(a, b), "%s differs", b);
  }
  cb_assembly *x = NULL, *y = NULL;
  snprintf(a, sizeof a, "%s/assembly.nc", dir);
  snprintf(b, sizeof b, "%s/assembly.nc", dir2);
  ck_assert_msg(same_file(a, b), "%s differs", b);
  ck_assert_int_eq(cb_assembly_read(a, &x), CB_OK);
  ck_assert_int_eq(cb_assembly_read(b, &y), CB_OK);
  ck_assert(x->n_pres == y->n_pres && x->n_neuroid == y->n_neuroid && x->n_coords == y->n_coords);
  ck_assert(memcmp(x->data, y->data, (size_t)(x->n_pres * x->n_neuroid * x->n_time) * sizeof(double)) == 0);
  ck_assert_str_eq(x->identifier, y->identifier);
  cb_assembly_destroy(&x);
  cb_assembly_destroy(&y);
}

START_TEST(test_same_seed_same_files) {
  check_deterministic("synthetic-v1", v1_dir, v1);
  check_deterministic("synthetic-it", it_dir, it);
  /* Another seed gives other textures and other responses. */
  cb_synth_set *o = NULL;
  ck_assert_int_eq(cb_synth_v1set_stimuli(SEED + 1, &o), CB_OK);
  ck_assert(memcmp(o->images, v1->images, (size_t)320 * 64 * 64) != 0);
  ck_assert(memcmp(o->images, v1->images, (size_t)192 * 64 * 64) == 0); /* gratings and plaids are fixed */
  cb_synth_set_destroy(&o);
}
END_TEST

START_TEST(test_truth_models_listed) {
  int n = 0, found = 0;
  const cb_generator_info *g = cb_generators(&n);
  for (int i = 0; i < n; ++i)
    if (!strcmp(g[i].name, "synthetic-v1") || !strcmp(g[i].name, "synthetic-it")) {
      ++found;
      cb_model *m = NULL;
      ck_assert_int_eq(cb_models_register(), CB_OK);
      ck_assert_int_eq(cb_model_create(g[i].truth_model, 1, &m), CB_OK);
      ck_assert_double_eq(cb_model_get_info(m)->visual_degrees, g[i].stimulus_degrees);
      ck_assert_int_eq(cb_model_get_info(m)->in_c, 3);
      cb_model_destroy(&m);
    }
  ck_assert_int_eq(found, 2);
  ck_assert_ptr_nonnull(cb_generator_find("gratings-v1"));
  ck_assert_ptr_null(cb_generator_find("nope"));
  ck_assert_int_eq(cb_generate_dataset("nope", 1, root), CB_ERR_ARG);
}
END_TEST

int main(void) {
  Suite *s = suite_create("synth_sets");
  TCase *tc = tcase_create("synth_sets");
  tcase_set_timeout(tc, 120);
  tcase_add_unchecked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_sizes_and_metadata);
  tcase_add_test(tc, test_v1_truth_reproduces_rates);
  tcase_add_test(tc, test_it_truth_reproduces_rates_and_category_signal);
  tcase_add_test(tc, test_ceiling_matches_generator_reliability);
  tcase_add_test(tc, test_v1_truth_and_pixels_scores);
  tcase_add_test(tc, test_it_truth_and_pixels_scores);
  tcase_add_test(tc, test_same_seed_same_files);
  tcase_add_test(tc, test_truth_models_listed);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
