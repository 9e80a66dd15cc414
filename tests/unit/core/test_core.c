/* Unit tests for src/core: status messages, RNG, files, text helpers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_arena.h"
#include "cb_fs.h"
#include "cb_mem.h"
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

/* Inputs must be regular files: a FIFO is refused without blocking, a
 * device without reading, a directory too; whole-file reads have a limit. */
START_TEST(test_input_policy) {
  char dir[] = "/tmp/cbcoreXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char fifo[512], reg[512];
  snprintf(fifo, sizeof fifo, "%s/in.fifo", dir);
  snprintf(reg, sizeof reg, "%s/ten.txt", dir);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(cb_file_write_atomic(reg, "0123456789", 10), CB_OK);
  char *text = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(fifo, &text, &n), CB_ERR_IO); /* returns: no writer needed */
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "in.fifo: not a regular file (a FIFO)"));
  ck_assert_ptr_null(text);
  int fd = -1;
  ck_assert_int_eq(cb_file_open_read(fifo, &fd, NULL), CB_ERR_IO);
  ck_assert_int_eq(fd, -1);
  ck_assert_int_eq(cb_file_read_all("/dev/zero", &text, &n), CB_ERR_IO);
  ck_assert_str_eq(cb_error_message(), "/dev/zero: not a regular file (a character device)");
  ck_assert_int_eq(cb_file_check_regular(dir), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "not a regular file (a directory)"));
  FILE *f = NULL;
  ck_assert_int_eq(cb_file_fopen_read(fifo, &f), CB_ERR_IO);
  ck_assert_ptr_null(f);
  /* Limits: at the limit reads, one byte over fails naming file and limit. */
  ck_assert_int_eq(cb_file_read_max(reg, 10, &text, &n), CB_OK);
  ck_assert_uint_eq(n, 10);
  ck_assert_str_eq(text, "0123456789");
  free(text);
  text = NULL;
  ck_assert_int_eq(cb_file_read_max(reg, 9, &text, &n), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "ten.txt: file too large to read (10 bytes; the limit is 9 bytes)"));
  ck_assert_ptr_null(text);
  ck_assert_int_eq(cb_file_fopen_read(reg, &f), CB_OK);
  ck_assert_int_eq(fgetc(f), '0');
  fclose(f);
  unlink(fifo);
  unlink(reg);
  rmdir(dir);
}
END_TEST

START_TEST(test_memory_estimate) {
  uint64_t have = 0;
  const char *src = NULL;
  unsetenv("CORTEXBENCH_MEM_LIMIT");
  ck_assert_int_eq(cb_mem_available(&have, &src), CB_OK);
  ck_assert_uint_gt(have, 0);
  ck_assert_int_eq(cb_mem_check(1024, "small"), CB_OK);
  ck_assert_int_eq(cb_mem_check(UINT64_MAX, "x.nc: data"), CB_ERR_NOMEM);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "x.nc: data: needs ~"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), " GB, machine has "));
  setenv("CORTEXBENCH_MEM_LIMIT", "2G", 1);
  ck_assert_int_eq(cb_mem_available(&have, &src), CB_OK);
  ck_assert_uint_le(have, (uint64_t)2 << 30);
  ck_assert_int_eq(cb_mem_check((uint64_t)3 << 30, "big"), CB_ERR_NOMEM);
  ck_assert_str_eq(cb_error_message(), "big: needs ~3.22 GB, machine has 2.15 GB available (CORTEXBENCH_MEM_LIMIT)");
  setenv("CORTEXBENCH_MEM_LIMIT", "1.5 MiB", 1);
  ck_assert_int_eq(cb_mem_available(&have, &src), CB_OK);
  ck_assert_uint_eq(have, 3u << 19);
  setenv("CORTEXBENCH_MEM_LIMIT", "lots", 1);
  ck_assert_int_eq(cb_mem_check(1, "x"), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "CORTEXBENCH_MEM_LIMIT"));
  unsetenv("CORTEXBENCH_MEM_LIMIT");
  ck_assert_uint_eq(cb_mem_product(1u << 20, 1u << 20, 1u << 20, 1u << 20), UINT64_MAX); /* saturates */
  ck_assert_uint_eq(cb_mem_product(3, 5, 7, 8), 840);
  ck_assert_uint_eq(cb_mem_product(0, UINT64_MAX, 2, 2), 0);
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
  tcase_add_test(tc, test_input_policy);
  tcase_add_test(tc, test_memory_estimate);
  tcase_add_test(tc, test_strlist_and_strbuf);
  tcase_add_test(tc, test_tensor_arena_timers);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
