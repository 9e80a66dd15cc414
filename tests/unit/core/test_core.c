/* Unit tests for src/core: status messages, RNG, files, text helpers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cb_arena.h"
#include "cb_fs.h"
#include "cb_lock.h"
#include "cb_rng.h"
#include "cb_status.h"
#include "cb_strbuf.h"
#include "cb_tensor.h"
#include "cb_timer.h"
#include "cb_test_main.h"

static cb_status fails_io(const char *path) { return CB_ERROR(CB_ERR_IO, "%s: cannot open\n(detail)", path); }
static cb_status propagates(const char *path) {
  CB_CHECK(fails_io(path));
  return CB_OK;
}

START_TEST(test_error_message_one_line) {
  cb_error_clear();
  ck_assert_int_eq(propagates("x.h5"), CB_ERR_IO);
  ck_assert_str_eq(cb_error_message(), "x.h5: cannot open (detail)");
  ck_assert_ptr_nonnull(strstr(cb_error_where(), "tests/unit/core/test_core.c:"));
  ck_assert_int_eq(cb_error_status(), CB_ERR_IO);
  ck_assert_str_eq(cb_status_str(CB_ERR_IO), "i/o error");
}
END_TEST

START_TEST(test_rng_deterministic_and_streams_differ) {
  cb_rng a, b, c;
  cb_rng_seed(&a, 42);
  cb_rng_seed(&b, 42);
  cb_rng_seed_stream(&c, 42, 1);
  int same_c = 0;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = cb_rng_u64(&a), y = cb_rng_u64(&b), z = cb_rng_u64(&c);
    ck_assert_uint_eq(x, y);
    same_c += (x == z);
  }
  ck_assert_int_lt(same_c, 2);
}
END_TEST

START_TEST(test_rng_distributions_moments) {
  cb_rng r;
  cb_rng_seed(&r, 7);
  const int n = 200000;
  double lambdas[] = {0.5, 4.0, 45.0};
  for (int k = 0; k < 3; ++k) {
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      double x = (double)cb_rng_poisson(&r, lambdas[k]);
      s += x;
      s2 += x * x;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    /* 6 standard errors of the mean and of the variance. */
    ck_assert_double_eq_tol(mean, lambdas[k], 6 * sqrt(lambdas[k] / n));
    ck_assert_double_eq_tol(var, lambdas[k], 6 * sqrt((2 * lambdas[k] * lambdas[k] + lambdas[k]) / n));
  }
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = cb_rng_normal(&r);
    s += x;
    s2 += x * x;
  }
  ck_assert_double_eq_tol(s / n, 0.0, 6 / sqrt(n));
  ck_assert_double_eq_tol(s2 / n, 1.0, 6 * sqrt(2.0 / n));
  uint64_t counts[5] = {0};
  for (int i = 0; i < 50000; ++i) counts[cb_rng_below(&r, 5)]++;
  for (int i = 0; i < 5; ++i) ck_assert_double_eq_tol((double)counts[i], 10000.0, 6 * sqrt(8000.0));
}
END_TEST

START_TEST(test_shuffle_is_permutation) {
  cb_rng r;
  cb_rng_seed(&r, 3);
  size_t idx[100];
  for (size_t i = 0; i < 100; ++i) idx[i] = i;
  cb_rng_shuffle(&r, idx, 100);
  int seen[100] = {0}, moved = 0;
  for (size_t i = 0; i < 100; ++i) {
    seen[idx[i]]++;
    moved += idx[i] != i;
  }
  for (int i = 0; i < 100; ++i) ck_assert_int_eq(seen[i], 1);
  ck_assert_int_gt(moved, 50);
}
END_TEST

START_TEST(test_atomic_write_and_read) {
  char dir[] = "/tmp/cbcoreXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[512];
  snprintf(path, sizeof path, "%s/a/b/out.txt", dir);
  ck_assert_int_eq(cb_file_write_atomic(path, "hello\n", 6), CB_OK);
  char *text = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(path, &text, &n), CB_OK);
  ck_assert_uint_eq(n, 6);
  ck_assert_str_eq(text, "hello\n");
  free(text);
  /* No temporary file left beside it. */
  char tmp[512];
  ck_assert_int_eq(cb_path_temp(path, tmp, sizeof tmp), CB_OK);
  ck_assert(!cb_path_exists(tmp));
  ck_assert_int_eq(cb_file_read_all("/nonexistent/file", &text, &n), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "/nonexistent/file"));
  unlink(path);
}
END_TEST

/* flock locks belong to an open file description: a second acquisition in
 * the same process conflicts like another process's would. */
START_TEST(test_dirlock) {
  char dir[] = "/tmp/cblockXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  cb_dirlock *a = NULL, *b = NULL, *c = NULL;
  ck_assert_int_eq(cb_dirlock_acquire(dir, 0, &a), CB_OK);
  ck_assert_int_eq(cb_dirlock_acquire(dir, 0, &b), CB_ERR_IO);
  ck_assert_ptr_null(b);
  char pid[32];
  snprintf(pid, sizeof pid, "(pid %ld on ", (long)getpid());
  ck_assert_msg(strstr(cb_error_message(), pid) && strstr(cb_error_message(), dir), "%s", cb_error_message());
  ck_assert_int_eq(cb_dirlock_acquire(dir, 1, &b), CB_ERR_IO); /* shared: excluded by an exclusive holder */
  cb_dirlock_release(&a);
  ck_assert_ptr_null(a);
  ck_assert_int_eq(cb_dirlock_acquire(dir, 1, &a), CB_OK); /* shared holders coexist */
  ck_assert_int_eq(cb_dirlock_acquire(dir, 1, &b), CB_OK);
  ck_assert_int_eq(cb_dirlock_acquire(dir, 0, &c), CB_ERR_IO);
  cb_dirlock_release(&a);
  cb_dirlock_release(&b);
  ck_assert_int_eq(cb_dirlock_acquire(dir, 0, &c), CB_OK);
  cb_dirlock_release(&c);
  cb_dirlock_release(NULL);
  char path[512];
  snprintf(path, sizeof path, "%s/.lock", dir);
  unlink(path);
  rmdir(dir);
}
END_TEST

/* Reserved blocks do not change the file's size and are given back. */
START_TEST(test_file_reserve) {
  char dir[] = "/tmp/cbresXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[512];
  snprintf(path, sizeof path, "%s/.f.tmp.1", dir);
  ck_assert_int_eq(cb_file_reserve(path, "f", 1 << 20), CB_OK);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq((int)st.st_size, 0);
  FILE *f = fopen(path, "r+");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq((int)fwrite("abc", 1, 3, f), 3);
  fclose(f);
  cb_file_unreserve(path, 1 << 20);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq((int)st.st_size, 3);
  ck_assert_int_lt((long long)st.st_blocks * 512, 1 << 20); /* the unused blocks were given back */
  /* More than any disk holds: one line naming the file and the free space; nothing left behind. */
  struct statvfs vs;
  ck_assert_int_eq(statvfs(dir, &vs), 0);
  uint64_t more = 2 * (uint64_t)vs.f_bavail * vs.f_frsize + ((uint64_t)1 << 30);
  ck_assert_int_eq(cb_file_reserve(path, "final.h5", more), CB_ERR_IO);
  ck_assert_msg(strstr(cb_error_message(), "final.h5: ") && strstr(cb_error_message(), "free in"), "%s",
                cb_error_message());
  ck_assert(!cb_path_exists(path));
  rmdir(dir);
}
END_TEST

START_TEST(test_strlist_and_strbuf) {
  char **list = NULL;
  int n = 0;
  ck_assert_int_eq(cb_strlist_split(" a, b ,,c ", ',', &list, &n), CB_OK);
  ck_assert_int_eq(n, 3);
  ck_assert_str_eq(list[0], "a");
  ck_assert_str_eq(list[1], "b");
  ck_assert_str_eq(list[2], "c");
  ck_assert_ptr_null(list[3]);
  cb_strlist_free(&list);
  ck_assert_ptr_null(list);
  cb_strlist_free(&list); /* NULL-safe */
  cb_strbuf b = {0};
  for (int i = 0; i < 1000; ++i) ck_assert_int_eq(cb_strbuf_printf(&b, "%d,", i), CB_OK);
  ck_assert_uint_eq(b.len, strlen(b.data));
  ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
  cb_strbuf_free(&b);
}
END_TEST

START_TEST(test_tensor_arena_timers) {
  int64_t shape[4] = {2, 3, 4, 5};
  cb_tensor *t = NULL;
  ck_assert_int_eq(cb_tensor_create(4, shape, &t), CB_OK);
  ck_assert_int_eq(cb_tensor_numel(t), 120);
  ck_assert_int_eq(cb_tensor_inner(t, 1), 60);
  for (int i = 0; i < 120; ++i) ck_assert(t->data[i] == 0.0f);
  cb_tensor_destroy(&t);
  ck_assert_ptr_null(t);
  cb_tensor_destroy(&t);
  int64_t bad[1] = {-1};
  ck_assert_int_eq(cb_tensor_create(1, bad, &t), CB_ERR_ARG);

  cb_arena *a = NULL;
  ck_assert_int_eq(cb_arena_create(1000, &a), CB_OK);
  void *p = cb_arena_alloc(a, 100), *q = cb_arena_alloc(a, 100);
  ck_assert_ptr_nonnull(p);
  ck_assert_ptr_nonnull(q);
  ck_assert_uint_eq(((uintptr_t)q) % 64, 0);
  ck_assert_ptr_null(cb_arena_alloc(a, 5000));
  cb_arena_reset(a);
  ck_assert_uint_eq(cb_arena_used(a), 0);
  ck_assert_uint_eq(cb_arena_high_water(a), 256);
  cb_arena_destroy(&a);
  cb_arena_destroy(&a);

  cb_timers *tm = NULL;
  ck_assert_int_eq(cb_timers_create(&tm), CB_OK);
  cb_timers_declare(tm, "first");
  cb_timers_start(tm, "second");
  usleep(2000);
  cb_timers_stop(tm, "second");
  cb_timers_count(tm, "second", 3);
  ck_assert_int_eq(cb_timers_n(tm), 2);
  ck_assert_str_eq(cb_timers_name(tm, 0), "first");
  ck_assert(cb_timers_seconds(tm, 0) == 0.0);
  ck_assert(cb_timers_seconds(tm, 1) >= 0.0015);
  ck_assert_int_eq(cb_timers_items(tm, 1), 3);
  cb_timers_destroy(&tm);
}
END_TEST

int main(void) {
  Suite *s = suite_create("core");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_error_message_one_line);
  tcase_add_test(tc, test_rng_deterministic_and_streams_differ);
  tcase_add_test(tc, test_rng_distributions_moments);
  tcase_add_test(tc, test_shuffle_is_permutation);
  tcase_add_test(tc, test_atomic_write_and_read);
  tcase_add_test(tc, test_dirlock);
  tcase_add_test(tc, test_file_reserve);
  tcase_add_test(tc, test_strlist_and_strbuf);
  tcase_add_test(tc, test_tensor_arena_timers);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
