/* test_train_net.c - one whole training step against PyTorch, and the properties of the training state:
 *   net_step       the network of tests/reference/make_grad_goldens.py (Conv without bias, BatchNorm2d in
 *                  training mode, MaxPool, grouped Conv, residual Add, 1x1 Conv, Concat, AvgPool, strided
 *                  Conv, GlobalAveragePool, Flatten, Linear, Dropout, MatMul + Add): mean cross-entropy
 *                  loss, logits, every parameter's gradient and the running statistics after the step
 *                  against tests/reference/fixtures/grad_net.txt (float32 PyTorch), TOL relative;
 *   sgd_steps      three steps with SGD (momentum, weight decay; new dropout masks and running statistics
 *                  each step): the losses of steps 2 and 3 and every parameter and buffer after the three
 *                  updates against PyTorch, TOL relative;
 *   threads        the same step with 1 and 3 GEMM threads: the same bits;
 *   accumulate     a second backward adds exactly the same gradients (2x, bitwise);
 *   batch_split    without batch statistics, an image's input gradient in a batch of 4 equals its
 *                  gradient alone, bitwise;
 *   dropout_mask   seeded, a function of (seed, step, node), keep fraction near 1 - ratio;
 *   unsupported    a node without backward is refused at create, naming it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_optim.h"
#include "cb_test_main.h"
#include "cb_train.h"
#include "cb_train_ops.h"
#include "grad_fixture.h"

#define TOL 1e-4
#define FIXTURE "tests/reference/fixtures/grad_net.txt"

static gf_case net; /* the fixture's tensors */

#define OK(expr) ck_assert_msg((expr) == CB_OK, "%s: %s", #expr, cb_error_message())

/* Copies fixture tensor "p:<name>" into the graph's constant <name>. */
static void set_param(cb_graph *g, const char *name) {
  char key[96];
  snprintf(key, sizeof key, "p:%s", name);
  const gf_tensor *t = gf_find(&net, key);
  ck_assert_msg(t != NULL, "fixture has no %s", key);
  float *d = NULL;
  int64_t n = 0;
  OK(cb_graph_param(g, name, &d, &n));
  ck_assert_int_eq(n, t->n);
  for (int64_t i = 0; i < n; ++i) d[i] = (float)t->v[i];
}

static int conv_nobias(cb_graph *g, const char *name, int x, int out_c, int in_c, int stride, int *y) {
  char wn[64];
  snprintf(wn, sizeof wn, "%s.weight", name);
  int in[2] = {x, -1};
  OK(cb_graph_const(g, wn, CB_DT_FLOAT, 4, (const int64_t[]){out_c, in_c, 3, 3}, NULL, &in[1]));
  const int64_t k[2] = {3, 3}, s[2] = {stride, stride}, p[4] = {1, 1, 1, 1};
  const cb_attr a[3] = {cb_attr_ints("kernel_shape", 2, k), cb_attr_ints("strides", 2, s), cb_attr_ints("pads", 4, p)};
  const char *outs[1] = {name};
  return cb_graph_node(g, name, "Conv", 3, a, 2, in, 1, outs, y);
}

/* The network of make_grad_goldens.py's Net, parameters from the fixture; *logits receives the output. */
static cb_graph *build_net(int *logits) {
  cb_graph *g = NULL;
  int x, y, p1, r, c2b, cat, v, ratio, w2, b2;
  OK(cb_graph_create(&g));
  OK(cb_graph_input(g, "input", 4, (const int64_t[]){4, 3, 12, 12}, &x));
  OK(conv_nobias(g, "conv1", x, 8, 3, 1, &y));
  OK(cb_graph_add_batchnorm(g, "bn1", y, 1e-5f, NULL, NULL, NULL, NULL, &y));
  OK(cb_graph_add_relu(g, "relu1", y, &y));
  OK(cb_graph_add_maxpool(g, "pool1", y, 2, 2, 0, 0, &p1));
  OK(cb_graph_add_conv(g, "conv2a", p1, 8, 3, 1, 1, 2, NULL, NULL, &y));
  OK(cb_graph_add_relu(g, "relu2a", y, &y));
  OK(cb_graph_add_binary(g, "res", "Add", p1, y, &r));
  OK(cb_graph_add_conv(g, "conv2b", r, 4, 1, 1, 0, 1, NULL, NULL, &c2b));
  OK(cb_graph_add_concat(g, "cat", 2, (const int[]){r, c2b}, 1, &cat));
  OK(cb_graph_add_avgpool(g, "pool2", cat, 3, 2, 1, 0, &y));
  OK(conv_nobias(g, "conv3", y, 16, 12, 2, &y));
  OK(cb_graph_add_batchnorm(g, "bn3", y, 1e-5f, NULL, NULL, NULL, NULL, &y));
  OK(cb_graph_add_relu(g, "relu3", y, &y));
  OK(cb_graph_add_global_avgpool(g, "gap", y, &y));
  OK(cb_graph_add_flatten(g, "flat", y, &y));
  OK(cb_graph_add_linear(g, "fc1", y, 32, NULL, NULL, &y));
  OK(cb_graph_add_relu(g, "fc1.relu", y, &y));
  OK(cb_graph_const(g, "fc1.drop.ratio", CB_DT_FLOAT, 0, NULL, (const float[]){0.25f}, &ratio));
  const char *dn[1] = {"fc1.drop"};
  OK(cb_graph_node(g, "fc1.drop", "Dropout", 0, NULL, 2, (const int[]){y, ratio}, 1, dn, &y));
  OK(cb_graph_const(g, "fc2.weight_t", CB_DT_FLOAT, 2, (const int64_t[]){32, 10}, NULL, &w2));
  OK(cb_graph_const(g, "fc2.bias", CB_DT_FLOAT, 1, (const int64_t[]){10}, NULL, &b2));
  const char *mn[1] = {"fc2.mm"};
  OK(cb_graph_node(g, "fc2.mm", "MatMul", 0, NULL, 2, (const int[]){y, w2}, 1, mn, &y));
  OK(cb_graph_add_binary(g, "logits", "Add", y, b2, &v));
  OK(cb_graph_mark_output(g, v));
  for (int k = 0; k < net.n_t; ++k)
    if (strncmp(net.t[k].name, "p:", 2) == 0) set_param(g, net.t[k].name + 2);
  OK(cb_graph_finish(g));
  *logits = v;
  return g;
}

/* One step of the fixture's network with `threads` GEMM threads; *loss receives the loss. */
static cb_train *net_step(cb_graph **g, int threads, double *loss) {
  int logits = -1;
  *g = build_net(&logits);
  const gf_tensor *in = gf_find(&net, "input"), *lab = gf_find(&net, "labels");
  ck_assert(in && lab);
  cb_train_opts o = {.seed = 77, .threads = threads};
  cb_train *t = NULL;
  OK(cb_train_create(*g, &o, &t));
  float *x = gf_floats(in);
  int labels[4];
  for (int i = 0; i < 4; ++i) labels[i] = (int)lab->v[i];
  OK(cb_train_step_xent(t, (const float *const[]){x}, logits, labels, loss));
  free(x);
  return t;
}

static void compare(const char *what, const float *got, const gf_tensor *want) {
  ck_assert_msg(got != NULL && want != NULL, "%s missing", what);
  const double e = gf_relerr_f(got, want->v, want->n);
  printf("net %-22s %5lld values, max rel err %.2e\n", what, (long long)want->n, e);
  ck_assert_msg(e <= TOL, "%s: rel err %.3g > %g", what, e, TOL);
}

START_TEST(net_step_vs_pytorch) {
  cb_graph *g = NULL;
  double loss = 0.0;
  cb_train *t = net_step(&g, 0, &loss);
  const double el = gf_relerr_d(&loss, gf_find(&net, "loss")->v, 1);
  printf("net loss %.9g (pytorch %.9g), rel err %.2e\n", loss, gf_find(&net, "loss")->v[0], el);
  ck_assert_msg(el <= TOL, "loss %.9g vs %.9g", loss, gf_find(&net, "loss")->v[0]);
  compare("logits", cb_train_value(t, cb_graph_find(g, "logits")), gf_find(&net, "logits"));
  int n_grads = 0;
  for (int k = 0; k < net.n_t; ++k) {
    const char *nm = net.t[k].name;
    if (strncmp(nm, "g:", 2) == 0) {
      ++n_grads;
      compare(nm, cb_train_grad(t, cb_graph_find(g, nm + 2)), &net.t[k]);
    } else if (strncmp(nm, "after:", 6) == 0) {
      compare(nm, cb_train_value(t, cb_graph_find(g, nm + 6)), &net.t[k]);
    }
  }
  ck_assert_int_eq(n_grads, 14);
  ck_assert_int_eq(cb_train_n_params(t), n_grads); /* the running statistics and the ratio are not parameters */
  cb_train_destroy(&t);
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(sgd_three_steps) {
  int logits = -1;
  cb_graph *g = build_net(&logits);
  cb_train *t = NULL;
  cb_optim *o = NULL;
  OK(cb_train_create(g, &(cb_train_opts){.seed = 77}, &t));
  const cb_optim_opts so = {.kind = CB_OPTIM_SGD, .momentum = 0.875f, .weight_decay = 0x1p-10f};
  OK(cb_optim_create_train(&so, t, &o));
  float *x = gf_floats(gf_find(&net, "input"));
  int labels[4];
  for (int i = 0; i < 4; ++i) labels[i] = (int)gf_find(&net, "labels")->v[i];
  for (int k = 0; k < 3; ++k) {
    double loss = 0.0;
    cb_train_zero_grad(t);
    OK(cb_train_step_xent(t, (const float *const[]){x}, logits, labels, &loss));
    char name[16];
    snprintf(name, sizeof name, k ? "loss%d" : "loss", k);
    const double e = gf_relerr_d(&loss, gf_find(&net, name)->v, 1);
    printf("sgd step %d loss %.9g (pytorch %.9g), rel err %.2e\n", k, loss, gf_find(&net, name)->v[0], e);
    ck_assert_msg(e <= TOL, "step %d: loss %.9g vs %.9g", k, loss, gf_find(&net, name)->v[0]);
    OK(cb_optim_step_train(o, t, 0.0625));
  }
  int n_final = 0;
  for (int k = 0; k < net.n_t; ++k)
    if (strncmp(net.t[k].name, "final:", 6) == 0) {
      ++n_final;
      compare(net.t[k].name, cb_train_value(t, cb_graph_find(g, net.t[k].name + 6)), &net.t[k]);
    }
  ck_assert_int_eq(n_final, 18); /* 14 parameters, 4 running statistics */
  free(x);
  cb_optim_destroy(&o);
  cb_train_destroy(&t);
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(threads_same_bits) {
  cb_graph *g1 = NULL, *g3 = NULL;
  double l1 = 0.0, l3 = 0.0;
  cb_train *t1 = net_step(&g1, 1, &l1), *t3 = net_step(&g3, 3, &l3);
  ck_assert(l1 == l3);
  ck_assert_int_eq(cb_train_n_params(t1), cb_train_n_params(t3));
  for (int i = 0; i < cb_train_n_params(t1); ++i) {
    int64_t n = 0;
    cb_train_param_data(t1, i, &n);
    const float *a = cb_train_grad(t1, cb_train_param_id(t1, i)), *b = cb_train_grad(t3, cb_train_param_id(t3, i));
    ck_assert_msg(memcmp(a, b, (size_t)n * sizeof *a) == 0, "parameter %d: 1 and 3 threads differ", i);
  }
  cb_train_destroy(&t1);
  cb_train_destroy(&t3);
  cb_graph_destroy(&g1);
  cb_graph_destroy(&g3);
}
END_TEST

START_TEST(accumulate_twice) {
  cb_graph *g = NULL;
  double loss = 0.0;
  cb_train *t = net_step(&g, 0, &loss);
  const int logits = cb_graph_find(g, "logits");
  float *once[32];
  const int np = cb_train_n_params(t);
  for (int i = 0; i < np; ++i) {
    int64_t n = 0;
    cb_train_param_data(t, i, &n);
    once[i] = malloc((size_t)n * sizeof(float));
    memcpy(once[i], cb_train_grad(t, cb_train_param_id(t, i)), (size_t)n * sizeof(float));
  }
  /* the seed again: recompute the loss gradient of the kept forward */
  const float *z = cb_train_value(t, logits);
  float dz[40];
  int labels[4];
  for (int i = 0; i < 4; ++i) labels[i] = (int)gf_find(&net, "labels")->v[i];
  double l2 = 0.0;
  OK(cb_softmax_xent(z, labels, 4, 10, &l2, dz));
  ck_assert(l2 == loss);
  OK(cb_train_backward(t, 1, &logits, (const float *const[]){dz}));
  for (int i = 0; i < np; ++i) {
    int64_t n = 0;
    cb_train_param_data(t, i, &n);
    const float *gr = cb_train_grad(t, cb_train_param_id(t, i));
    int64_t bad = 0; /* one assertion per tensor (each costs a pipe write under valgrind) */
    for (int64_t k = 0; k < n; ++k) bad += gr[k] != 2.0f * once[i][k];
    ck_assert_msg(bad == 0, "parameter %d: %lld elements not doubled", i, (long long)bad);
    free(once[i]);
  }
  cb_train_zero_grad(t);
  for (int i = 0; i < np; ++i) ck_assert(cb_train_grad(t, cb_train_param_id(t, i))[0] == 0.0f);
  cb_train_destroy(&t);
  cb_graph_destroy(&g);
}
END_TEST

/* conv -> relu -> maxpool -> flatten -> linear for `batch` images; parameters from a fixed pattern. */
static cb_graph *small_net(int batch, int *x, int *out) {
  cb_graph *g = NULL;
  int y;
  OK(cb_graph_create(&g));
  OK(cb_graph_input(g, "x", 4, (const int64_t[]){batch, 3, 8, 8}, x));
  OK(cb_graph_add_conv(g, "c", *x, 4, 3, 1, 1, 1, NULL, NULL, &y));
  OK(cb_graph_add_relu(g, "r", y, &y));
  OK(cb_graph_add_maxpool(g, "p", y, 2, 2, 0, 0, &y));
  OK(cb_graph_add_flatten(g, "f", y, &y));
  OK(cb_graph_add_linear(g, "l", y, 5, NULL, NULL, out));
  const char *names[4] = {"c.weight", "c.bias", "l.weight", "l.bias"};
  for (int k = 0; k < 4; ++k) {
    float *d;
    int64_t n;
    OK(cb_graph_param(g, names[k], &d, &n));
    for (int64_t i = 0; i < n; ++i) d[i] = (float)sin(0.37 * (double)(i + 11 * k)) * 0.3f;
  }
  OK(cb_graph_mark_output(g, *out));
  return g;
}

START_TEST(batch_split_same_bits) {
  int x4, y4, x1, y1;
  cb_graph *g4 = small_net(4, &x4, &y4), *g1 = small_net(1, &x1, &y1);
  cb_train_opts o = {.input_grads = 1};
  cb_train *t4 = NULL, *t1 = NULL;
  OK(cb_train_create(g4, &o, &t4));
  OK(cb_train_create(g1, &o, &t1));
  float x[4 * 192], dy[4 * 5];
  for (int i = 0; i < 4 * 192; ++i) x[i] = (float)cos(0.11 * i * i);
  for (int i = 0; i < 4 * 5; ++i) dy[i] = (float)sin(1.3 * i);
  OK(cb_train_forward(t4, (const float *const[]){x}));
  OK(cb_train_backward(t4, 1, &y4, (const float *const[]){dy}));
  for (int img = 0; img < 4; ++img) {
    OK(cb_train_forward(t1, (const float *const[]){x + img * 192}));
    cb_train_zero_grad(t1);
    OK(cb_train_backward(t1, 1, &y1, (const float *const[]){dy + img * 5}));
    ck_assert_msg(memcmp(cb_train_grad(t1, x1), cb_train_grad(t4, x4) + img * 192, 192 * sizeof(float)) == 0,
                  "image %d: input gradient alone differs from in the batch", img);
  }
  cb_train_destroy(&t4);
  cb_train_destroy(&t1);
  cb_graph_destroy(&g4);
  cb_graph_destroy(&g1);
}
END_TEST

START_TEST(dropout_mask_seeded) {
  enum { N = 100000 };
  float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
  cb_dropout_mask(5, 0, cb_dropout_salt("d"), 0.3f, N, a);
  cb_dropout_mask(5, 0, cb_dropout_salt("d"), 0.3f, N, b);
  ck_assert(memcmp(a, b, N * sizeof *a) == 0);
  int kept = 0, same = 0, other = 0;
  for (int i = 0; i < N; ++i) {
    other += a[i] != 0.0f && a[i] != 1.0f / 0.7f;
    kept += a[i] != 0.0f;
  }
  ck_assert_int_eq(other, 0); /* 0 or 1 / (1 - ratio) only */
  /* binomial(N, 0.7): 5 standard deviations */
  ck_assert_msg(fabs(kept - 0.7 * N) < 5 * sqrt(N * 0.21), "kept %d of %d", kept, N);
  cb_dropout_mask(5, 1, cb_dropout_salt("d"), 0.3f, N, b); /* next step: another mask */
  for (int i = 0; i < N; ++i) same += (a[i] != 0.0f) == (b[i] != 0.0f);
  ck_assert_msg(same < 0.7 * N, "steps 0 and 1 agree on %d of %d", same, N);
  cb_dropout_mask(5, 0, cb_dropout_salt("e"), 0.3f, N, b); /* another node: another mask */
  same = 0;
  for (int i = 0; i < N; ++i) same += (a[i] != 0.0f) == (b[i] != 0.0f);
  ck_assert_msg(same < 0.7 * N, "nodes d and e agree on %d of %d", same, N);
  cb_dropout_mask(5, 0, 1, 0.0f, N, b); /* ratio 0 keeps everything */
  other = 0;
  for (int i = 0; i < N; ++i) other += b[i] != 1.0f;
  ck_assert_int_eq(other, 0);
  free(a);
  free(b);
}
END_TEST

START_TEST(unsupported_refused) {
  cb_graph *g = NULL;
  int x, y;
  OK(cb_graph_create(&g));
  OK(cb_graph_input(g, "x", 2, (const int64_t[]){2, 3}, &x));
  OK(cb_graph_add_unary(g, "squash", "Sigmoid", x, &y));
  cb_train *t = NULL;
  ck_assert_int_eq(cb_train_create(g, NULL, &t), CB_ERR_UNSUPPORTED);
  ck_assert(t == NULL);
  ck_assert_msg(strstr(cb_error_message(), "squash") != NULL, "%s", cb_error_message());
  ck_assert_int_eq(cb_train_create(NULL, NULL, &t), CB_ERR_ARG);
  cb_graph_destroy(&g);
}
END_TEST

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* the errors measured survive a failing test's exit */
  if (!gf_read_tensors(FIXTURE, &net)) {
    fprintf(stderr, "cannot read %s (run from the repository root)\n", FIXTURE);
    return 1;
  }
  Suite *s = suite_create("train_net");
  TCase *tc = tcase_create("net");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, net_step_vs_pytorch);
  tcase_add_test(tc, sgd_three_steps);
  tcase_add_test(tc, threads_same_bits);
  tcase_add_test(tc, accumulate_twice);
  tcase_add_test(tc, batch_split_same_bits);
  tcase_add_test(tc, dropout_mask_seeded);
  tcase_add_test(tc, unsupported_refused);
  suite_add_tcase(s, tc);
  const int rc = cb_test_run(s);
  gf_case *one = malloc(sizeof *one);
  *one = net;
  gf_free_cases(one, 1);
  return rc;
}
