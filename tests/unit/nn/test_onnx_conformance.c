/* ONNX backend conformance: every test case of Debian's libonnx-testdata
 * (node/ and pytorch-converted/) whose graph uses only supported operators,
 * float32 inputs/outputs and an opset in 7..17 is loaded, run on each
 * test_data_set_* and compared with output_*.pb (|a - b| <= atol + rtol*|b|,
 * rtol 1e-4, atol 1e-5). Prints "N passed, M failed" and the unsupported
 * ops it skipped; fails when any selected case fails or fewer than 120 node
 * cases ran. Skips (exit 0) when the test data is not installed. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_graph.h"
#include "cb_onnx.h"
#include "cb_status.h"

#define ROOT "/usr/share/libonnx-testdata/data"
#define RTOL 1e-4
#define ATOL 1e-5

static int verbose; /* -v: one line per passing data set */

typedef struct tally {
  int passed, failed, skipped_attr, node_ran;
  char ops[256][48];
  int op_count[256];
  int n_ops;
} tally;

static void count_op(tally *t, const char *op) {
  for (int i = 0; i < t->n_ops; ++i)
    if (!strcmp(t->ops[i], op)) {
      t->op_count[i]++;
      return;
    }
  if (t->n_ops < 256) {
    snprintf(t->ops[t->n_ops], sizeof t->ops[0], "%s", op);
    t->op_count[t->n_ops++] = 1;
  }
}

static int is_dir(const char *p) {
  struct stat s;
  return stat(p, &s) == 0 && S_ISDIR(s.st_mode);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted subdirectory names of dir (caller frees). */
static int list_dir(const char *dir, const char *prefix, char ***out) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0, cap = 64;
  char **v = malloc(cap * sizeof *v);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix))) continue;
    if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
    v[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(v, n, sizeof *v, cmp_str);
  *out = v;
  return n;
}

/* Runs one data set; returns 1 on match, 0 on mismatch (message printed). */
static int run_set(const char *name, const char *model, const char *set) {
  char p[2048];
  int ok = 1, n_in = 0, n_out = 0;
  cb_onnx_tensor *ins[16] = {0}, *outs[16] = {0};
  for (int k = 0; k < 16; ++k) {
    snprintf(p, sizeof p, "%s/input_%d.pb", set, k);
    if (access(p, 0) != 0) break;
    if (cb_onnx_read_tensor(p, &ins[n_in]) != CB_OK) {
      printf("FAIL %s: %s\n", name, cb_error_message());
      ok = 0;
      goto done;
    }
    ++n_in;
  }
  for (int k = 0; k < 16; ++k) {
    snprintf(p, sizeof p, "%s/output_%d.pb", set, k);
    if (access(p, 0) != 0) break;
    if (cb_onnx_read_tensor(p, &outs[n_out]) != CB_OK) {
      printf("FAIL %s: %s\n", name, cb_error_message());
      ok = 0;
      goto done;
    }
    ++n_out;
  }
  cb_onnx_options opt = {0};
  opt.sym_dim = 1;
  if (n_in > 0) {
    opt.ndim = ins[0]->ndim;
    memcpy(opt.shape, ins[0]->shape, sizeof opt.shape);
  }
  cb_graph *g = NULL;
  if (cb_onnx_load_graph(model, &opt, &g) != CB_OK) {
    printf("FAIL %s: load: %s\n", name, cb_error_message());
    ok = 0;
    goto done;
  }
  if (cb_graph_n_inputs(g) != n_in || cb_graph_n_outputs(g) != n_out) {
    printf("FAIL %s: %d inputs / %d outputs, data has %d / %d\n", name, cb_graph_n_inputs(g), cb_graph_n_outputs(g), n_in, n_out);
    ok = 0;
    goto free_graph;
  }
  const float *xin[16];
  for (int k = 0; k < n_in; ++k) {
    int64_t s[CB_GRAPH_MAX_DIMS];
    int nd = cb_graph_value_shape(g, cb_graph_input_id(g, k), s);
    int same = nd == ins[k]->ndim;
    for (int d = 0; same && d < nd; ++d) same = s[d] == ins[k]->shape[d];
    if (!same) {
      printf("FAIL %s: input %d shape differs from the model's\n", name, k);
      ok = 0;
      goto free_graph;
    }
    xin[k] = ins[k]->data;
  }
  int req[16];
  float *y[16] = {0};
  for (int k = 0; k < n_out; ++k) {
    req[k] = cb_graph_output_id(g, k);
    int64_t s[CB_GRAPH_MAX_DIMS], numel = 1;
    int nd = cb_graph_value_shape(g, req[k], s);
    for (int d = 0; d < nd; ++d) numel *= s[d];
    if (numel != outs[k]->numel || nd != outs[k]->ndim) {
      printf("FAIL %s: output %d has %lld elements (rank %d), expected %lld (rank %d)\n", name, k, (long long)numel, nd,
             (long long)outs[k]->numel, outs[k]->ndim);
      ok = 0;
    }
    y[k] = calloc(numel > 0 ? numel : 1, sizeof(float));
  }
  if (ok && cb_graph_run(g, xin, n_out, req, y) != CB_OK) {
    printf("FAIL %s: run: %s\n", name, cb_error_message());
    ok = 0;
  }
  for (int k = 0; ok && k < n_out; ++k) {
    for (int64_t i = 0; i < outs[k]->numel; ++i) {
      double a = y[k][i], b = outs[k]->data[i];
      if (isnan(a) && isnan(b)) continue;
      if (isinf(a) && a == b) continue;
      if (!(fabs(a - b) <= ATOL + RTOL * fabs(b))) {
        printf("FAIL %s: output %d element %lld: %.9g vs expected %.9g\n", name, k, (long long)i, a, b);
        ok = 0;
        break;
      }
    }
  }
  if (ok && verbose) {
    int64_t total = 0;
    for (int k = 0; k < n_out; ++k) total += outs[k]->numel;
    printf("ok %s: %d outputs, %lld values\n", name, n_out, (long long)total);
  }
  for (int k = 0; k < n_out; ++k) free(y[k]);
free_graph:
  cb_graph_destroy(&g);
done:
  for (int k = 0; k < 16; ++k) {
    cb_onnx_tensor_destroy(&ins[k]);
    cb_onnx_tensor_destroy(&outs[k]);
  }
  return ok;
}

static void run_suite(const char *sub, tally *t, int is_node) {
  char dir[512], **cases = NULL;
  snprintf(dir, sizeof dir, "%s/%s", ROOT, sub);
  int n = list_dir(dir, "test_", &cases);
  for (int i = 0; i < n; ++i) {
    char model[1100], cdir[1024];
    snprintf(cdir, sizeof cdir, "%.500s/%.500s", dir, cases[i]);
    snprintf(model, sizeof model, "%s/model.onnx", cdir);
    cb_onnx_summary s;
    if (!is_dir(cdir) || cb_onnx_summarize(model, &s) != CB_OK) {
      free(cases[i]);
      continue;
    }
    int supported = s.float_io && s.opset >= 7 && s.opset <= 17;
    for (int k = 0; k < s.n_ops; ++k)
      if (!cb_onnx_op_supported(s.ops[k])) {
        supported = 0;
        if (s.float_io) count_op(t, s.ops[k]);
      }
    if (supported) {
      /* an unsupported attribute value is a skip, not a failure */
      cb_graph *g = NULL;
      cb_status st = cb_onnx_load_graph(model, NULL, &g);
      cb_graph_destroy(&g);
      if (st == CB_ERR_UNSUPPORTED) {
        printf("skip %s/%s: %s\n", sub, cases[i], cb_error_message());
        t->skipped_attr++;
        supported = 0;
      }
    }
    if (supported) {
      char **sets = NULL;
      int ns = list_dir(cdir, "test_data_set_", &sets), ok = ns > 0;
      for (int k = 0; k < ns; ++k) {
        char set[1536], name[1024];
        snprintf(set, sizeof set, "%s/%s", cdir, sets[k]);
        snprintf(name, sizeof name, "%s/%s/%s", sub, cases[i], sets[k]);
        ok &= run_set(name, model, set);
        free(sets[k]);
      }
      free(sets);
      if (ok) t->passed++;
      else t->failed++;
      if (is_node) t->node_ran++;
    }
    free(cases[i]);
  }
  free(cases);
}

int main(int argc, char **argv) {
  verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
  if (!is_dir(ROOT "/node")) {
    printf("skipped: %s not installed (Debian package libonnx-testdata)\n", ROOT);
    return 0;
  }
  tally t;
  memset(&t, 0, sizeof t);
  run_suite("node", &t, 1);
  run_suite("pytorch-converted", &t, 0);
  printf("unsupported ops skipped (cases):");
  for (int i = 0; i < t.n_ops; ++i) printf(" %s(%d)", t.ops[i], t.op_count[i]);
  printf("\n%d skipped for an unsupported attribute value or opset\n", t.skipped_attr);
  printf("%d node cases selected\n", t.node_ran);
  printf("%d passed, %d failed\n", t.passed, t.failed);
  if (t.failed > 0 || t.node_ran < 120) return 1;
  return 0;
}
