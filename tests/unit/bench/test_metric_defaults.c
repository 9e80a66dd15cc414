/* test_metric_defaults.c - every metric's defaults come from one table (cb_metric_table.h): resolution fills
 * only what was left unset, rdm and cka hold out Brain-Score's test_size 0.9, CKA is unbiased, and the default
 * ceiling of every metric on an assembly is the per-neuroid internal consistency (the value cb_ceiling_split_half
 * gives on the same responses), with the split-half of the metric itself as the named option. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_ceiling.h"
#include "cb_rng.h"
#include "cb_test_main.h"
#define CB_TEST_TMP_NAME "metricdef"
#include "cb_test_tmpdir.h"

static cb_bench_params resolved(const char *metric) {
  cb_bench_params p;
  cb_bench_params_defaults(&p);
  p.metric = metric;
  ck_assert_int_eq(cb_bench_params_resolve(&p), CB_OK);
  return p;
}

START_TEST(test_resolve_per_metric) {
  cb_bench_params pls = resolved("pls"), rdm = resolved("rdm"), cka = resolved("cka");
  ck_assert_double_eq(pls.train_fraction, 0.9);
  ck_assert_int_eq(pls.components, 25);
  ck_assert_int_eq(pls.splits, 10);
  ck_assert_str_eq(pls.normalise, "r2/c");
  ck_assert_str_eq(pls.ceiling, "internal");
  ck_assert_str_eq(pls.split, "stratified");
  ck_assert_double_eq(rdm.train_fraction, 0.1);
  ck_assert_str_eq(rdm.normalise, "r/c");
  ck_assert_str_eq(rdm.distance, "1-pearson");
  ck_assert_str_eq(rdm.compare, "spearman");
  ck_assert_double_eq(cka.train_fraction, 0.1);
  ck_assert_str_eq(cka.cka, "unbiased");
  ck_assert_str_eq(cka.ceiling, "internal");
  ck_assert_double_eq(resolved("ridge").alpha, 1.0);
}
END_TEST

START_TEST(test_resolve_keeps_given_values) {
  cb_bench_params p;
  cb_bench_params_defaults(&p);
  p.metric = "cka";
  p.train_fraction = 0.5;
  p.cka = "biased";
  p.ceiling = "metric-split-half";
  p.normalise = "(r/c)^2";
  p.splits = 3;
  ck_assert_int_eq(cb_bench_params_resolve(&p), CB_OK);
  ck_assert_int_eq(cb_bench_params_resolve(&p), CB_OK); /* idempotent */
  ck_assert_double_eq(p.train_fraction, 0.5);
  ck_assert_str_eq(p.cka, "biased");
  ck_assert_str_eq(p.ceiling, "metric-split-half");
  ck_assert_str_eq(p.normalise, "(r/c)^2");
  ck_assert_int_eq(p.splits, 3);
  p.metric = "pearson";
  ck_assert_int_ne(cb_bench_params_resolve(&p), CB_OK);
}
END_TEST

/* Every row's scoring facts agree with the kernels: a regression names the cb_regress_kind of its own name; only
 * regressions take the voxel ceiling; the name lists come from the rows in table order. */
START_TEST(test_rows_and_names) {
  static const char *const names[] = {"pls", "ridge", "ridgecv", "linear", "neuron2neuron", "rdm", "cka"};
  for (int i = 0; i < 7; ++i) {
    const cb_metric_row *r = cb_metric_row_by_name(names[i]);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(cb_metric_row_by_kind(r->kind), r);
    if (r->family == CB_METRIC_FAMILY_REGRESSION) ck_assert_str_eq(cb_regress_kind_name(r->regress), r->name);
    else ck_assert_int_eq(r->voxel_ceiling, 0);
  }
  ck_assert_int_eq(cb_metric_row_by_name("rdm")->family, CB_METRIC_FAMILY_RDM);
  ck_assert_int_eq(cb_metric_row_by_name("cka")->family, CB_METRIC_FAMILY_CKA);
  ck_assert_ptr_null(cb_metric_row_by_name("magic"));
  char buf[256];
  ck_assert_str_eq(cb_metric_names(buf, sizeof buf, ", ", ", ", 0), "pls, ridge, ridgecv, linear, neuron2neuron, rdm, cka");
  ck_assert_str_eq(cb_metric_names(buf, sizeof buf, ", ", " or ", 1), "pls, ridge, ridgecv or linear");
  ck_assert_str_eq(cb_metric_names(buf, sizeof buf, "|", "|", 0), "pls|ridge|ridgecv|linear|neuron2neuron|rdm|cka");
  ck_assert_str_eq(cb_metric_names(buf, 8, ", ", ", ", 0), "pls, ri"); /* truncated, terminated */
  cb_metric_kind k;
  ck_assert_int_eq(cb_metric_parse("earsn", &k), CB_ERR_ARG);
  ck_assert_str_eq(cb_error_message(), "unknown metric 'earsn' (pls, ridge, ridgecv, linear, neuron2neuron, rdm, cka)");
}
END_TEST

/* A configuration's metric facts, checked by bench after io read it: the reader's one-line messages. */
static void expect_config_error(const char *text, const char *needle) {
  char path[512];
  tmp_path(path, sizeof path, "bad.ini");
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  cb_config *c = NULL;
  ck_assert_int_eq(cb_bench_config_read(path, &c), CB_ERR_CONFIG);
  ck_assert_ptr_null(c);
  ck_assert_msg(strstr(cb_error_message(), path) != NULL, "no file name in: %s", cb_error_message());
  ck_assert_msg(strstr(cb_error_message(), needle) != NULL, "'%s' not in: %s", needle, cb_error_message());
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
}

START_TEST(test_config_metric) {
  const char *head = "[model m]\n[dataset d]\ngenerator = g\n[dataset r]\nstimuli = s.csv\nrdm = r.h5\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nmetric = magic\n", head);
  expect_config_error(buf, "[benchmark c] key 'metric': expected one of: pls, ridge, ridgecv, linear, neuron2neuron, "
                           "rdm, cka, got 'magic'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nmetric = neuron2neuron\nceiling = voxel\n", head);
  expect_config_error(buf, "[benchmark c] key 'ceiling': 'voxel' needs metric pls, ridge, ridgecv or linear (got "
                           "'neuron2neuron')");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = r\n", head);
  expect_config_error(buf, "[benchmark c] key 'metric': [dataset r] holds RDMs only (key 'rdm'): the metric must be "
                           "rdm (got 'pls')");
  char path[512];
  tmp_path(path, sizeof path, "good.ini");
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "%s[benchmark c]\ndataset = r\nmetric = rdm\n[benchmark v]\ndataset = d\nmetric = ridgecv\n"
          "ceiling = voxel\n", head);
  fclose(f);
  cb_config *c = NULL;
  ck_assert_msg(cb_bench_config_read(path, &c) == CB_OK, "%s", cb_error_message());
  cb_config_destroy(&c);
}
END_TEST

/* 40 stimuli x 4 repetitions x 12 neuroids: signal + noise; returns the path of the written assembly. */
static void write_assembly(char *path, size_t n, double **reps_out) {
  const int n_stim = 40, n_rep = 4, q = 12;
  cb_assembly *a = NULL;
  ck_assert_int_eq(cb_assembly_create(n_stim * n_rep, q, 1, &a), CB_OK);
  char **ids = malloc(sizeof *ids * (size_t)n_stim * n_rep);
  double *rep = malloc(sizeof *rep * (size_t)n_stim * n_rep);
  double *reps = malloc(sizeof *reps * (size_t)n_stim * n_rep * q); /* (n_stim, n_rep, q) */
  double *sig = malloc(sizeof *sig * (size_t)n_stim * q);          /* (n_stim, q) */
  cb_rng rng;
  cb_rng_seed(&rng, 5);
  for (int i = 0; i < n_stim * q; ++i) sig[i] = cb_rng_normal(&rng);
  for (int t = 0; t < n_rep; ++t)
    for (int i = 0; i < n_stim; ++i) {
      int row = t * n_stim + i; /* presentations: repetition-major */
      ids[row] = malloc(16);
      snprintf(ids[row], 16, "s%02d", i);
      rep[row] = t;
      for (int j = 0; j < q; ++j) {
        double v = sig[i * q + j] + cb_rng_normal(&rng);
        a->data[(size_t)row * q + j] = v;
        reps[((size_t)i * n_rep + t) * q + j] = v;
      }
    }
  ck_assert_int_eq(cb_assembly_add_string_coord(a, CB_DIM_PRESENTATION, "stimulus_id", (const char *const *)ids), CB_OK);
  ck_assert_int_eq(cb_assembly_add_number_coord(a, CB_DIM_PRESENTATION, "repetition", rep), CB_OK);
  tmp_path(path, n, "assembly.nc");
  ck_assert_int_eq(cb_assembly_write(path, a), CB_OK);
  cb_assembly_destroy(&a);
  for (int i = 0; i < n_stim * n_rep; ++i) free(ids[i]);
  free(ids);
  free(rep);
  free(sig);
  *reps_out = reps;
}

START_TEST(test_default_ceiling_is_internal_consistency) {
  make_tmpdir();
  char path[512];
  double *reps = NULL;
  write_assembly(path, sizeof path, &reps);
  double want, want_err;
  ck_assert_int_eq(cb_ceiling_split_half(reps, 40, 4, 12, 10, 1, &want, &want_err), CB_OK);
  const char *metrics[] = {"pls", "rdm", "cka"};
  for (int m = 0; m < 3; ++m) {
    cb_bench_params p;
    cb_bench_params_defaults(&p);
    p.metric = metrics[m];
    cb_bench *b = NULL;
    ck_assert_int_eq(cb_bench_load(path, &p, &b), CB_OK);
    ck_assert_double_eq(b->ceiling, want);
    if (m > 0) ck_assert_int_eq(b->splits->test_size[0], 36); /* ceil(0.9 x 40): Brain-Score's test_size 0.9 */
    cb_bench_destroy(&b);
    p.ceiling = "metric-split-half";
    if (m == 0) {
      ck_assert_int_ne(cb_bench_load(path, &p, &b), CB_OK); /* a regression has no metric split-half */
      ck_assert_ptr_null(b);
      continue;
    }
    ck_assert_int_eq(cb_bench_load(path, &p, &b), CB_OK);
    ck_assert(isfinite(b->ceiling) && b->ceiling != want);
    cb_bench_destroy(&b);
  }
  free(reps);
  rm_tmpdir();
}
END_TEST

int main(void) {
  Suite *s = suite_create("metric_defaults");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_resolve_per_metric);
  tcase_add_test(tc, test_resolve_keeps_given_values);
  tcase_add_test(tc, test_rows_and_names);
  tcase_add_test(tc, test_config_metric);
  tcase_add_test(tc, test_default_ceiling_is_internal_consistency);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
