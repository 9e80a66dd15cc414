/* Unit tests for src/core: status messages, RNG, files, text helpers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cb_arena.h"
#include "cb_dl.h"
#include "cb_fs.h"
#include "cb_lock.h"
#include "cb_mem.h"
#include "cb_pbscan.h"
#include "cb_rng.h"
#include "cb_status.h"
#include "cb_strbuf.h"
#include "cb_strmap.h"
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
  /* a message wrapped in context, the current message passed as an argument (once formatted into itself) */
  CB_ERROR(CB_ERR_ARG, "expected 'pearson' or 'spearman', got 'earsn'");
  ck_assert_int_eq(CB_ERROR(CB_ERR_ARG, "option --metric: %s", cb_error_message()), CB_ERR_ARG);
  ck_assert_str_eq(cb_error_message(), "option --metric: expected 'pearson' or 'spearman', got 'earsn'");
  ck_assert_int_eq(cb_error_prefix("score: %s", "x"), CB_ERR_ARG);
  ck_assert_str_eq(cb_error_message(), "score: x: option --metric: expected 'pearson' or 'spearman', got 'earsn'");
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

/* flock locks belong to an open file description: a second acquisition in
 * the same process conflicts like another process's would. */
/* Memory the process freed and keeps (cb_mem_keep_freed) stays available to it: under a data-segment limit, the
 * available estimate after allocating and freeing 256 MB is what it was before (not 256 MB less, as the kernel
 * sees it). Skipped under allocators other than glibc's (valgrind, ASan), which ignore the setting. */
START_TEST(test_memory_kept_is_available) {
  cb_mem_keep_freed();
  const size_t probe = (size_t)64 << 20, big = (size_t)256 << 20;
  char *x = malloc(probe);
  ck_assert_ptr_nonnull(x);
  memset(x, 1, probe);
  free(x);
  if (mallinfo2().keepcost < probe / 2) {
    fprintf(stderr, "test_memory_kept_is_available: skipped (the allocator keeps nothing: not glibc's malloc)\n");
    return;
  }
  struct rlimit old, lim;
  ck_assert_int_eq(getrlimit(RLIMIT_DATA, &old), 0);
  lim = old;
  lim.rlim_cur = (rlim_t)4 << 30; /* 4 GB of data segment: this limit decides the estimate */
  if (old.rlim_max != RLIM_INFINITY && lim.rlim_cur > old.rlim_max) lim.rlim_cur = old.rlim_max;
  ck_assert_int_eq(setrlimit(RLIMIT_DATA, &lim), 0);
  unsetenv("CORTEXBENCH_MEM_LIMIT");
  uint64_t before = 0, after = 0;
  const char *src = NULL;
  ck_assert_int_eq(cb_mem_available(&before, &src), CB_OK);
  int decided = !strcmp(src, "RLIMIT_DATA");
  x = malloc(big);
  ck_assert_ptr_nonnull(x);
  memset(x, 2, big);
  free(x);
  ck_assert_int_eq(cb_mem_available(&after, &src), CB_OK);
  setrlimit(RLIMIT_DATA, &old);
  if (!decided || strcmp(src, "RLIMIT_DATA")) {
    fprintf(stderr, "test_memory_kept_is_available: skipped (the machine has less than 4 GB available)\n");
    return;
  }
  ck_assert_msg(after + ((uint64_t)32 << 20) >= before, "available %llu MB before, %llu MB after freeing 256 MB",
                (unsigned long long)(before >> 20), (unsigned long long)(after >> 20));
}
END_TEST

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
  ck_assert_int_eq(cb_file_reserve(path, "final.h5", more), CB_ERR_FAULT); /* a full disk is a fault: exit status 4 */
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

/* cb_size_mul against exact 128-bit products, over signs, zeros, powers of two and the limits. */
START_TEST(test_size_mul_checked) {
  const int64_t v[] = {0, 1, 2, 3, 7, 255, 65536, 46340, 46341, 1ll << 31, (1ll << 31) - 1, 1ll << 32, 3037000499ll,
                       3037000500ll, 1ll << 62, INT64_MAX, -1, -2, INT64_MIN};
  const int64_t limits[] = {0, 1, 100, CB_TENSOR_MAX_NUMEL, INT64_MAX / 2, INT64_MAX};
  const int nv = (int)(sizeof v / sizeof v[0]), nl = (int)(sizeof limits / sizeof limits[0]);
  for (int i = 0; i < nv; ++i)
    for (int j = 0; j < nv; ++j)
      for (int l = 0; l < nl; ++l) {
        const __int128 exact = (__int128)v[i] * v[j];
        const int ok = v[i] >= 0 && v[j] >= 0 && exact <= limits[l];
        int64_t out = -7;
        ck_assert_msg(cb_size_mul(v[i], v[j], limits[l], &out) == ok, "%lld x %lld limit %lld", (long long)v[i],
                      (long long)v[j], (long long)limits[l]);
        if (ok) ck_assert(out == (int64_t)exact);
        else ck_assert_int_eq(out, -7); /* untouched on failure */
      }
  ck_assert_int_eq(cb_size_mul(2, 3, -1, &(int64_t){0}), 0); /* a negative limit admits nothing */
}
END_TEST

/* cb_shape_numel: counts, the limit on the nonzero dimensions, negative dimensions, messages. */
START_TEST(test_shape_numel_limits) {
  int64_t n = -1;
  ck_assert_int_eq(cb_shape_numel(0, NULL, &n), CB_OK);
  ck_assert_int_eq(n, 1); /* a scalar */
  const int64_t s4[] = {1, 3, 224, 224};
  ck_assert_int_eq(cb_shape_numel(4, s4, &n), CB_OK);
  ck_assert_int_eq(n, 150528);
  const int64_t at_limit[] = {1, CB_TENSOR_MAX_NUMEL, 1};
  ck_assert_int_eq(cb_shape_numel(3, at_limit, &n), CB_OK);
  ck_assert_int_eq(n, CB_TENSOR_MAX_NUMEL);
  const int64_t over[] = {2, 1ll << 27, 1, 3}; /* 3 x 2^28 */
  ck_assert_int_eq(cb_shape_numel(4, over, &n), CB_ERR_FORMAT);
  ck_assert_str_eq(cb_error_message(), "shape [2, 134217728, 1, 3] has more than 268435456 elements (the largest tensor supported)");
  const int64_t wraps[] = {1ll << 32, 1ll << 32}; /* 2^64: wraps to 0 in int64 */
  ck_assert_int_eq(cb_shape_numel(2, wraps, &n), CB_ERR_FORMAT);
  const int64_t wraps_neg[] = {1ll << 21, 1ll << 21, 1ll << 21}; /* 2^63: wraps negative */
  ck_assert_int_eq(cb_shape_numel(3, wraps_neg, &n), CB_ERR_FORMAT);
  const int64_t huge_lead[] = {1ll << 62, 3, 8, 8};
  ck_assert_int_eq(cb_shape_numel(4, huge_lead, &n), CB_ERR_FORMAT);
  const int64_t empty[] = {1, 0, 8, 8};
  ck_assert_int_eq(cb_shape_numel(4, empty, &n), CB_OK);
  ck_assert_int_eq(n, 0);
  const int64_t empty_huge[] = {0, 1ll << 40, 1ll << 40}; /* 0 elements, but strides of 2^80 */
  ck_assert_int_eq(cb_shape_numel(3, empty_huge, &n), CB_ERR_FORMAT);
  const int64_t neg[] = {1, 3, -8, 8};
  n = 42;
  ck_assert_int_eq(cb_shape_numel(4, neg, &n), CB_ERR_FORMAT);
  ck_assert_str_eq(cb_error_message(), "dimension 2 is negative in shape [1, 3, -8, 8]");
  ck_assert_int_eq(n, 42); /* written only on success */
  const int64_t minval[] = {INT64_MIN};
  ck_assert_int_eq(cb_shape_numel(1, minval, &n), CB_ERR_FORMAT);
  /* every product of two powers of two: accepted exactly when it fits */
  for (int a = 0; a < 63; ++a)
    for (int b = 0; b < 63; ++b) {
      const int64_t s[2] = {1ll << a, 1ll << b};
      ck_assert_int_eq(cb_shape_numel(2, s, &n) == CB_OK, a + b <= 28);
      if (a + b <= 28) ck_assert_int_eq(n, 1ll << (a + b));
    }
  cb_tensor *t = NULL; /* cb_tensor_create goes through it (an argument error there) */
  ck_assert_int_eq(cb_tensor_create(2, wraps, &t), CB_ERR_ARG);
  ck_assert_ptr_null(t);
  cb_error_clear();
}
END_TEST

START_TEST(test_strmap) {
  cb_strmap m = {0};
  ck_assert_int_eq(cb_strmap_get(&m, "a"), -1);
  enum { N = 5000 };
  static char names[N][16];
  for (int i = 0; i < N; ++i) {
    snprintf(names[i], sizeof names[i], "v%d", i);
    ck_assert_int_eq(cb_strmap_put(&m, names[i], i), CB_OK);
  }
  for (int i = 0; i < N; ++i) {
    char key[16];
    snprintf(key, sizeof key, "v%d", i); /* another pointer, same text */
    ck_assert_int_eq(cb_strmap_get(&m, key), i);
  }
  ck_assert_int_eq(cb_strmap_get(&m, "v5000"), -1);
  ck_assert_int_eq(cb_strmap_get(&m, ""), -1);
  ck_assert_int_eq(cb_strmap_get(&m, NULL), -1);
  ck_assert_int_eq(cb_strmap_put(&m, names[7], 70), CB_OK); /* replaces */
  ck_assert_int_eq(cb_strmap_get(&m, "v7"), 70);
  ck_assert_uint_eq(m.n, N);
  cb_strmap_free(&m);
  ck_assert_ptr_null(m.keys);
  cb_strmap_free(&m);
  cb_strmap_free(NULL);
}
END_TEST

/* Schema for the wire scan: type A's field 1 holds an A (recursive), field 2 a B; B has no message fields. */
static const char type_a = 'A', type_b = 'B';
static const void *child_of(const void *type, uint32_t field) {
  if (type == &type_a && field == 1) return &type_a;
  if (type == &type_a && field == 2) return &type_b;
  return NULL;
}

/* depth A messages nested through field 1, with a B, a varint, a fixed32 and a fixed64 inside the innermost. */
static size_t nested(int depth, unsigned char *buf, size_t cap) {
  static const unsigned char inner[] = {0x12, 0x03, 0x08, 0x96, 0x01, /* field 2 (B) {field 1 varint 150} */
                                        0x18, 0x05,                   /* field 3 varint */
                                        0x25, 1, 2, 3, 4,             /* field 4 fixed32 */
                                        0x29, 1, 2, 3, 4, 5, 6, 7, 8, /* field 5 fixed64 */
                                        0x32, 0x02, 0x0a, 0x00};      /* field 6 bytes (looks like A, is not) */
  size_t len = sizeof inner, pos = cap - len;
  memcpy(buf + pos, inner, len);
  for (int d = 1; d < depth; ++d) { /* prepend tag 0x0a and the length (varint) of what follows */
    unsigned char v[10];
    int nv = 0;
    size_t x = len;
    do {
      v[nv++] = (unsigned char)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
      x >>= 7;
    } while (x);
    pos -= (size_t)nv + 1;
    buf[pos] = 0x0a;
    memcpy(buf + pos + 1, v, (size_t)nv);
    len += (size_t)nv + 1;
  }
  memmove(buf, buf + pos, len);
  return len;
}

START_TEST(test_pb_check_depth) {
  enum { CAP = 1 << 20 };
  unsigned char *buf = malloc(CAP);
  ck_assert_ptr_nonnull(buf);
  for (int depth = 1; depth <= 120; ++depth) {
    size_t n = nested(depth, buf, CAP);
    for (int limit = 1; limit <= 110; limit += 3) {
      /* the innermost A holds a B: depth + 1 levels */
      cb_status st = cb_pb_check_depth(buf, n, &type_a, child_of, limit);
      ck_assert_msg(st == (depth + 1 <= limit ? CB_OK : CB_ERR_UNSUPPORTED), "depth %d limit %d: %d", depth, limit, (int)st);
      if (st != CB_OK) ck_assert_ptr_nonnull(strstr(cb_error_message(), "nested deeper than"));
    }
  }
  size_t n = nested(200000, buf, CAP); /* deep, and no recursion in the scan itself */
  ck_assert_int_eq(cb_pb_check_depth(buf, n, &type_a, child_of, 100), CB_ERR_UNSUPPORTED);
  n = nested(3, buf, CAP);
  ck_assert_int_eq(cb_pb_check_depth(buf, n, &type_a, child_of, 100), CB_OK);
  for (size_t cut = 1; cut < n; ++cut) /* every truncation is malformed (lengths no longer fit) */
    ck_assert_int_eq(cb_pb_check_depth(buf, cut, &type_a, child_of, 100), CB_ERR_FORMAT);
  ck_assert_int_eq(cb_pb_check_depth(buf, 0, &type_a, child_of, 100), CB_OK); /* the empty message */
  const unsigned char group[] = {0x0b, 0x0c}, wt7[] = {0x0f}, longvar[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                                             0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  ck_assert_int_eq(cb_pb_check_depth(group, sizeof group, &type_a, child_of, 100), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "malformed protobuf (byte 0)"));
  ck_assert_int_eq(cb_pb_check_depth(wt7, sizeof wt7, &type_a, child_of, 100), CB_ERR_FORMAT);
  ck_assert_int_eq(cb_pb_check_depth(longvar, sizeof longvar, &type_a, child_of, 100), CB_ERR_FORMAT);
  const unsigned char overlong[] = {0x0a, 0x05, 0x08, 0x01}; /* a length past the end */
  ck_assert_int_eq(cb_pb_check_depth(overlong, sizeof overlong, &type_a, child_of, 100), CB_ERR_FORMAT);
  const unsigned char spill[] = {0x0a, 0x02, 0x12, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00}; /* child longer than parent */
  ck_assert_int_eq(cb_pb_check_depth(spill, sizeof spill, &type_a, child_of, 100), CB_ERR_FORMAT);
  free(buf);
  cb_error_clear();
}
END_TEST

/* The heap's huge-page reserve (cb_mem_keep_freed) is address space, not memory: the estimate against physical
 * memory does not count it (it would be ~256 MB above MemAvailable). Skipped where no reserve is made (no
 * transparent huge pages, strict overcommit, an allocator other than glibc's). */
static uint64_t mem_available_now(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  unsigned long long kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
  if (f) fclose(f);
  return (uint64_t)kb << 10;
}

START_TEST(test_memory_reserve_not_counted) {
  cb_mem_keep_freed();
  if (mallinfo2().keepcost < ((size_t)200 << 20)) {
    fprintf(stderr, "test_memory_reserve_not_counted: skipped (no huge-page reserve in this process)\n");
    return;
  }
  unsetenv("CORTEXBENCH_MEM_LIMIT");
  uint64_t have = 0;
  const char *src = NULL;
  const uint64_t m0 = mem_available_now();
  ck_assert_int_eq(cb_mem_available(&have, &src), CB_OK);
  const uint64_t m1 = mem_available_now();
  if (strcmp(src, "MemAvailable") != 0 || m0 == 0) {
    fprintf(stderr, "test_memory_reserve_not_counted: skipped (%s decides the estimate)\n", src);
    return;
  }
  const uint64_t m = m0 > m1 ? m0 : m1;
  ck_assert_msg(have <= m + ((uint64_t)64 << 20), "estimate %llu MB, MemAvailable %llu MB: the reserve was counted",
                (unsigned long long)(have >> 20), (unsigned long long)(m >> 20));
}
END_TEST

/* cb_dl_need: a library and its symbols resolved once; a missing library or symbol says which. */
static double (*dl_cos)(double);
static void *dl_none;

START_TEST(test_dl_need) {
  cb_dl_sym ok_syms[] = {{"cos", (void **)&dl_cos}};
  cb_dl_lib ok = {"libm.so.6", ok_syms, 1, 0, 0, ""};
  ck_assert_int_eq(cb_dl_need(&ok), 1);
  ck_assert_double_eq(dl_cos(0.0), 1.0);
  ck_assert_int_eq(cb_dl_need(&ok), 1); /* once */
  cb_dl_lib missing = {"libcortexbench-none.so.9", ok_syms, 1, 0, 0, ""};
  ck_assert_int_eq(cb_dl_need(&missing), 0);
  ck_assert_ptr_nonnull(strstr(missing.error, "libcortexbench-none.so.9"));
  cb_dl_sym bad_syms[] = {{"cos", (void **)&dl_cos}, {"cb_no_such_symbol", &dl_none}};
  cb_dl_lib bad = {"libm.so.6", bad_syms, 2, 0, 0, ""};
  ck_assert_int_eq(cb_dl_need(&bad), 0);
  ck_assert_str_eq(bad.error, "libm.so.6 has no cb_no_such_symbol");
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
  tcase_add_test(tc, test_memory_kept_is_available);
  tcase_add_test(tc, test_memory_reserve_not_counted);
  tcase_add_test(tc, test_dl_need);
  tcase_add_test(tc, test_dirlock);
  tcase_add_test(tc, test_file_reserve);
  tcase_add_test(tc, test_strlist_and_strbuf);
  tcase_add_test(tc, test_tensor_arena_timers);
  tcase_add_test(tc, test_size_mul_checked);
  tcase_add_test(tc, test_shape_numel_limits);
  tcase_add_test(tc, test_strmap);
  tcase_add_test(tc, test_pb_check_depth);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
