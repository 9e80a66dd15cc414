/* cb_zoo_verify.c - runs the ONNX backend test sets bundled with a model
 * (test_data_set_N/input_i.pb -> output_k.pb, the layout of the ONNX model
 * zoo tarballs and of libonnx-testdata) and compares at rtol/atol. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_graph.h"
#include "cb_zoo_verify.h"
#include "cb_onnx.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names of the test_data_set_* directories in dir (free each and the list). */
static cb_status list_sets(const char *dir, char ***out, int *n) {
  DIR *d = opendir(dir);
  if (!d) return CB_ERROR(CB_ERR_IO, "%s: cannot open directory", dir);
  char **list = NULL;
  int count = 0;
  cb_status st = CB_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "test_data_set_", 14) != 0) continue;
    char **nl = realloc(list, (size_t)(count + 1) * sizeof *nl);
    if (!nl || !(nl[count] = strdup(e->d_name))) {
      if (nl) list = nl;
      st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      break;
    }
    list = nl;
    ++count;
  }
  closedir(d);
  if (st == CB_OK) {
    if (count > 1) qsort(list, (size_t)count, sizeof *list, cmp_str);
    *out = list, *n = count;
    return CB_OK;
  }
  for (int i = 0; i < count; ++i) free(list[i]);
  free(list);
  return st;
}

/* One test set: loads the graph for its input shape, runs, compares. *ok = pass. */
static cb_status run_set(const char *set_dir, const char *model_path, double rtol, double atol, int *ok,
                         double *max_diff, int64_t *n_values) {
  char p[CB_PATH_MAX + 32];
  cb_status st = CB_OK;
  cb_graph *g = NULL;
  cb_onnx_tensor *in[CB_GRAPH_MAX_DIMS] = {0}, *want = NULL;
  float *got = NULL;
  *ok = 1, *max_diff = 0, *n_values = 0;
  snprintf(p, sizeof p, "%s/input_0.pb", set_dir);
  CB_CHECK_GOTO(cb_onnx_read_tensor(p, &in[0]), st, done);
  cb_onnx_options opt = {.sym_dim = 1, .ndim = in[0]->ndim};
  memcpy(opt.shape, in[0]->shape, sizeof opt.shape);
  CB_CHECK_GOTO(cb_onnx_load_graph(model_path, &opt, &g), st, done);
  int n_in = cb_graph_n_inputs(g);
  if (n_in > CB_GRAPH_MAX_DIMS) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: %d inputs", model_path, n_in);
    goto done;
  }
  const float *inputs[CB_GRAPH_MAX_DIMS];
  for (int i = 0; i < n_in; ++i) {
    if (i > 0) {
      snprintf(p, sizeof p, "%s/input_%d.pb", set_dir, i);
      CB_CHECK_GOTO(cb_onnx_read_tensor(p, &in[i]), st, done);
    }
    int64_t s[CB_GRAPH_MAX_DIMS], numel = 1;
    int nd = cb_graph_value_shape(g, cb_graph_input_id(g, i), s);
    for (int d = 0; d < nd; ++d) numel *= s[d];
    if (numel != in[i]->numel) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s/input_%d.pb: %lld values, the model's input %d takes %lld", set_dir, i,
                    (long long)in[i]->numel, i, (long long)numel);
      goto done;
    }
    inputs[i] = in[i]->data;
  }
  for (int k = 0; k < cb_graph_n_outputs(g); ++k) {
    int id = cb_graph_output_id(g, k);
    snprintf(p, sizeof p, "%s/output_%d.pb", set_dir, k);
    CB_CHECK_GOTO(cb_onnx_read_tensor(p, &want), st, done);
    int64_t s[CB_GRAPH_MAX_DIMS], numel = 1;
    int nd = cb_graph_value_shape(g, id, s);
    for (int d = 0; d < nd; ++d) numel *= s[d];
    if (numel != want->numel) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: output %d has %lld values, the model computes %lld", p, k,
                    (long long)want->numel, (long long)numel);
      goto done;
    }
    got = malloc(sizeof *got * (size_t)(numel > 0 ? numel : 1)); /* (numel) */
    CB_ALLOC_GOTO(got, st, done);
    float *outs[1] = {got};
    CB_CHECK_GOTO(cb_graph_run(g, inputs, 1, &id, outs), st, done);
    for (int64_t i = 0; i < numel; ++i) {
      double w = want->data[i], d = fabs((double)got[i] - w);
      if (!(d <= atol + rtol * fabs(w))) *ok = 0; /* NaN fails */
      if (d > *max_diff || isnan(d)) *max_diff = d;
    }
    *n_values += numel;
    free(got), got = NULL;
    cb_onnx_tensor_destroy(&want);
  }
done:
  free(got);
  cb_onnx_tensor_destroy(&want);
  for (int i = 0; i < CB_GRAPH_MAX_DIMS; ++i) cb_onnx_tensor_destroy(&in[i]);
  cb_graph_destroy(&g);
  return st;
}

cb_status cb_zoo_verify_dir(const char *dir, const char *model_path, double rtol, double atol, FILE *report,
                            int *n_sets, int *n_passed) {
  if (!dir || !model_path || !n_sets || !n_passed) return CB_ERROR(CB_ERR_ARG, "zoo verify: NULL argument");
  char **sets = NULL;
  int n = 0, passed = 0;
  CB_CHECK(list_sets(dir, &sets, &n));
  cb_status st = CB_OK;
  if (n == 0) st = CB_ERROR(CB_ERR_IO, "%s: no test_data_set_* directory next to the model", dir);
  for (int i = 0; i < n && st == CB_OK; ++i) {
    char sd[CB_PATH_MAX];
    int ok;
    if ((size_t)snprintf(sd, sizeof sd, "%s/%s", dir, sets[i]) >= sizeof sd) {
      st = CB_ERROR(CB_ERR_ARG, "%s: path too long", dir);
      break;
    }
    double md;
    int64_t nv;
    st = run_set(sd, model_path, rtol, atol, &ok, &md, &nv);
    if (st != CB_OK) break;
    passed += ok;
    if (report)
      fprintf(report, "%s: %s (%lld values, max |diff| %.3g, rtol %g, atol %g)\n", sets[i], ok ? "pass" : "FAIL",
              (long long)nv, md, rtol, atol);
  }
  for (int i = 0; i < n; ++i) free(sets[i]);
  free(sets);
  if (st != CB_OK) return st;
  *n_sets = n, *n_passed = passed;
  return CB_OK;
}
