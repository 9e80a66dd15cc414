/* Unit tests for src/io/cb_assembly: netCDF-4 round trip, the real Cowley V4
 * fixture (values documented in ../shared/data/cowley2023_v4/SOURCE.md),
 * the stimulus-level view and the error messages. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "cb_assembly.h"
#include "cb_fs.h"
#include "cb_strbuf.h"
#include "cb_test_main.h"

#define COWLEY "../shared/data/cowley2023_v4/assy_cowley2023_V4_210325.nc"

static char g_dir[64];

static void make_dir(void) {
  strcpy(g_dir, "/tmp/cbassyXXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* 5 presentations x 3 neuroids x 2 time bins; data[i] = 0.25 i, data[7] = NaN. */
static cb_assembly *small_assembly(void) {
  cb_assembly *a = NULL;
  ck_assert_int_eq(cb_assembly_create(5, 3, 2, &a), CB_OK);
  for (int i = 0; i < 30; ++i) a->data[i] = 0.25 * i;
  a->data[7] = NAN;
  free(a->identifier);
  free(a->stimulus_set_identifier);
  a->identifier = cb_strdup("test.assy");
  a->stimulus_set_identifier = cb_strdup("test.stim");
  const char *sid[] = {"s0", "s1", "s0", "s2", "s1"};
  const char *nid[] = {"n0", "n1", "n2"};
  const char *reg[] = {"V4", "IT", "V4"};
  double rep[] = {1, 0, 0, 0, 1}, con[] = {0.5, 0.25, 0.5, 1.5, 0.25}, tb0[] = {0, 50}, tb1[] = {50, 100};
  ck_assert_int_eq(cb_assembly_add_string_coord(a, 0, "stimulus_id", sid), CB_OK);
  ck_assert_int_eq(cb_assembly_add_number_coord(a, 0, "repetition", rep), CB_OK);
  ck_assert_int_eq(cb_assembly_add_number_coord(a, 0, "contrast", con), CB_OK);
  ck_assert_int_eq(cb_assembly_add_string_coord(a, 1, "neuroid_id", nid), CB_OK);
  ck_assert_int_eq(cb_assembly_add_string_coord(a, 1, "region", reg), CB_OK);
  ck_assert_int_eq(cb_assembly_add_number_coord(a, 2, "time_bin_start", tb0), CB_OK);
  ck_assert_int_eq(cb_assembly_add_number_coord(a, 2, "time_bin_end", tb1), CB_OK);
  return a;
}

static int dir_has_temp(const char *dir) {
  DIR *d = opendir(dir);
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL)
    if (strstr(e->d_name, ".tmp.")) found = 1;
  if (d) closedir(d);
  return found;
}

static void copy_prefix(const char *src, const char *dst, long bytes) {
  FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
  ck_assert_ptr_nonnull(in);
  ck_assert_ptr_nonnull(out);
  for (long i = 0; i < bytes; ++i) {
    int c = fgetc(in);
    if (c == EOF) break;
    fputc(c, out);
  }
  fclose(in);
  fclose(out);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

START_TEST(test_round_trip) {
  make_dir();
  char path[300], sub[256];
  snprintf(sub, sizeof sub, "%s/sub", g_dir);
  snprintf(path, sizeof path, "%s/a.nc", sub);
  cb_assembly *a = small_assembly(), *b = NULL;
  ck_assert_int_eq(cb_assembly_write(path, a), CB_OK);
  ck_assert(!dir_has_temp(sub));
  ck_assert_int_eq(cb_assembly_read(path, &b), CB_OK);
  ck_assert_int_eq(b->n_pres, 5);
  ck_assert_int_eq(b->n_neuroid, 3);
  ck_assert_int_eq(b->n_time, 2);
  for (int i = 0; i < 30; ++i) {
    if (i == 7)
      ck_assert(isnan(b->data[i]));
    else
      ck_assert(b->data[i] == 0.25 * i);
  }
  ck_assert_str_eq(b->identifier, "test.assy");
  ck_assert_str_eq(b->stimulus_set_identifier, "test.stim");
  ck_assert_str_eq(b->source, path);
  ck_assert_int_eq(b->n_coords, 7);
  for (int i = 0; i < a->n_coords; ++i) {
    const cb_coord *x = &a->coords[i], *y = cb_assembly_coord(b, x->name);
    ck_assert_ptr_nonnull(y);
    ck_assert_int_eq(y->dim, x->dim);
    ck_assert_int_eq(y->is_string, x->is_string);
    int64_t len = x->dim == 0 ? 5 : x->dim == 1 ? 3 : 2;
    for (int64_t j = 0; j < len; ++j) {
      if (x->is_string)
        ck_assert_str_eq(y->s[j], x->s[j]);
      else
        ck_assert(y->v[j] == x->v[j]);
    }
  }
  ck_assert_ptr_null(cb_assembly_coord(b, "nope"));
  /* Duplicate and reserved coordinate names are refused. */
  const char *v5[] = {"a", "b", "c", "d", "e"};
  ck_assert_int_eq(cb_assembly_add_string_coord(b, 0, "stimulus_id", v5), CB_ERR_ARG);
  ck_assert_int_eq(cb_assembly_add_string_coord(b, 0, "data", v5), CB_ERR_ARG);
  ck_assert_int_eq(cb_assembly_add_string_coord(b, 3, "x", v5), CB_ERR_ARG);
  /* Overwrite an existing file atomically. */
  ck_assert_int_eq(cb_assembly_write(path, b), CB_OK);
  cb_assembly *c = NULL;
  ck_assert_int_eq(cb_assembly_read(path, &c), CB_OK);
  ck_assert_int_eq(c->n_coords, 7);
  cb_assembly_destroy(&c);

  /* Independent reader: h5py sees the same values and the netCDF layout. */
  if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) {
    printf("test_round_trip: h5py not importable by /usr/bin/python3, skipping the h5py check\n");
  } else {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/io/check_assembly_h5py.py '%s'", path);
    ck_assert_int_eq(system(cmd), 0);
  }
  cb_assembly_destroy(&a);
  cb_assembly_destroy(&b);
  cb_assembly_destroy(&b);
  remove_dir();
}
END_TEST

START_TEST(test_neural_view) {
  cb_assembly *a = small_assembly();
  cb_neural *n = NULL;
  ck_assert_int_eq(cb_neural_from_assembly(a, NULL, NAN, NAN, "contrast", &n), CB_OK);
  ck_assert_int_eq(n->n_stim, 3);
  ck_assert_int_eq(n->n_rep, 2);
  ck_assert_int_eq(n->n_neuroid, 3);
  ck_assert_str_eq(n->stimulus_id[0], "s0");
  ck_assert_str_eq(n->stimulus_id[1], "s1");
  ck_assert_str_eq(n->stimulus_id[2], "s2");
  ck_assert_str_eq(n->labels[0], "0.5");
  ck_assert_str_eq(n->labels[2], "1.5");
  ck_assert_str_eq(n->neuroid_id[2], "n2");
  /* s0 = presentations 0 (repetition 1) and 2 (repetition 0): rep 0 is p2.
   * value(p, j) = mean over t of 0.25 * (6p + 2j + t) = 0.25 * (6p + 2j + 0.5). */
#define VAL(p, j) (0.25 * (6.0 * (p) + 2.0 * (j) + 0.5))
  const double *r = n->reps; /* (3, 2, 3) */
  ck_assert(fabs(r[(0 * 2 + 0) * 3 + 0] - VAL(2, 0)) < 1e-12);
  ck_assert(fabs(r[(0 * 2 + 1) * 3 + 0] - VAL(0, 0)) < 1e-12);
  ck_assert(fabs(r[(1 * 2 + 0) * 3 + 2] - VAL(1, 2)) < 1e-12);
  ck_assert(fabs(r[(1 * 2 + 1) * 3 + 2] - VAL(4, 2)) < 1e-12);
  /* data[7] = (p 1, j 0, t 1) is NaN, so s1's first repetition of neuroid 0 is NaN. */
  ck_assert(isnan(r[(1 * 2 + 0) * 3 + 0]));
  /* s2 has one repetition: the second slot is NaN padding. */
  ck_assert(fabs(r[(2 * 2 + 0) * 3 + 1] - VAL(3, 1)) < 1e-12);
  ck_assert(isnan(r[(2 * 2 + 1) * 3 + 1]));
  ck_assert(fabs(n->mean[0 * 3 + 1] - 0.5 * (VAL(0, 1) + VAL(2, 1))) < 1e-12);
  ck_assert(fabs(n->mean[1 * 3 + 0] - VAL(4, 0)) < 1e-12); /* NaN repetition ignored */
  ck_assert(fabs(n->mean[2 * 3 + 1] - VAL(3, 1)) < 1e-12);
  cb_neural_destroy(&n);
  cb_neural_destroy(&n);

  /* Region V4 = neuroids 0 and 2; time window [0, 50) = bin 0 only. */
  ck_assert_int_eq(cb_neural_from_assembly(a, "V4", 0.0, 50.0, NULL, &n), CB_OK);
  ck_assert_int_eq(n->n_neuroid, 2);
  ck_assert_ptr_null(n->labels);
  ck_assert_str_eq(n->neuroid_id[0], "n0");
  ck_assert_str_eq(n->neuroid_id[1], "n2");
  /* stimulus s0 rep 0 = p2, neuroid 2, bin 0: data[(2*3+2)*2+0] = 0.25 * 16. */
  ck_assert(n->reps[(0 * 2 + 0) * 2 + 1] == 0.25 * 16);
  cb_neural_destroy(&n);

  ck_assert_int_eq(cb_neural_from_assembly(a, "AIT", NAN, NAN, NULL, &n), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "AIT"));
  ck_assert_ptr_null(n);
  ck_assert_int_eq(cb_neural_from_assembly(a, NULL, 200.0, 300.0, NULL, &n), CB_ERR_ARG);
  ck_assert_int_eq(cb_neural_from_assembly(a, NULL, NAN, NAN, "category", &n), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "category"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "test.assy"));
  cb_assembly_destroy(&a);

  /* Without a region coordinate, asking for a region is an error; without
   * neuroid_id the ids are the indices. */
  ck_assert_int_eq(cb_assembly_create(2, 2, 1, &a), CB_OK);
  const char *sid[] = {"x", "y"};
  ck_assert_int_eq(cb_assembly_add_string_coord(a, 0, "image_id", sid), CB_OK);
  ck_assert_int_eq(cb_neural_from_assembly(a, "V4", NAN, NAN, NULL, &n), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "region"));
  ck_assert_int_eq(cb_neural_from_assembly(a, NULL, NAN, NAN, NULL, &n), CB_OK);
  ck_assert_str_eq(n->neuroid_id[1], "1");
  ck_assert_str_eq(n->stimulus_id[1], "y");
  ck_assert_int_eq(n->n_rep, 1);
  cb_neural_destroy(&n);
  cb_assembly_destroy(&a);
}
END_TEST

START_TEST(test_cowley_fixture) {
  if (access(COWLEY, R_OK) != 0) {
    printf("test_cowley_fixture: %s absent, skipping\n", COWLEY);
    return;
  }
  cb_assembly *a = NULL;
  ck_assert_int_eq(cb_assembly_read(COWLEY, &a), CB_OK);
  ck_assert_int_eq(a->n_pres, 4840);
  ck_assert_int_eq(a->n_neuroid, 50);
  ck_assert_int_eq(a->n_time, 1);
  ck_assert_str_eq(a->identifier, "cowley2023.V4.210325");
  ck_assert_str_eq(a->stimulus_set_identifier, "cowley2023.210325");
  const cb_coord *sid = cb_assembly_coord(a, "stimulus_id");
  ck_assert_ptr_nonnull(sid);
  ck_assert_int_eq(sid->is_string, 1);
  ck_assert_str_eq(sid->s[0], "cowley210325image0001");
  ck_assert_str_eq(cb_assembly_coord(a, "neuroid_id")->s[49], "cowley210325_n49");
  ck_assert_int_eq(cb_assembly_coord(a, "repetition")->is_string, 0);
  ck_assert(cb_assembly_coord(a, "time_bin_end")->v[0] == 100.0);
  ck_assert(a->data[0] == 6.0);
  double sum = 0;
  for (int64_t i = 0; i < 4840 * 50; ++i) sum += a->data[i];
  ck_assert(sum == 573941.0);

  cb_neural *n = NULL;
  ck_assert_int_eq(cb_neural_from_assembly(a, "V4", 0.0, 100.0, NULL, &n), CB_OK);
  ck_assert_int_eq(n->n_stim, 640);
  ck_assert_int_eq(n->n_rep, 10);
  ck_assert_int_eq(n->n_neuroid, 50);
  ck_assert_str_eq(n->stimulus_id[639], "cowley210325image0640");
  const double r0[] = {6, 3, 6, 1, 3, 4, 3};
  for (int k = 0; k < 7; ++k) ck_assert(n->reps[(0 * 10 + k) * 50 + 0] == r0[k]);
  ck_assert(isnan(n->reps[(0 * 10 + 7) * 50 + 0]));
  ck_assert(fabs(n->mean[0] - (6 + 3 + 6 + 1 + 3 + 4 + 3) / 7.0) < 1e-12);
  cb_neural_destroy(&n);
  ck_assert_int_eq(cb_neural_from_assembly(a, "IT", NAN, NAN, NULL, &n), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), COWLEY));

  /* Our writer round-trips the real file. */
  make_dir();
  char path[256];
  snprintf(path, sizeof path, "%s/cowley.nc", g_dir);
  ck_assert_int_eq(cb_assembly_write(path, a), CB_OK);
  cb_assembly *b = NULL;
  ck_assert_int_eq(cb_assembly_read(path, &b), CB_OK);
  ck_assert_int_eq(b->n_coords, a->n_coords);
  ck_assert_int_eq(memcmp(a->data, b->data, sizeof(double) * 4840 * 50), 0);
  ck_assert_str_eq(cb_assembly_coord(b, "stimulus_id")->s[4839], sid->s[4839]);
  cb_assembly_destroy(&b);
  remove_dir();
  cb_assembly_destroy(&a);
}
END_TEST

/* A netCDF-like file built with plain HDF5: 2-D data variable named "rates"
 * (3 presentations x 2 neuroids), stimulus coordinate of length `sid_len`. */
static void write_custom(const char *path, int sid_len, int with_sid) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  hsize_t np = 3, nn = 2, dims[2] = {3, 2}, ns = (hsize_t)sid_len;
  hid_t sp = H5Screate_simple(1, &np, NULL);
  hid_t pres = H5Dcreate2(f, "presentation", H5T_IEEE_F32BE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Sclose(sp);
  sp = H5Screate_simple(1, &nn, NULL);
  hid_t neur = H5Dcreate2(f, "neuroid", H5T_IEEE_F32BE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Sclose(sp);
  ck_assert_int_ge(H5DSset_scale(pres, "This is a netCDF dimension but not a netCDF variable.         3"), 0);
  ck_assert_int_ge(H5DSset_scale(neur, "This is a netCDF dimension but not a netCDF variable.         2"), 0);
  sp = H5Screate_simple(2, dims, NULL);
  hid_t d = H5Dcreate2(f, "rates", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int v[6] = {1, 2, 3, 4, 5, 6};
  H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5DSattach_scale(d, pres, 0);
  H5DSattach_scale(d, neur, 1);
  H5Dclose(d);
  H5Sclose(sp);
  if (with_sid) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 4); /* fixed-length strings */
    sp = H5Screate_simple(1, &ns, NULL);
    d = H5Dcreate2(f, "stimulus_id", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, "im0\0im1\0im0\0im9\0");
    H5DSattach_scale(d, pres, 0);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
  }
  H5Dclose(pres);
  H5Dclose(neur);
  H5Fclose(f);
}

/* The isolated read (forked child + serialization) gives exactly what the
 * in-process read (CB_ISOLATE=0) gives: every identifier, value and coordinate. */
START_TEST(test_isolated_equals_in_process) {
  if (access(COWLEY, R_OK) != 0) {
    printf("test_isolated_equals_in_process: %s absent, skipping\n", COWLEY);
    return;
  }
  cb_assembly *a = NULL, *b = NULL;
  setenv("CB_ISOLATE", "0", 1);
  ck_assert_int_eq(cb_assembly_read(COWLEY, &a), CB_OK);
  unsetenv("CB_ISOLATE");
  ck_assert_int_eq(cb_assembly_read(COWLEY, &b), CB_OK);
  ck_assert_str_eq(a->identifier, b->identifier);
  ck_assert_str_eq(a->stimulus_set_identifier, b->stimulus_set_identifier);
  ck_assert_str_eq(a->source, b->source);
  ck_assert(a->n_pres == b->n_pres && a->n_neuroid == b->n_neuroid && a->n_time == b->n_time);
  size_t n = (size_t)(a->n_pres * a->n_neuroid * a->n_time);
  ck_assert(memcmp(a->data, b->data, n * sizeof *a->data) == 0);
  ck_assert_int_eq(a->n_coords, b->n_coords);
  for (int i = 0; i < a->n_coords; ++i) {
    const cb_coord *x = &a->coords[i], *y = &b->coords[i];
    ck_assert_str_eq(x->name, y->name);
    ck_assert(x->dim == y->dim && x->is_string == y->is_string);
    int64_t len = x->dim == 0 ? a->n_pres : x->dim == 1 ? a->n_neuroid : a->n_time;
    for (int64_t k = 0; k < len; ++k) {
      if (x->is_string) ck_assert_str_eq(x->s[k], y->s[k]);
      else ck_assert(memcmp(&x->v[k], &y->v[k], sizeof x->v[k]) == 0);
    }
  }
  cb_assembly_destroy(&a);
  cb_assembly_destroy(&b);
}
END_TEST

START_TEST(test_generic_2d_and_errors) {
  make_dir();
  char path[256], bad[256], trunc[256];
  snprintf(path, sizeof path, "%s/custom.nc", g_dir);
  write_custom(path, 3, 1);
  cb_assembly *a = NULL;
  ck_assert_int_eq(cb_assembly_read(path, &a), CB_OK);
  ck_assert_int_eq(a->n_pres, 3);
  ck_assert_int_eq(a->n_neuroid, 2);
  ck_assert_int_eq(a->n_time, 1);
  ck_assert(a->data[5] == 6.0);
  ck_assert_str_eq(a->identifier, "");
  ck_assert_str_eq(cb_assembly_coord(a, "stimulus_id")->s[2], "im0");
  cb_neural *n = NULL;
  ck_assert_int_eq(cb_neural_from_assembly(a, NULL, NAN, NAN, NULL, &n), CB_OK);
  ck_assert_int_eq(n->n_stim, 2);
  ck_assert(n->mean[0] == 3.0); /* (1 + 5) / 2 */
  cb_neural_destroy(&n);
  cb_assembly_destroy(&a);

  /* Coordinate length mismatch. */
  write_custom(path, 4, 1);
  ck_assert_int_eq(cb_assembly_read(path, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), path));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "length"));
  ck_assert_ptr_null(a);

  /* Missing stimulus_id. */
  write_custom(path, 3, 0);
  ck_assert_int_eq(cb_assembly_read(path, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stimulus_id"));

  /* Missing file, non-HDF5 file, truncated file, HDF5 file without data. */
  snprintf(bad, sizeof bad, "%s/missing.nc", g_dir);
  ck_assert_int_eq(cb_assembly_read(bad, &a), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), bad));
  snprintf(bad, sizeof bad, "%s/text.nc", g_dir);
  ck_assert_int_eq(cb_file_write_atomic(bad, "hello, not hdf5\n", 16), CB_OK);
  ck_assert_int_eq(cb_assembly_read(bad, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), bad));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));

  cb_assembly *s = small_assembly();
  ck_assert_int_eq(cb_assembly_write(path, s), CB_OK);
  cb_assembly_destroy(&s);
  snprintf(trunc, sizeof trunc, "%s/trunc.nc", g_dir);
  copy_prefix(path, trunc, file_size(path) / 2);
  cb_status st = cb_assembly_read(trunc, &a);
  ck_assert(st == CB_ERR_FORMAT || st == CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), trunc));
  ck_assert_ptr_null(a);

  hid_t f = H5Fcreate(bad, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  ck_assert_int_eq(cb_assembly_read(bad, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "presentation"));

  /* Writing into an impossible place fails cleanly. */
  ck_assert_int_eq(cb_assembly_create(1, 1, 1, &s), CB_OK);
  snprintf(bad, sizeof bad, "%s/text.nc/x.nc", g_dir);
  ck_assert_int_ne(cb_assembly_write(bad, s), CB_OK);
  cb_assembly_destroy(&s);
  ck_assert_int_eq(cb_assembly_create(0, 1, 1, &s), CB_ERR_ARG);
  remove_dir();
}
END_TEST

int main(void) {
  Suite *s = suite_create("assembly");
  TCase *tc = tcase_create("assembly");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_round_trip);
  tcase_add_test(tc, test_neural_view);
  tcase_add_test(tc, test_cowley_fixture);
  tcase_add_test(tc, test_generic_2d_and_errors);
  tcase_add_test(tc, test_isolated_equals_in_process);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
