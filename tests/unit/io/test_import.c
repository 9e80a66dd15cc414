/* Unit tests for the importers: .npy, .mat v5/v7.3 readers (values from
 * tests/reference/gen_io_import.py), assemblies from arrays and CSV, RDM
 * files; real data from ../shared/data (Cowley 2023 V4, Kriegeskorte 2008)
 * when present. */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_assembly.h"
#include "cb_fs.h"
#include "cb_import.h"
#include "cb_mat.h"
#include "cb_ndarray.h"
#include "cb_npy.h"
#include "cb_rdmfile.h"
#include "cb_strbuf.h"
#include "cb_status.h"
#include "cb_test_main.h"

#define REF "tests/reference/io/"
#define COWLEY "../shared/data/cowley2023_v4/"
#define KRIEG "../shared/data/kriegeskorte2008/"

static char tmpdir[256];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}
static void rm_tmpdir(void) {
  if (tmpdir[0] && strstr(tmpdir, "XXXXXX") == NULL) nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  tmpdir[0] = '\0';
}
static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/cb_test_import_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Compares `a` with line `name` of import_expected.txt. */
static void check_expected(const char *name, const cb_ndarray *a) {
  FILE *f = fopen(REF "import_expected.txt", "r");
  ck_assert_ptr_nonnull(f);
  char key[64];
  int found = 0;
  while (fscanf(f, "%63s", key) == 1) {
    int nd = 0;
    ck_assert_int_eq(fscanf(f, "%d", &nd), 1);
    long long shape[8], total = 1;
    for (int d = 0; d < nd; ++d) {
      ck_assert_int_eq(fscanf(f, "%lld", &shape[d]), 1);
      total *= shape[d];
    }
    int match = strcmp(key, name) == 0;
    if (match) {
      found = 1;
      ck_assert_int_eq(a->ndim, nd);
      for (int d = 0; d < nd; ++d) ck_assert_int_eq(a->shape[d], shape[d]);
    }
    for (long long k = 0; k < total; ++k) {
      char v[64];
      ck_assert_int_eq(fscanf(f, "%63s", v), 1);
      if (!match) continue;
      double e = strcmp(v, "nan") == 0 ? NAN : strtod(v, NULL);
      if (isnan(e))
        ck_assert_msg(isnan(a->data[k]), "%s[%lld] should be NaN", name, k);
      else
        ck_assert_msg(a->data[k] == e, "%s[%lld] = %.17g, expected %.17g", name, k, a->data[k], e);
    }
  }
  fclose(f);
  ck_assert_msg(found, "no expected values for %s", name);
}

START_TEST(test_npy_reader) {
  const char *names[] = {"npy_f4_c", "npy_i8_f", "npy_f8_be"};
  for (int k = 0; k < 3; ++k) {
    char p[256];
    snprintf(p, sizeof p, REF "%s.npy", names[k]);
    cb_ndarray *a = NULL;
    ck_assert_msg(cb_npy_read(p, &a) == CB_OK, "%s", cb_error_message());
    check_expected(names[k], a);
    cb_ndarray_destroy(&a);
  }
  /* Truncated data, bad dtype. */
  make_tmpdir();
  char *bytes = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(REF "npy_f4_c.npy", &bytes, &n), CB_OK);
  char p[512];
  snprintf(p, sizeof p, "%s/cut.npy", tmpdir);
  ck_assert_int_eq(cb_file_write_atomic(p, bytes, n - 5), CB_OK);
  cb_ndarray *a = NULL;
  ck_assert_int_eq(cb_npy_read(p, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut.npy"));
  char *hit = strstr(bytes + 10, "<f4");
  ck_assert_ptr_nonnull(hit);
  memcpy(hit, "<c8", 3);
  snprintf(p, sizeof p, "%s/complex.npy", tmpdir);
  ck_assert_int_eq(cb_file_write_atomic(p, bytes, n), CB_OK);
  ck_assert_int_eq(cb_npy_read(p, &a), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "complex.npy"));
  ck_assert_ptr_null(a);
  free(bytes);
}
END_TEST

START_TEST(test_mat_reader) {
  const char *vars[] = {"A", "S", "I", "st.RDM"};
  for (int k = 0; k < 4; ++k) {
    cb_ndarray *a = NULL;
    ck_assert_msg(cb_mat_read(REF "mat_v5.mat", vars[k], &a) == CB_OK, "%s", cb_error_message());
    check_expected(vars[k], a);
    cb_ndarray_destroy(&a);
  }
  cb_ndarray *a = NULL;
  ck_assert_msg(cb_mat_read(REF "mat_v5_raw.mat", "A", &a) == CB_OK, "%s", cb_error_message());
  check_expected("A", a);
  cb_ndarray_destroy(&a);
  ck_assert_msg(cb_mat_read(REF "mat_v73.mat", "A", &a) == CB_OK, "%s", cb_error_message());
  check_expected("v73.A", a);
  cb_ndarray_destroy(&a);
  char **names = NULL;
  int n = 0;
  ck_assert_int_eq(cb_mat_read_strings(REF "mat_v5.mat", "st.name", &names, &n), CB_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_str_eq(names[2], "subj3");
  cb_strlist_free(&names);

  /* Unsupported classes: one line naming the file, the variable and the class. */
  const char *bad[] = {"c", "ch", "z"};
  const char *cls[] = {"cell", "char", "complex"};
  for (int k = 0; k < 3; ++k) {
    ck_assert_int_eq(cb_mat_read(REF "mat_v5.mat", bad[k], &a), CB_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(cb_error_message(), "mat_v5.mat"));
    ck_assert_msg(strstr(cb_error_message(), cls[k]) != NULL, "%s", cb_error_message());
    ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  }
  ck_assert_int_eq(cb_mat_read(REF "mat_v73.mat", "c", &a), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cell"));
  ck_assert_int_eq(cb_mat_read(REF "mat_v5.mat", "st", &a), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "struct"));
  /* Missing variable: the message lists what is there. */
  ck_assert_int_eq(cb_mat_read(REF "mat_v5.mat", "nope", &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "nope"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "st"));
  ck_assert_int_eq(cb_mat_read(REF "mat_v5.mat", "st.nofield", &a), CB_ERR_FORMAT);

  /* Truncated v7.3 (HDF5) and truncated v5. */
  make_tmpdir();
  const char *files[] = {REF "mat_v73.mat", REF "mat_v5.mat"};
  for (int k = 0; k < 2; ++k) {
    char *bytes = NULL;
    size_t len = 0;
    ck_assert_int_eq(cb_file_read_all(files[k], &bytes, &len), CB_OK);
    char p[512];
    snprintf(p, sizeof p, "%s/cut%d.mat", tmpdir, k);
    ck_assert_int_eq(cb_file_write_atomic(p, bytes, len * 2 / 3), CB_OK);
    free(bytes);
    /* v5: a variable stored after the cut (A, first, would still read). */
    ck_assert_int_eq(cb_mat_read(p, k ? "z" : "A", &a), CB_ERR_FORMAT);
    ck_assert_msg(strstr(cb_error_message(), p) != NULL, "%s", cb_error_message());
    ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
    ck_assert_ptr_null(a);
  }
}
END_TEST

START_TEST(test_assembly_from_array_and_csv) {
  /* npy_f4_c is (2, 3, 4) with one NaN: as neuroid x stimulus x repetition
   * every (stimulus, repetition) still has a value → 12 presentations. */
  cb_import_opts o = cb_import_opts_default();
  o.stimulus_prefix = "im";
  o.region = "IT";
  o.neuroid_prefix = "n";
  cb_assembly *a = NULL;
  ck_assert_msg(cb_import_assembly(REF "npy_f4_c.npy", &o, &a) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(a->n_pres, 12);
  ck_assert_int_eq(a->n_neuroid, 2);
  const cb_coord *sid = cb_assembly_coord(a, "stimulus_id"), *rep = cb_assembly_coord(a, "repetition");
  ck_assert_str_eq(sid->s[5], "im0002");
  ck_assert_double_eq(rep->v[5], 1);
  /* data[p=5 (stim 1, rep 1), neuroid 1] = x[1][1][1] = (12 + 4 + 1) / 4 */
  ck_assert_double_eq(a->data[5 * 2 + 1], 17.0 / 4);
  ck_assert_str_eq(cb_assembly_coord(a, "neuroid_id")->s[1], "n1");
  ck_assert_str_eq(cb_assembly_coord(a, "region")->s[0], "IT");
  cb_assembly_destroy(&a);
  /* Other axis order. */
  o.dims = "stimulus,neuroid,time_bin";
  ck_assert_int_eq(cb_import_assembly(REF "npy_f4_c.npy", &o, &a), CB_OK);
  ck_assert_int_eq(a->n_pres, 2);
  ck_assert_int_eq(a->n_neuroid, 3);
  ck_assert_int_eq(a->n_time, 4);
  ck_assert_double_eq(a->data[(1 * 3 + 2) * 4 + 1], (12 + 8 + 1) / 4.0);
  cb_assembly_destroy(&a);
  o.dims = "neuroid,stimulus";
  ck_assert_int_eq(cb_import_assembly(REF "npy_f4_c.npy", &o, &a), CB_ERR_ARG);
  /* Wrong number of ids. */
  char *ids[] = {"a", "b"};
  o.dims = NULL;
  o.stimulus_ids = ids;
  o.n_ids = 2;
  ck_assert_int_eq(cb_import_assembly(REF "npy_f4_c.npy", &o, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "npy_f4_c.npy"));

  /* CSV. */
  make_tmpdir();
  char p[512];
  snprintf(p, sizeof p, "%s/resp.csv", tmpdir);
  const char *csv = "stimulus_id,repetition,n0,n1\ns1,0,1.5,2\ns1,1,,3\ns2,0,nan,4e1\n";
  ck_assert_int_eq(cb_file_write_atomic(p, csv, strlen(csv)), CB_OK);
  o = cb_import_opts_default();
  ck_assert_msg(cb_import_assembly(p, &o, &a) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(a->n_pres, 3);
  ck_assert_int_eq(a->n_neuroid, 2);
  ck_assert(isnan(a->data[2]));
  ck_assert_double_eq(a->data[5], 40.0);
  ck_assert_str_eq(cb_assembly_coord(a, "neuroid_id")->s[1], "n1");
  ck_assert_double_eq(cb_assembly_coord(a, "repetition")->v[1], 1);
  cb_assembly_destroy(&a);
  const char *bad = "stimulus,n0\ns1,1\n";
  ck_assert_int_eq(cb_file_write_atomic(p, bad, strlen(bad)), CB_OK);
  ck_assert_int_eq(cb_import_assembly(p, &o, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stimulus_id"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "resp.csv"));
}
END_TEST

START_TEST(test_cowley_npy_matches_committed_nc) {
  if (access(COWLEY "responses_210325.npy", R_OK) != 0) return; /* shared data absent: skip */
  cb_import_opts o = cb_import_opts_default();
  char **ids = NULL;
  int n_ids = 0;
  ck_assert_msg(cb_import_read_ids(COWLEY "stimulus_cowley2023_210325.csv", &ids, &n_ids) == CB_OK, "%s",
                cb_error_message());
  ck_assert_int_eq(n_ids, 640);
  o.stimulus_ids = ids;
  o.n_ids = n_ids;
  o.region = "V4";
  o.neuroid_prefix = "cowley210325_n";
  o.time_bin_start = 0;
  o.time_bin_end = 100;
  cb_assembly *a = NULL, *ref = NULL;
  ck_assert_msg(cb_import_assembly(COWLEY "responses_210325.npy", &o, &a) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(a->n_pres, 4840);
  ck_assert_int_eq(a->n_neuroid, 50);
  double sum = 0;
  for (int64_t k = 0; k < a->n_pres * a->n_neuroid; ++k) sum += a->data[k];
  ck_assert_double_eq(sum, 573941.0);
  ck_assert_int_eq(cb_assembly_read(COWLEY "assy_cowley2023_V4_210325.nc", &ref), CB_OK);
  ck_assert_int_eq(ref->n_pres, a->n_pres);
  ck_assert_int_eq(memcmp(ref->data, a->data, (size_t)(a->n_pres * a->n_neuroid) * sizeof(double)), 0);
  const cb_coord *s1 = cb_assembly_coord(a, "stimulus_id"), *s2 = cb_assembly_coord(ref, "stimulus_id");
  const cb_coord *r1 = cb_assembly_coord(a, "repetition"), *r2 = cb_assembly_coord(ref, "repetition");
  for (int64_t p = 0; p < a->n_pres; ++p) {
    ck_assert_str_eq(s1->s[p], s2->s[p]);
    ck_assert_double_eq(r1->v[p], r2->v[p]);
  }
  ck_assert_str_eq(cb_assembly_coord(a, "neuroid_id")->s[49], cb_assembly_coord(ref, "neuroid_id")->s[49]);
  /* Write + read back. */
  make_tmpdir();
  char p[512];
  snprintf(p, sizeof p, "%s/cowley.nc", tmpdir);
  ck_assert_int_eq(cb_assembly_write(p, a), CB_OK);
  cb_assembly *back = NULL;
  ck_assert_int_eq(cb_assembly_read(p, &back), CB_OK);
  ck_assert_int_eq(back->n_pres, 4840);
  cb_assembly_destroy(&back);
  cb_assembly_destroy(&a);
  cb_assembly_destroy(&ref);
  cb_strlist_free(&ids);
}
END_TEST

static double rdm_sum(const cb_rdmfile *r, int s) {
  double t = 0;
  for (int k = 0; k < r->n * r->n; ++k) t += r->rdm[(size_t)s * r->n * r->n + k];
  return t;
}

START_TEST(test_rdm_import_and_file) {
  make_tmpdir();
  cb_import_opts o = cb_import_opts_default();
  cb_rdmfile *r = NULL, *back = NULL;
  /* Struct array of square RDMs, subject names from the struct. */
  o.var = "st.RDM";
  o.distance = "abs-diff";
  o.identifier = "test.rdm";
  ck_assert_msg(cb_import_rdm(REF "mat_v5.mat", &o, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(r->n_subject, 3);
  ck_assert_int_eq(r->n, 3);
  ck_assert(r->has_subject);
  ck_assert_str_eq(r->subject[1], "subj2");
  ck_assert_str_eq(r->stimulus_id[2], "stimulus0003");
  ck_assert_double_eq(rdm_sum(r, 2), 3.0 * 8);
  char p[512];
  snprintf(p, sizeof p, "%s/r.h5", tmpdir);
  ck_assert_int_eq(cb_rdmfile_write(p, r), CB_OK);
  ck_assert_int_eq(cb_rdmfile_read(p, &back), CB_OK);
  ck_assert_int_eq(back->n_subject, 3);
  ck_assert_str_eq(back->subject[2], "subj3");
  ck_assert_str_eq(back->distance, "abs-diff");
  ck_assert_str_eq(back->identifier, "test.rdm");
  ck_assert_int_eq(memcmp(back->rdm, r->rdm, 27 * sizeof(double)), 0);
  cb_rdmfile_destroy(&back);
  cb_rdmfile_destroy(&r);
  /* Subject names given: they replace the struct's; repeats kept (sessions); wrong count names the file. */
  char s_a[] = "A", s_b[] = "B";
  char *subj3[] = {s_a, s_b, s_a};
  o.subjects = subj3;
  o.n_subjects = 3;
  ck_assert_msg(cb_import_rdm(REF "mat_v5.mat", &o, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_str_eq(r->subject[0], "A");
  ck_assert_str_eq(r->subject[2], "A");
  cb_rdmfile_destroy(&r);
  o.n_subjects = 2;
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "mat_v5.mat"));
  ck_assert_ptr_null(r);
  /* with one element: one name, written (1, n, n) with /subject */
  o.element = 2;
  o.n_subjects = 1;
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_OK);
  ck_assert(r->has_subject);
  ck_assert_int_eq(r->n_subject, 1);
  ck_assert_str_eq(r->subject[0], "A");
  ck_assert_double_eq(rdm_sum(r, 0), 16.0);
  cb_rdmfile_destroy(&r);
  o.subjects = NULL;
  o.n_subjects = 0;
  /* One element only: 2-D file. */
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_OK);
  ck_assert(!r->has_subject);
  ck_assert_double_eq(rdm_sum(r, 0), 16.0);
  cb_rdmfile_destroy(&r);
  o.element = 4;
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_ERR_ARG);
  o.element = 0;
  /* Not symmetric / not an RDM. */
  o.var = "A";
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "mat_v5.mat"));
  o.var = "S";
  ck_assert_int_eq(cb_import_rdm(REF "mat_v5.mat", &o, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "diagonal"));
  /* Corrupt RDM file. */
  char *bytes = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(p, &bytes, &n), CB_OK);
  char q[512];
  snprintf(q, sizeof q, "%s/cut.h5", tmpdir);
  ck_assert_int_eq(cb_file_write_atomic(q, bytes, n / 2), CB_OK);
  free(bytes);
  ck_assert_int_ne(cb_rdmfile_read(q, &back), CB_OK);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut.h5"));
  ck_assert_ptr_null(back);
}
END_TEST

START_TEST(test_kriegeskorte_rdms) {
  if (access(KRIEG "92_brainRDMs.mat", R_OK) != 0) return; /* shared data absent: skip */
  cb_import_opts o = cb_import_opts_default();
  cb_rdmfile *r = NULL;
  char **ids = NULL;
  int n_ids = 0;
  ck_assert_int_eq(cb_import_read_ids(KRIEG "stimuli.csv", &ids, &n_ids), CB_OK);
  o.stimulus_ids = ids;
  o.n_ids = n_ids;
  /* Condensed monkey-IT RDM: element 1 of the fig-1 struct. */
  o.var = "RDMs_mIT_hIT_fig1.RDM";
  o.element = 1;
  ck_assert_msg(cb_import_rdm(KRIEG "Kriegeskorte_Neuron2008_supplementalData.mat", &o, &r) == CB_OK, "%s",
                cb_error_message());
  ck_assert_int_eq(r->n, 92);
  ck_assert_double_eq_tol(rdm_sum(r, 0), 2 * 4167.792212231709, 1e-8);
  ck_assert_double_eq_tol(r->rdm[1], 0.96691272, 1e-8);
  ck_assert_str_eq(r->stimulus_id[91], "img092");
  cb_rdmfile_destroy(&r);
  o.element = 2;
  ck_assert_int_eq(cb_import_rdm(KRIEG "Kriegeskorte_Neuron2008_supplementalData.mat", &o, &r), CB_OK);
  ck_assert_double_eq_tol(rdm_sum(r, 0), 2 * 3549.46457657218, 1e-8);
  cb_rdmfile_destroy(&r);
  /* 4 subjects x 2 sessions of human IT, float32 squares. */
  o.var = "RDMs.RDM";
  o.element = 0;
  ck_assert_msg(cb_import_rdm(KRIEG "92_brainRDMs.mat", &o, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(r->n_subject, 8);
  ck_assert_str_eq(r->subject[0], "hIT | BE | Session: 1");
  ck_assert_str_eq(r->subject[1], "hIT | KO | Session: 1");
  ck_assert_str_eq(r->subject[4], "hIT | BE | Session: 2");
  ck_assert_double_eq_tol(rdm_sum(r, 0), 7390.2632, 1e-3);
  ck_assert_double_eq_tol(rdm_sum(r, 1), 7101.2257, 1e-3);
  ck_assert_double_eq_tol(rdm_sum(r, 7), 6607.8641, 1e-3);
  cb_rdmfile_destroy(&r);
  /* The model RDMs: monkeyIT (element 3) equals the fig-1 square. */
  o.var = "Models.RDM";
  o.element = 3;
  ck_assert_int_eq(cb_import_rdm(KRIEG "92_modelRDMs.mat", &o, &r), CB_OK);
  ck_assert_double_eq_tol(rdm_sum(r, 0), 8335.584424463415, 1e-8);
  cb_rdmfile_destroy(&r);
  /* A struct image is not an RDM; a cell is unsupported. */
  o.var = "categoryLabels";
  o.element = 0;
  ck_assert_int_eq(cb_import_rdm(KRIEG "Kriegeskorte_Neuron2008_supplementalData.mat", &o, &r), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cell"));
  cb_strlist_free(&ids);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_import");
  TCase *tc = tcase_create("import");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_npy_reader);
  tcase_add_test(tc, test_mat_reader);
  tcase_add_test(tc, test_assembly_from_array_and_csv);
  tcase_add_test(tc, test_cowley_npy_matches_committed_nc);
  tcase_add_test(tc, test_rdm_import_and_file);
  tcase_add_test(tc, test_kriegeskorte_rdms);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
