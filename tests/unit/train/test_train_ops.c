/* test_train_ops.c - every operator's backward (and training-mode forward) against PyTorch autograd:
 * the cases of tests/reference/fixtures/grad_ops.txt (tests/reference/make_grad_goldens.py: float64
 * autograd of float32 data). For each case the one-node graph runs cb_train_forward and
 * cb_train_backward with the golden upstream gradient; y, every input's and parameter's gradient (and
 * BatchNormalization's updated running statistics) must agree to TOL relative (gf_relerr_f: per
 * element, relative to max(|golden|, 1% of the tensor's largest magnitude)). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test_main.h"
#include "cb_train.h"
#include "cb_train_ops.h"
#include "grad_fixture.h"

#define TOL 1e-4
#define FIXTURE "tests/reference/fixtures/grad_ops.txt"

static gf_case *cases;
static int n_cases;

static void check_tensor(const gf_case *c, const char *what, const float *got, const gf_tensor *want) {
  ck_assert_msg(got != NULL, "%s: %s missing", c->name, what);
  const double e = gf_relerr_f(got, want->v, want->n);
  printf("%-26s %-6s %lld values, max rel err %.2e\n", c->name, what, (long long)want->n, e);
  ck_assert_msg(e <= TOL, "%s: %s rel err %.3g > %g", c->name, what, e, TOL);
}

static void run_xent(const gf_case *c) {
  const gf_tensor *z = gf_find(c, "z"), *lab = gf_find(c, "labels"), *loss = gf_find(c, "loss"), *dz = gf_find(c, "dz");
  ck_assert(z && lab && loss && dz);
  const int n = (int)z->shape[0], k = (int)z->shape[1];
  float *zf = gf_floats(z), *got = calloc((size_t)(n * k), sizeof *got);
  int *labels = malloc((size_t)n * sizeof *labels);
  for (int i = 0; i < n; ++i) labels[i] = (int)lab->v[i];
  double l = 0.0;
  ck_assert_int_eq(cb_softmax_xent(zf, labels, n, k, &l, got), CB_OK);
  const double el = gf_relerr_d(&l, loss->v, 1);
  printf("%-26s loss   max rel err %.2e\n", c->name, el);
  ck_assert_msg(el <= TOL, "xent loss %.9g vs %.9g", l, loss->v[0]);
  check_tensor(c, "dz", got, dz);
  labels[0] = k; /* out of range: refused */
  ck_assert_int_eq(cb_softmax_xent(zf, labels, n, k, &l, got), CB_ERR_ARG);
  free(zf);
  free(got);
  free(labels);
}

START_TEST(test_case) {
  const gf_case *c = &cases[_i];
  if (strcmp(c->op, "SoftmaxCrossEntropy") == 0) {
    run_xent(c);
    return;
  }
  cb_graph *g = NULL;
  int ids[GF_MAX_IN], y = -1;
  ck_assert_msg(gf_build(c, &g, ids, &y), "%s: graph: %s", c->name, cb_error_message());
  cb_train_opts o = {.seed = c->seed, .input_grads = 1, .bn_frozen = c->bn_frozen};
  cb_train *t = NULL;
  ck_assert_msg(cb_train_create(g, &o, &t) == CB_OK, "%s: %s", c->name, cb_error_message());
  float *in[GF_MAX_IN] = {NULL};
  for (int k = 0; k < c->rt; ++k) in[k] = gf_floats(gf_find(c, c->in[k]));
  ck_assert_int_eq(cb_train_forward(t, (const float *const *)in), CB_OK);
  check_tensor(c, "y", cb_train_value(t, y), gf_find(c, "y"));
  float *dy = gf_floats(gf_find(c, "dy"));
  ck_assert_int_eq(cb_train_backward(t, 1, &y, (const float *const[]){dy}), CB_OK);
  for (int k = 0; k < c->n_in; ++k) {
    char dname[40];
    snprintf(dname, sizeof dname, "d%s", c->in[k]);
    const gf_tensor *want = gf_find(c, dname);
    if (want != NULL) check_tensor(c, dname, cb_train_grad(t, ids[k]), want);
    else ck_assert_msg(cb_train_grad(t, ids[k]) == NULL, "%s: %s has a gradient buffer", c->name, c->in[k]);
  }
  if (strcmp(c->op, "BatchNormalization") == 0) { /* running statistics after the step */
    check_tensor(c, "rm_new", cb_train_value(t, ids[3]), gf_find(c, "rm_new"));
    check_tensor(c, "rv_new", cb_train_value(t, ids[4]), gf_find(c, "rv_new"));
  }
  for (int k = 0; k < c->rt; ++k) free(in[k]);
  free(dy);
  cb_train_destroy(&t);
  cb_train_destroy(&t); /* NULL-safe */
  cb_graph_destroy(&g);
}
END_TEST

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* the errors measured survive a failing test's exit */
  if (!gf_read_cases(FIXTURE, &cases, &n_cases) || n_cases < 30) {
    fprintf(stderr, "cannot read %s (run from the repository root)\n", FIXTURE);
    return 1;
  }
  Suite *s = suite_create("train_ops");
  TCase *tc = tcase_create("pytorch_goldens");
  tcase_add_loop_test(tc, test_case, 0, n_cases);
  suite_add_tcase(s, tc);
  const int rc = cb_test_run(s);
  gf_free_cases(cases, n_cases);
  return rc;
}
