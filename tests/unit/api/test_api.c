/* test_api.c - the C API of libcortexbench.so (src/api/cb_api.h), linked as the shared library: options checked
 * as `cortexbench score` checks them, errors as status + one-line message, RDMs of known points, NULL-safe
 * closes, a score of a small assembly written here. (Equality with the CLI: tests/python/test_package.py.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_api.h"
#include "cb_assembly.h"
#include "cb_strbuf.h"
#include "cb_test_main.h"

enum { N_STIM = 12, N_REP = 2, N_NEUROID = 4, P = 3 };

/* A (N_STIM x N_REP presentations, N_NEUROID, 1) assembly whose responses are linear in the features
 * X[i] = (i, i^2 mod 7, i mod 3) plus a repetition offset; written to `path`. */
static void write_assembly(const char *path, float *X /* (N_STIM, P) */, char *ids[N_STIM]) {
  cb_assembly *a = NULL;
  ck_assert_int_eq(cb_assembly_create(N_STIM * N_REP, N_NEUROID, 1, &a), CB_OK);
  const char *sid[N_STIM * N_REP];
  for (int i = 0; i < N_STIM; ++i) {
    X[i * P] = (float)i;
    X[i * P + 1] = (float)((i * i) % 7);
    X[i * P + 2] = (float)(i % 3);
    char buf[16];
    snprintf(buf, sizeof buf, "s%02d", i);
    ids[i] = cb_strdup(buf);
  }
  for (int r = 0; r < N_REP; ++r)
    for (int i = 0; i < N_STIM; ++i) {
      sid[r * N_STIM + i] = ids[i];
      for (int j = 0; j < N_NEUROID; ++j)
        a->data[(size_t)(r * N_STIM + i) * N_NEUROID + j] = X[i * P + j % P] * (j + 1) + 0.1 * r + 0.01 * j * i;
    }
  ck_assert_int_eq(cb_assembly_add_string_coord(a, 0, "stimulus_id", sid), CB_OK);
  ck_assert_int_eq(cb_assembly_write(path, a), CB_OK);
  cb_assembly_destroy(&a);
}

typedef struct fixture {
  char dir[64], path[96];
  float X[N_STIM * P];
  char *ids[N_STIM];
} fixture;

static void fixture_make(fixture *f) {
  snprintf(f->dir, sizeof f->dir, "/tmp/cb-test-api.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/a.nc", f->dir);
  write_assembly(f->path, f->X, f->ids);
}

static void fixture_free(fixture *f) {
  unlink(f->path);
  rmdir(f->dir);
  for (int i = 0; i < N_STIM; ++i) free(f->ids[i]);
}

static int score_with(fixture *f, const char *const *opts, char **json) {
  return cb_api_score(f->X, N_STIM, P, (const char *const *)f->ids, "mem", "m", "l", f->path, opts, json);
}

START_TEST(test_version) {
  ck_assert_int_eq(cb_api_abi_version(), 1);
  ck_assert(strlen(cb_api_version()) > 0);
}
END_TEST

START_TEST(test_score_and_options) {
  fixture f;
  fixture_make(&f);
  char *json = NULL;
  const char *ridge[] = {"metric=ridgecv", "alphas=0.1,1,10", "splits=3", "seed=4", NULL};
  ck_assert_int_eq(score_with(&f, ridge, &json), 0);
  ck_assert_ptr_nonnull(strstr(json, "\"metric\": \"ridgecv\""));
  ck_assert_ptr_nonnull(strstr(json, "\"n_splits\": 3"));
  ck_assert_ptr_nonnull(strstr(json, "\"seed\": 4"));
  ck_assert_ptr_nonnull(strstr(json, "\"benchmark\": \"a\"")); /* the file name, as `cortexbench score` */
  cb_api_free(json);
  struct {
    const char *opt, *msg;
  } bad[] = {{"bogus=1", "unknown option 'bogus'"},
             {"splits=0", "option splits: expected an integer in [1, 1000], got '0'"},
             {"metric=svm", "option metric: "},
             {"alpha=-1", "option alpha: expected a non-negative number"},
             {"train-fraction=1", "option train-fraction: expected a number in (0, 1)"},
             {"split=loo", "option split: unexpected value 'loo'"},
             {"alphas=1,-2", "option alphas: values must be positive"},
             {"time-bin=x", "option time-bin"},
             {"noequals", "option 'noequals': expected name=value"}};
  int all = 1;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    const char *opts[] = {bad[i].opt, NULL};
    json = (char *)1;
    int st = score_with(&f, opts, &json);
    if (st != 1 || json != NULL || !strstr(cb_api_error(), bad[i].msg)) {
      fprintf(stderr, "%s: status %d, message '%s'\n", bad[i].opt, st, cb_api_error());
      all = 0;
    }
  }
  ck_assert(all);
  fixture_free(&f);
}
END_TEST

START_TEST(test_score_errors) {
  fixture f;
  fixture_make(&f);
  char *json = NULL;
  const char *ids[N_STIM];
  for (int i = 0; i < N_STIM; ++i) ids[i] = f.ids[i];
  ids[3] = "other";
  ck_assert_int_eq(cb_api_score(f.X, N_STIM, P, ids, "mem", "m", "l", f.path, NULL, &json), 3);
  ck_assert_ptr_nonnull(strstr(cb_api_error(), "mem: has no activations for stimulus 's03'"));
  ck_assert_int_eq(cb_api_score(f.X, N_STIM, P, (const char *const *)f.ids, "mem", "m", "l", "/nonexistent/a.nc",
                                NULL, &json), 2);
  ck_assert_ptr_nonnull(strstr(cb_api_error(), "/nonexistent/a.nc"));
  ck_assert_ptr_null(json);
  ck_assert_int_ne(cb_api_score(NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, &json), 0);
  fixture_free(&f);
}
END_TEST

START_TEST(test_rdm) {
  /* Points (0,0), (3,4), (6,8): Euclidean distances 5, 10, 5. */
  const double X[] = {0, 0, 3, 4, 6, 8};
  const float Xf[] = {0, 0, 3, 4, 6, 8};
  double D[9], E[9], v = 0;
  int undef = -1;
  ck_assert_int_eq(cb_api_rdm(X, NULL, 3, 2, "euclidean", D, &undef), 0);
  ck_assert_int_eq(cb_api_rdm(NULL, Xf, 3, 2, "euclidean", E, NULL), 0);
  const double want[9] = {0, 5, 10, 5, 0, 5, 10, 5, 0};
  double err = 0;
  for (int i = 0; i < 9; ++i) err = fmax(err, fabs(D[i] - want[i]) + fabs(E[i] - want[i]));
  ck_assert(err < 1e-12);
  ck_assert_int_eq(undef, 0);
  ck_assert_int_eq(cb_api_rdm_compare(D, E, 3, "spearman", &v), 0);
  ck_assert(fabs(v - 1) < 1e-12);
  ck_assert_int_eq(cb_api_rdm(X, Xf, 3, 2, "euclidean", D, NULL), 1);
  ck_assert_int_eq(cb_api_rdm(X, NULL, 3, 2, "manhattan", D, NULL), 1);
  ck_assert_ptr_nonnull(strstr(cb_api_error(), "unknown RDM distance 'manhattan'"));
  ck_assert_int_eq(cb_api_rdm_compare(D, E, 3, "tau-b", &v), 1);
}
END_TEST

START_TEST(test_files) {
  cb_api_acts *a = NULL;
  cb_api_neural *nd = NULL;
  ck_assert_int_eq(cb_api_acts_open("/nonexistent/x.h5", &a), 2);
  ck_assert_ptr_nonnull(strstr(cb_api_error(), "/nonexistent/x.h5"));
  ck_assert_ptr_null(a);
  cb_api_acts_close(NULL);
  cb_api_neural_close(NULL);
  fixture f;
  fixture_make(&f);
  ck_assert_int_eq(cb_api_neural_open(f.path, NULL, NAN, NAN, &nd), 0);
  ck_assert_int_eq(cb_api_neural_n_stim(nd), N_STIM);
  ck_assert_int_eq(cb_api_neural_n_neuroid(nd), N_NEUROID);
  ck_assert_str_eq(cb_api_neural_stimulus_id(nd, 5), "s05");
  /* mean over the 2 repetitions (+0, +0.1) of stimulus 5, neuroid 0: X[5] * 1 + 0.05 */
  ck_assert(fabs(cb_api_neural_mean(nd)[5 * N_NEUROID] - (5 + 0.05)) < 1e-12);
  cb_api_neural_close(nd);
  ck_assert_int_eq(cb_api_neural_open(f.path, "V1", NAN, NAN, &nd), 1);
  ck_assert_ptr_null(nd);
  fixture_free(&f);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("api");
  TCase *t = tcase_create("api");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, test_version);
  tcase_add_test(t, test_score_and_options);
  tcase_add_test(t, test_score_errors);
  tcase_add_test(t, test_rdm);
  tcase_add_test(t, test_files);
  suite_add_tcase(s, t);
  return s;
}

int main(void) { return cb_test_run(suite()); }
