/* Unit tests for cb_wire (bounds-checked decoding) and cb_isolate (a parser
 * run in a forked child: results, errors, crashes, hangs, stderr capture). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb_isolate.h"
#include "cb_status.h"
#include "cb_strbuf.h"
#include "cb_wire.h"
#include "cb_written.h"
#include "cb_test_main.h"

START_TEST(test_wire_round_trip) {
  cb_wire w = {0};
  double v[3] = {1.5, -2.0, 1e300};
  float f[2] = {0.25f, -3.0f};
  char *s[3] = {"a", "", "ünï"};
  cb_wire_put_i64(&w, -7);
  cb_wire_put_f64s(&w, v, 3);
  cb_wire_put_f32s(&w, f, 2);
  cb_wire_put_str(&w, NULL);
  cb_wire_put_str(&w, "hello");
  cb_wire_put_strs(&w, s, 3);
  ck_assert(!w.bad);
  int64_t i = 0;
  double *v2 = NULL;
  float *f2 = NULL;
  char *n = (char *)1, *h = NULL, **s2 = NULL;
  ck_assert(cb_wire_get_i64(&w, &i));
  ck_assert_int_eq(i, -7);
  ck_assert(cb_wire_get_f64s(&w, 3, &v2));
  ck_assert(cb_wire_get_f32s(&w, 2, &f2));
  ck_assert(cb_wire_get_str(&w, &n));
  ck_assert(cb_wire_get_str(&w, &h));
  ck_assert(cb_wire_get_strs(&w, 3, &s2));
  ck_assert_ptr_null(n);
  ck_assert_str_eq(h, "hello");
  ck_assert(memcmp(v, v2, sizeof v) == 0 && memcmp(f, f2, sizeof f) == 0);
  for (int k = 0; k < 3; ++k) ck_assert_str_eq(s2[k], s[k]);
  ck_assert_ptr_null(s2[3]);
  ck_assert_uint_eq(cb_wire_left(&w), 0);
  /* Reading past the end, or an implausible count, fails without allocating. */
  ck_assert(!cb_wire_get_i64(&w, &i));
  ck_assert(w.bad);
  free(v2), free(f2), free(h);
  cb_strlist_free(&s2);
  cb_wire_free(&w);
}
END_TEST

START_TEST(test_wire_rejects_bad_lengths) {
  cb_wire w = {0};
  cb_wire_put_i64(&w, INT64_C(1) << 60); /* a string "length" far past the end */
  cb_wire_put_i64(&w, 3);
  char *s = NULL;
  ck_assert(!cb_wire_get_str(&w, &s));
  ck_assert_ptr_null(s);
  w.bad = 0, w.pos = 0;
  double *d = NULL;
  ck_assert(!cb_wire_get_f64s(&w, INT64_C(1) << 60, &d));
  w.bad = 0, w.pos = 0;
  char **l = NULL;
  ck_assert(!cb_wire_get_strs(&w, 1000, &l));
  w.bad = 0, w.pos = 8;
  int64_t c = 0;
  ck_assert(!cb_wire_get_count(&w, 0, 2, &c));
  cb_wire_free(&w);
}
END_TEST

/* Child behaviours selected by the argument. */
static cb_status child(void *arg, cb_wire *w) {
  const char *what = arg;
  if (strcmp(what, "ok") == 0) {
    fprintf(stderr, "child stderr noise (captured when isolated, printed with CB_ISOLATE=0)\n");
    cb_wire_put_i64(w, (int64_t)getpid());
    cb_wire_put_str(w, "parsed");
    return CB_OK;
  }
  if (strcmp(what, "error") == 0) return CB_ERROR(CB_ERR_UNSUPPORTED, "f.h5: no data variable");
  if (strcmp(what, "segv") == 0) raise(SIGSEGV);
  if (strcmp(what, "abort") == 0) {
    fprintf(stderr, "free(): invalid pointer\n");
    abort();
  }
  if (strcmp(what, "exit") == 0) _exit(3);
  if (strcmp(what, "hang") == 0)
    for (;;) pause();
  return CB_ERROR(CB_ERR_INTERNAL, "unknown behaviour");
}

/* A reply of arrays of 3 MiB, 512 KiB (below the stream buffer) and 3 MiB between small items (strings, counts):
 * streamed into shared memory by the child, mapped by the parent; the same values in the same order as
 * in-process. An error after a partial payload is only the error. */
#define BIG (3 * 1024 * 1024 / 4)
#define BIG_N(k) ((k) == 1 ? BIG / 6 : BIG)
static cb_status big_child(void *arg, cb_wire *w) {
  for (int k = 0; k < 3; ++k) {
    float *X = malloc(sizeof *X * BIG);
    if (!X) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int i = 0; i < BIG_N(k); ++i) X[i] = (float)(i % 1000) * 0.5f + (float)k;
    cb_wire_put_str(w, k == 1 ? "middle" : "edge");
    cb_wire_put_i64(w, BIG_N(k));
    cb_wire_put_f32s(w, X, BIG_N(k));
    free(X);
  }
  return arg ? CB_ERROR(CB_ERR_FORMAT, "big.h5: broken after the payload") : CB_OK;
}

static int check_big(cb_wire *w) {
  int ok = 1;
  for (int k = 0; k < 3 && ok; ++k) {
    char *s = NULL;
    int64_t n = 0;
    float *X = NULL;
    ok = cb_wire_get_str(w, &s) && !strcmp(s, k == 1 ? "middle" : "edge") && cb_wire_get_i64(w, &n) &&
         n == BIG_N(k) && cb_wire_get_f32s(w, n, &X);
    for (int i = 0; ok && i < n; ++i) ok = X[i] == (float)(i % 1000) * 0.5f + (float)k;
    free(s);
    free(X);
  }
  return ok && cb_wire_left(w) == 0;
}

START_TEST(test_isolate_large_reply) {
  unsetenv("CB_ISOLATE");
  cb_wire w;
  ck_assert_int_eq(cb_isolate_call("big.h5", big_child, NULL, &w), CB_OK);
  ck_assert_msg(check_big(&w), "isolated reply differs");
  cb_wire_free(&w);
  ck_assert_int_eq(cb_isolate_call("big.h5", big_child, "fail", &w), CB_ERR_FORMAT);
  ck_assert_str_eq(cb_error_message(), "big.h5: broken after the payload");
  ck_assert_ptr_null(w.buf);
  setenv("CB_ISOLATE", "0", 1);
  ck_assert_int_eq(cb_isolate_call("big.h5", big_child, NULL, &w), CB_OK);
  ck_assert_msg(check_big(&w), "in-process reply differs");
  cb_wire_free(&w);
  unsetenv("CB_ISOLATE");
}
END_TEST

/* Rooms filled in place (the isolated reader decodes a layer straight into the shared reply), at offsets that are
 * not page multiples, between ordinary puts; read back as views. */
static const size_t ROOM_N[2] = {3 * 4096 + 5, 1000003};
static cb_status room_child(void *arg, cb_wire *w) {
  (void)arg;
  cb_wire_put_str(w, "odd");
  for (int k = 0; k < 2; ++k) {
    cb_wire_put_i64(w, (int64_t)ROOM_N[k]);
    unsigned char *r = cb_wire_put_room(w, ROOM_N[k]);
    if (!r) return CB_ERROR(CB_ERR_NOMEM, "no room");
    for (size_t i = 0; i < ROOM_N[k]; ++i) r[i] = (unsigned char)(i * 7 + (size_t)k);
    cb_wire_put_str(w, k ? "end" : "between");
  }
  return CB_OK;
}

static int check_rooms(cb_wire *w) {
  char *s = NULL;
  int ok = cb_wire_get_str(w, &s) && !strcmp(s, "odd");
  free(s);
  for (int k = 0; k < 2 && ok; ++k) {
    int64_t n = 0;
    const unsigned char *v = NULL;
    ok = cb_wire_get_i64(w, &n) && n == (int64_t)ROOM_N[k] && (v = cb_wire_get_view(w, (size_t)n)) != NULL;
    for (size_t i = 0; ok && i < ROOM_N[k]; ++i) ok = v[i] == (unsigned char)(i * 7 + (size_t)k);
    s = NULL;
    ok = ok && cb_wire_get_str(w, &s) && !strcmp(s, k ? "end" : "between");
    free(s);
  }
  return ok && cb_wire_left(w) == 0 && cb_wire_get_view(w, 1) == NULL && w->bad;
}

START_TEST(test_wire_rooms) {
  unsetenv("CB_ISOLATE");
  cb_wire w;
  ck_assert_int_eq(cb_isolate_call("rooms.h5", room_child, NULL, &w), CB_OK);
  ck_assert_msg(check_rooms(&w), "isolated rooms differ");
  cb_wire_free(&w);
  setenv("CB_ISOLATE", "0", 1);
  ck_assert_int_eq(cb_isolate_call("rooms.h5", room_child, NULL, &w), CB_OK);
  ck_assert_msg(check_rooms(&w), "in-process rooms differ");
  cb_wire_free(&w);
  unsetenv("CB_ISOLATE");
}
END_TEST

START_TEST(test_isolate_result_and_error) {
  unsetenv("CB_ISOLATE");
  cb_wire w;
  ck_assert_int_eq(cb_isolate_call("f.h5", child, "ok", &w), CB_OK);
  int64_t pid = 0;
  char *s = NULL;
  ck_assert(cb_wire_get_i64(&w, &pid) && cb_wire_get_str(&w, &s));
  ck_assert_int_ne(pid, getpid()); /* parsed in another process */
  ck_assert_str_eq(s, "parsed");
  free(s);
  cb_wire_free(&w);
  ck_assert_int_eq(cb_isolate_call("f.h5", child, "error", &w), CB_ERR_UNSUPPORTED);
  ck_assert_str_eq(cb_error_message(), "f.h5: no data variable");
  ck_assert_ptr_null(w.buf);
  /* Disabled: the same result, in this process. */
  setenv("CB_ISOLATE", "0", 1);
  ck_assert_int_eq(cb_isolate_call("f.h5", child, "ok", &w), CB_OK);
  ck_assert(cb_wire_get_i64(&w, &pid));
  ck_assert_int_eq(pid, getpid());
  cb_wire_free(&w);
  unsetenv("CB_ISOLATE");
}
END_TEST

/* Under AddressSanitizer the child's fault is caught by the sanitizer, which reports and aborts or exits: the
 * one line is then the same apart from how the child ended. */
#if defined(__SANITIZE_ADDRESS__)
#define CB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CB_TEST_ASAN 1
#endif
#endif

static void check_crash_line(const char *how) {
  const char *msg = cb_error_message();
  ck_assert_ptr_null(strchr(msg, '\n'));
  ck_assert_ptr_nonnull(
      strstr(msg, "bad.nc: corrupt or unsupported HDF5 file (the HDF5 library crashed while reading it: "));
#ifndef CB_TEST_ASAN
  ck_assert_msg(strstr(msg, how) != NULL, "'%s' lacks '%s'", msg, how);
#else
  (void)how;
#endif
}

START_TEST(test_isolate_crashes_become_one_line) {
  cb_wire w;
  ck_assert_int_eq(cb_isolate_call("bad.nc", child, "segv", &w), CB_ERR_FORMAT);
  check_crash_line("reading it: signal 11, Segmentation fault)");
  ck_assert_int_eq(cb_isolate_call("bad.nc", child, "abort", &w), CB_ERR_FORMAT);
  check_crash_line("crashed while reading it: signal 6, Aborted: free(): invalid");
  ck_assert_int_eq(cb_isolate_call("bad.nc", child, "exit", &w), CB_ERR_FORMAT);
  check_crash_line("crashed while reading it: exit status 3");
}
END_TEST

START_TEST(test_isolate_timeout) {
  setenv("CB_ISOLATE_TIMEOUT", "0.3", 1);
  ck_assert_double_eq_tol(cb_isolate_timeout(1 << 30), 0.3, 1e-12);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  cb_wire w;
  ck_assert_int_eq(cb_isolate_call("slow.h5", child, "hang", &w), CB_ERR_FORMAT);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  ck_assert_msg(s >= 0.25 && s < 5.0, "took %g s", s);
  ck_assert_str_eq(cb_error_message(),
                   "slow.h5: corrupt or unsupported HDF5 file (the HDF5 library timed out reading it after 0.3 s)");
  unsetenv("CB_ISOLATE_TIMEOUT");
  /* Default: 60 s + 1 s per 10 MiB. */
  ck_assert_double_eq_tol(cb_isolate_timeout(0), 60.0, 1e-12);
  ck_assert_double_eq_tol(cb_isolate_timeout(100LL << 20), 70.0, 1e-9);
}
END_TEST

/* Where cb_isolate_call parsed: this process or another. */
static int64_t parsed_in(const char *path) {
  cb_wire w;
  int64_t pid = 0;
  ck_assert_int_eq(cb_isolate_call(path, child, "ok", &w), CB_OK);
  ck_assert(cb_wire_get_i64(&w, &pid));
  cb_wire_free(&w);
  return pid;
}

static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* The record beside a written file (cb_written.h): a file still as recorded is read in-process and its digest taken
 * from the record; a changed file, a copy moved into its place, a one-line (older) record or a malformed one is not
 * trusted. */
START_TEST(test_written_record_trust) {
  unsetenv("CB_ISOLATE");
  char dir[] = "/tmp/cbwrittenXXXXXX", path[64], side[80], copy[64], hex[65];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/a.h5", dir);
  snprintf(side, sizeof side, "%s.sha256", path);
  snprintf(copy, sizeof copy, "%s/b.h5", dir);
  const char *digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  put_file(path, "written");
  ck_assert_int_eq(parsed_in(path) == getpid(), 0); /* no record: isolated */
  ck_assert_int_eq(cb_written_record(path, digest), CB_OK);
  ck_assert_int_eq(cb_written_unchanged(path), 1);
  ck_assert_int_eq(cb_isolate_inline(path), 1);
  ck_assert_int_eq(parsed_in(path), getpid());
  ck_assert_int_eq(cb_written_digest(path, hex), 1);
  ck_assert_str_eq(hex, digest);
  FILE *f = fopen(path, "a"); /* changed in place: size and change time move */
  fputs("!", f);
  fclose(f);
  ck_assert_int_eq(cb_written_unchanged(path), 0);
  ck_assert_int_ne(parsed_in(path), getpid());
  ck_assert_int_eq(cb_written_record(path, digest), CB_OK);
  put_file(copy, "written!"); /* the same bytes moved over it: another inode */
  ck_assert_int_eq(rename(copy, path), 0);
  ck_assert_int_eq(cb_written_unchanged(path), 0);
  ck_assert_int_eq(cb_written_digest(path, hex), 1); /* the digest line still reads (the suite re-hashes) */
  char line[80];
  snprintf(line, sizeof line, "%s\n", digest); /* an older record: the digest only */
  put_file(side, line);
  ck_assert_int_eq(cb_written_unchanged(path), 0);
  ck_assert_int_eq(cb_written_digest(path, hex), 1);
  put_file(side, "not a digest at all, not a digest at all, not a digest at all!!\nstat 1 2 3 4.000000000 5.0\n");
  ck_assert_int_eq(cb_written_digest(path, hex), 0);
  ck_assert_int_eq(cb_written_unchanged(path), 0);
  ck_assert_int_eq(cb_written_record(path, "abc"), CB_ERR_ARG);
  unlink(side);
  unlink(path);
  rmdir(dir);
}
END_TEST

int main(void) {
  Suite *s = suite_create("isolate");
  TCase *tc = tcase_create("isolate");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_wire_round_trip);
  tcase_add_test(tc, test_wire_rejects_bad_lengths);
  tcase_add_test(tc, test_isolate_result_and_error);
  tcase_add_test(tc, test_isolate_large_reply);
  tcase_add_test(tc, test_wire_rooms);
  tcase_add_test(tc, test_isolate_crashes_become_one_line);
  tcase_add_test(tc, test_isolate_timeout);
  tcase_add_test(tc, test_written_record_trust);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
