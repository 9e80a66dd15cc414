/* MPI integration test of src/par (run with mpiexec -n 1, 2, 3): block
 * partitions, error agreement, collective activations write read back
 * serially, the failure path leaving no file, LPT assignment, timers. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_activations.h"
#include "cb_fs.h"
#include "cb_par.h"
#include "cb_partition.h"

static int failures = 0;
#define EXPECT(cond, ...)                                                                          \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

static void test_blocks(void) {
  for (int size = 1; size <= 7; ++size)
    for (int64_t n = 0; n <= 20; ++n) {
      int64_t next = 0;
      for (int r = 0; r < size; ++r) {
        int64_t s, c;
        cb_par_block(n, r, size, &s, &c);
        EXPECT(s == next, "block start n=%lld size=%d rank=%d", (long long)n, size, r);
        EXPECT(c == n / size || c == n / size + 1, "block size");
        next = s + c;
      }
      EXPECT(next == n, "blocks cover [0,%lld)", (long long)n);
    }
}

static void test_agree(cb_par *p) {
  EXPECT(cb_par_agree(p, CB_OK) == CB_OK, "all ok");
  int rank = cb_par_rank(p), size = cb_par_size(p);
  cb_status local = CB_OK;
  if (rank == size - 1) local = CB_ERROR(CB_ERR_IO, "boom.h5: cannot open on rank %d", rank);
  cb_status st = cb_par_agree(p, local);
  EXPECT(st == CB_ERR_IO, "status propagated (got %d)", (int)st);
  EXPECT(strstr(cb_error_message(), "boom.h5: cannot open on rank") != NULL, "message propagated: %s",
         cb_error_message());
  cb_error_clear();
}

static void test_lpt(void) {
  double cost[7] = {5, 1, 9, 3, 9, 2, 4};
  int owner[7];
  cb_partition_lpt(cost, 7, 2, owner);
  double load[2] = {0, 0};
  for (int i = 0; i < 7; ++i) load[owner[i]] += cost[i];
  EXPECT(fabs(load[0] - load[1]) <= 1.0, "LPT balances 33 as 17/16 (got %g/%g)", load[0], load[1]);
  EXPECT(owner[2] == 0 && owner[4] == 1, "equal costs: lower index first, to the lowest rank");
}

static int no_temp_files(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 1;
  struct dirent *e;
  int ok = 1;
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".tmp.")) ok = 0;
  closedir(d);
  return ok;
}

static void test_write_activations(cb_par *p, const char *dir) {
  enum { N = 11, F0 = 6, F1 = 3 };
  char path[CB_PATH_MAX];
  snprintf(path, sizeof path, "%s/acts.h5", dir);
  char ids_store[N][16];
  const char *ids[N];
  for (int i = 0; i < N; ++i) {
    snprintf(ids_store[i], sizeof ids_store[i], "stim_%02d", i);
    ids[i] = ids_store[i];
  }
  int64_t start, count;
  cb_par_block(N, cb_par_rank(p), cb_par_size(p), &start, &count);
  float x0[N * F0], x1[N * F1]; /* (count, F0), (count, F1) */
  for (int64_t i = 0; i < count; ++i) {
    for (int f = 0; f < F0; ++f) x0[i * F0 + f] = (float)((start + i) * 100 + f);
    for (int f = 0; f < F1; ++f) x1[i * F1 + f] = -(float)((start + i) * 10 + f);
  }
  /* Layer names deliberately not in alphabetical order; '/' and '%' as ONNX exporters write them. */
  const char *names[2] = {"zeta.conv", "/alpha/pool%1"};
  const int64_t features[2] = {F0, F1};
  const float *X[2] = {x0, x1};
  cb_status st = cb_par_write_activations(p, path, "toy", "key123", N, ids, 2, names, features, start, count, X);
  EXPECT(st == CB_OK, "collective write: %s", cb_error_message());
  if (cb_par_rank(p) == 0 && st == CB_OK) {
    cb_activations *a = NULL;
    float *L = NULL;
    int64_t f = 0;
    EXPECT(cb_activations_open(path, &a) == CB_OK, "reopen: %s", cb_error_message());
    if (a) {
      EXPECT(a->n == N, "n");
      EXPECT(!strcmp(a->model, "toy"), "model attribute");
      EXPECT(!strcmp(a->task_key, "key123"), "task_key attribute");
      EXPECT(a->n_layers == 2 && !strcmp(a->layer_names[0], "zeta.conv"), "layers in creation order");
      for (int i = 0; i < N; ++i) EXPECT(!strcmp(a->stimulus_id[i], ids[i]), "id %d", i);
      EXPECT(cb_activations_read_layer(a, path, "zeta.conv", &L, &f) == CB_OK && f == F0, "read layer");
      for (int i = 0; L && i < N; ++i)
        for (int j = 0; j < F0; ++j) EXPECT(L[i * F0 + j] == (float)(i * 100 + j), "value %d,%d", i, j);
      free(L);
      L = NULL;
      EXPECT(cb_activations_read_layer(a, path, "/alpha/pool%1", &L, &f) == CB_OK && f == F1, "read layer 2");
      for (int i = 0; L && i < N; ++i)
        for (int j = 0; j < F1; ++j) EXPECT(L[i * F1 + j] == -(float)(i * 10 + j), "value2 %d,%d", i, j);
      free(L);
      cb_activations_destroy(&a);
    }
    EXPECT(no_temp_files(dir), "no temporary file left");
  }
  /* Failure path: an empty layer name is refused by every rank. */
  const char *bad[2] = {"", "c"};
  char bad_path[CB_PATH_MAX];
  snprintf(bad_path, sizeof bad_path, "%s/bad.h5", dir);
  st = cb_par_write_activations(p, bad_path, "toy", NULL, N, ids, 2, bad, features, start, count, X);
  EXPECT(st == CB_ERR_ARG, "bad layer name refused");
  /* Failure path: unwritable destination. */
  st = cb_par_write_activations(p, "/proc/cortexbench/x.h5", "toy", NULL, N, ids, 2, names, features, start, count, X);
  EXPECT(st != CB_OK, "unwritable destination fails on every rank");
  cb_par_barrier(p);
  if (cb_par_rank(p) == 0) {
    EXPECT(!cb_path_exists(bad_path), "no output after failure");
    EXPECT(no_temp_files(dir), "no temporary file after failure");
  }
}

int main(int argc, char **argv) {
  cb_par *p = NULL;
  if (cb_par_init(&argc, &argv, &p) != CB_OK) {
    fprintf(stderr, "MPI init failed\n");
    return 1;
  }
  char dir[CB_PATH_MAX] = "";
  if (cb_par_rank(p) == 0) {
    snprintf(dir, sizeof dir, "/tmp/cb-par-test.XXXXXX");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  cb_par_bcast_string(p, dir, sizeof dir);
  test_blocks();
  test_agree(p);
  test_lpt();
  test_write_activations(p, dir);
  cb_timers *t = NULL;
  cb_timers_create(&t);
  cb_timers_start(t, "work");
  cb_timers_count(t, "work", cb_par_rank(p) + 1);
  cb_timers_stop(t, "work");
  EXPECT(cb_par_timers_report(p, t) == CB_OK, "timers report");
  cb_timers_destroy(&t);
  double total = failures;
  cb_par_allreduce_sum(p, &total, 1);
  if (cb_par_rank(p) == 0) {
    char cmd[CB_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (dir[0] && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    printf("test_par on %d rank%s: %s\n", cb_par_size(p), cb_par_size(p) > 1 ? "s" : "",
           total == 0 ? "all checks passed" : "FAILED");
  }
  cb_par_destroy(&p);
  return total == 0 ? 0 : 1;
}
