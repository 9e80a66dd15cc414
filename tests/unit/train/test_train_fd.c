/* test_train_fd.c - every operator's backward against central finite differences in double precision,
 * independent of PyTorch: for each case of tests/reference/fixtures/grad_ops.txt (its shapes, attributes,
 * inputs and upstream gradient dy; not its goldens), the scalar L(inputs) = sum(dy * y) is evaluated with
 * the double-precision reference forward of fd_ref.c (naive loops, no engine code), and
 *   dL/dv_i ~ (L(v + h e_i) - L(v - h e_i)) / 2h,  h = 1e-6,
 * for every element of every input and parameter that the engine gives a gradient. The engine's float32
 * gradients (cb_train_backward) must agree to TOL relative (gf_relerr_f). The FD error (rounding
 * ~1e-16 |L| / h, truncation ~h^2) is far below TOL. Not checked here: maxpool_k2s2_ties (its ties are
 * points where max is not differentiable; the PyTorch test covers which element takes the gradient). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test_main.h"
#include "cb_train.h"
#include "cb_train_ops.h"
#include "fd_ref.h"
#include "grad_fixture.h"

#define TOL 1e-4
#define H 1e-6
#define FIXTURE "tests/reference/fixtures/grad_ops.txt"

static gf_case *cases;
static int n_cases;

/* L = sum(dy * ref(in)) */
static double loss(const gf_case *c, double *const *in, const float *scale, const gf_tensor *dy, double *y) {
  ck_assert_msg(fd_ref_forward(c, (const double *const *)in, scale, y), "%s: no reference forward", c->name);
  double s = 0.0;
  for (int64_t i = 0; i < dy->n; ++i) s += dy->v[i] * y[i];
  return s;
}

/* Central differences of L with respect to every element of in[k] (fd: (numel) doubles). */
static void central(const gf_case *c, double *const *in, int k, int64_t n, const float *scale, const gf_tensor *dy,
                    double *y, double *fd) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = in[k][i];
    in[k][i] = v + H;
    const double lp = loss(c, in, scale, dy, y);
    in[k][i] = v - H;
    const double lm = loss(c, in, scale, dy, y);
    in[k][i] = v;
    fd[i] = (lp - lm) / (2 * H);
  }
}

static void run_xent(const gf_case *c) {
  const gf_tensor *z = gf_find(c, "z"), *lab = gf_find(c, "labels");
  const int n = (int)z->shape[0], k = (int)z->shape[1];
  float *zf = gf_floats(z), dz[64];
  double zd[64], fd[64], l;
  int labels[16];
  for (int i = 0; i < n; ++i) labels[i] = (int)lab->v[i];
  ck_assert_int_eq(cb_softmax_xent(zf, labels, n, k, &l, dz), CB_OK);
  for (int i = 0; i < n * k; ++i) zd[i] = z->v[i];
  for (int e = 0; e < n * k; ++e) {
    double lpm[2];
    for (int s = 0; s < 2; ++s) {
      zd[e] = z->v[e] + (s ? -H : H);
      double tot = 0.0;
      for (int i = 0; i < n; ++i) {
        double mx = -INFINITY, sum = 0.0;
        for (int j = 0; j < k; ++j) mx = fmax(mx, zd[i * k + j]);
        for (int j = 0; j < k; ++j) sum += exp(zd[i * k + j] - mx);
        tot += mx + log(sum) - zd[i * k + labels[i]];
      }
      lpm[s] = tot / n;
    }
    zd[e] = z->v[e];
    fd[e] = (lpm[0] - lpm[1]) / (2 * H);
  }
  const double err = gf_relerr_f(dz, fd, n * k);
  printf("fd %-26s dz     %3d values, max rel err %.2e\n", c->name, n * k, err);
  ck_assert_msg(err <= TOL, "xent: rel err %.3g", err);
  free(zf);
}

START_TEST(test_case) {
  const gf_case *c = &cases[_i];
  if (strcmp(c->op, "SoftmaxCrossEntropy") == 0) {
    run_xent(c);
    return;
  }
  if (strcmp(c->name, "maxpool_k2s2_ties") == 0) return;
  cb_graph *g = NULL;
  int ids[GF_MAX_IN], yid = -1;
  ck_assert_msg(gf_build(c, &g, ids, &yid), "%s: %s", c->name, cb_error_message());
  cb_train_opts o = {.seed = c->seed, .input_grads = 1, .bn_frozen = c->bn_frozen};
  cb_train *t = NULL;
  ck_assert_int_eq(cb_train_create(g, &o, &t), CB_OK);
  float *fin[GF_MAX_IN] = {NULL};
  double *din[GF_MAX_IN] = {NULL};
  for (int k = 0; k < c->n_in; ++k) {
    const gf_tensor *tk = gf_find(c, c->in[k] + (c->in[k][0] == '#'));
    fin[k] = gf_floats(tk);
    din[k] = malloc((size_t)tk->n * sizeof(double));
    memcpy(din[k], tk->v, (size_t)tk->n * sizeof(double));
  }
  const gf_tensor *dy = gf_find(c, "dy");
  float *dyf = gf_floats(dy), *scale = NULL;
  if (strcmp(c->op, "Dropout") == 0) { /* the engine's mask, a constant of the function */
    const int64_t n = gf_find(c, c->in[0])->n;
    scale = malloc((size_t)n * sizeof *scale);
    const cb_attr *r = &c->attr[0];
    ck_assert_str_eq(r->name, "ratio");
    cb_dropout_mask(c->seed, 0, cb_dropout_salt(c->name), r->f[0], (size_t)n, scale);
  }
  ck_assert_int_eq(cb_train_forward(t, (const float *const *)fin), CB_OK);
  ck_assert_int_eq(cb_train_backward(t, 1, &yid, (const float *const[]){dyf}), CB_OK);
  double *y = malloc((size_t)dy->n * sizeof *y);
  int checked = 0;
  for (int k = 0; k < c->n_in; ++k) {
    const float *got = cb_train_grad(t, ids[k]);
    if (got == NULL) continue;
    const int64_t n = gf_find(c, c->in[k])->n;
    double *fd = malloc((size_t)n * sizeof *fd);
    central(c, din, k, n, scale, dy, y, fd);
    const double err = gf_relerr_f(got, fd, n);
    printf("fd %-26s d%-5s %3lld values, max rel err %.2e\n", c->name, c->in[k], (long long)n, err);
    ck_assert_msg(err <= TOL, "%s: d%s rel err %.3g > %g", c->name, c->in[k], err, TOL);
    free(fd);
    ++checked;
  }
  ck_assert_msg(checked > 0, "%s: nothing checked", c->name);
  for (int k = 0; k < c->n_in; ++k) {
    free(fin[k]);
    free(din[k]);
  }
  free(y);
  free(dyf);
  free(scale);
  cb_train_destroy(&t);
  cb_graph_destroy(&g);
}
END_TEST

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!gf_read_cases(FIXTURE, &cases, &n_cases) || n_cases < 30) {
    fprintf(stderr, "cannot read %s (run from the repository root)\n", FIXTURE);
    return 1;
  }
  Suite *s = suite_create("train_fd");
  TCase *tc = tcase_create("central_differences_double");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_case, 0, n_cases);
  suite_add_tcase(s, tc);
  const int rc = cb_test_run(s);
  gf_free_cases(cases, n_cases);
  return rc;
}
