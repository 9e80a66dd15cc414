/* test_train_optim.c - optimisers and learning-rate schedules against torch.optim
 * (tests/reference/fixtures/optim_goldens.txt, tests/reference/make_optim_goldens.py):
 *   schedules   cb_lr_at against StepLR, CosineAnnealingLR and LinearLR warm-up (SequentialLR), 1e-12 relative;
 *   optimisers  SGD (plain; momentum, dampening, weight decay; Nesterov), Adam (with and without L2
 *               weight decay) and AdamW over 6 steps of given gradients, the learning rate of each step from
 *               the case's schedule: parameters after every step to TOL relative (gf_relerr_f);
 *   training    cb_optim_step_train lowers the loss of a small classifier on a fixed batch;
 *   options     invalid hyper-parameters are refused. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_optim.h"
#include "cb_test_main.h"
#include "cb_train.h"
#include "grad_fixture.h"

#define TOL 1e-5
#define LR_TOL 1e-12
#define FIXTURE "tests/reference/fixtures/optim_goldens.txt"

static gf_case *cases;
static int n_cases;

static const cb_attr *find_attr(const gf_case *c, const char *name) {
  for (int k = 0; k < c->n_attr; ++k)
    if (strcmp(c->attr[k].name, name) == 0) return &c->attr[k];
  return NULL;
}
static double fa(const gf_case *c, const char *name, double dflt) {
  const cb_attr *a = find_attr(c, name);
  return a ? (a->type == CB_ATTR_FLOAT ? a->f[0] : (double)a->i[0]) : dflt;
}
static int ia(const gf_case *c, const char *name, int dflt) {
  const cb_attr *a = find_attr(c, name);
  return a ? (a->type == CB_ATTR_INT ? (int)a->i[0] : (int)a->f[0]) : dflt;
}

static cb_lr_schedule schedule_of(const gf_case *c) {
  cb_lr_schedule s = {.kind = (cb_lr_kind)ia(c, "sched", 0), .base = fa(c, "lr", 0), .step_size = ia(c, "step_size", 0),
                      .gamma = fa(c, "gamma", 1), .t_max = ia(c, "t_max", 0), .eta_min = fa(c, "eta_min", 0),
                      .warmup = ia(c, "warmup", 0), .warmup_factor = fa(c, "warmup_factor", 1)};
  return s;
}

static void check_lrs(const gf_case *c, const cb_lr_schedule *s) {
  const gf_tensor *lrs = gf_find(c, "lrs");
  ck_assert(lrs != NULL && lrs->n == ia(c, "steps", -1));
  double err = 0.0;
  for (int t = 0; t < lrs->n; ++t) {
    const double e = fabs(cb_lr_at(s, t) - lrs->v[t]) / fmax(fabs(lrs->v[t]), 1e-300);
    err = e > err ? e : err;
  }
  printf("%-20s lr     %2lld steps, max rel err %.2e\n", c->name, (long long)lrs->n, err);
  ck_assert_msg(err <= LR_TOL, "%s: learning rates differ (rel %.3g)", c->name, err);
}

static void run_optim(const gf_case *c, const cb_lr_schedule *s) {
  cb_optim_opts o = {.weight_decay = (float)fa(c, "weight_decay", 0), .momentum = (float)fa(c, "momentum", 0),
                     .dampening = (float)fa(c, "dampening", 0), .nesterov = ia(c, "nesterov", 0),
                     .beta1 = (float)fa(c, "beta1", 0), .beta2 = (float)fa(c, "beta2", 0), .eps = (float)fa(c, "eps", 0)};
  o.kind = strcmp(c->op, "SGD") == 0 ? CB_OPTIM_SGD : strcmp(c->op, "Adam") == 0 ? CB_OPTIM_ADAM : CB_OPTIM_ADAMW;
  const gf_tensor *p0 = gf_find(c, "p0"), *p1 = gf_find(c, "p1");
  const int64_t numel[2] = {p0->n, p1->n};
  cb_optim *opt = NULL;
  ck_assert_int_eq(cb_optim_create(&o, 2, numel, &opt), CB_OK);
  float *p[2] = {gf_floats(p0), gf_floats(p1)};
  double worst = 0.0;
  for (int k = 0; k < ia(c, "steps", 0); ++k) {
    char name[32];
    float *g[2];
    for (int i = 0; i < 2; ++i) {
      snprintf(name, sizeof name, "g%d_%d", k, i);
      g[i] = gf_floats(gf_find(c, name));
    }
    cb_optim_step(opt, cb_lr_at(s, k), p, (const float *const *)g);
    for (int i = 0; i < 2; ++i) {
      snprintf(name, sizeof name, "after%d_%d", k, i);
      const gf_tensor *want = gf_find(c, name);
      const double e = gf_relerr_f(p[i], want->v, want->n);
      worst = e > worst ? e : worst;
      ck_assert_msg(e <= TOL, "%s: step %d tensor %d rel err %.3g > %g", c->name, k, i, e, TOL);
      free(g[i]);
    }
  }
  printf("%-20s params %d steps, max rel err %.2e\n", c->name, ia(c, "steps", 0), worst);
  free(p[0]);
  free(p[1]);
  cb_optim_destroy(&opt);
  cb_optim_destroy(&opt); /* NULL-safe */
}

START_TEST(test_case) {
  const gf_case *c = &cases[_i];
  const cb_lr_schedule s = schedule_of(c);
  check_lrs(c, &s);
  if (strcmp(c->op, "Schedule") != 0) run_optim(c, &s);
}
END_TEST

/* 3-class softmax regression on 12 fixed points: 30 SGD steps with momentum lower the loss below half. */
START_TEST(train_lowers_loss) {
  cb_graph *g = NULL;
  int x, y;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  ck_assert_int_eq(cb_graph_input(g, "x", 2, (const int64_t[]){12, 4}, &x), CB_OK);
  ck_assert_int_eq(cb_graph_add_linear(g, "fc", x, 3, NULL, NULL, &y), CB_OK);
  ck_assert_int_eq(cb_graph_mark_output(g, y), CB_OK);
  float xs[48];
  int labels[12];
  for (int i = 0; i < 12; ++i) {
    labels[i] = i % 3;
    for (int j = 0; j < 4; ++j) xs[i * 4 + j] = (float)(sin(1.7 * (i * 4 + j)) * 0.5 + (j == labels[i] ? 1.0 : 0.0));
  }
  cb_train *t = NULL;
  cb_optim *o = NULL;
  ck_assert_int_eq(cb_train_create(g, NULL, &t), CB_OK);
  ck_assert_int_eq(cb_optim_create_train(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .momentum = 0.9f}, t, &o), CB_OK);
  const cb_lr_schedule s = {.kind = CB_LR_COSINE, .base = 0.5, .t_max = 30, .warmup = 3, .warmup_factor = 0.1};
  double first = 0.0, loss = 0.0;
  for (int step = 0; step < 30; ++step) {
    cb_train_zero_grad(t);
    ck_assert_int_eq(cb_train_step_xent(t, (const float *const[]){xs}, y, labels, &loss), CB_OK);
    if (step == 0) first = loss;
    ck_assert_int_eq(cb_optim_step_train(o, t, cb_lr_at(&s, step)), CB_OK);
  }
  printf("softmax regression: loss %.4f -> %.4f in 30 steps\n", first, loss);
  ck_assert_msg(loss < 0.5 * first, "loss %.4f -> %.4f", first, loss);
  cb_optim_destroy(&o);
  cb_train_destroy(&t);
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(bad_options) {
  cb_optim *o = NULL;
  const int64_t n[1] = {3};
  ck_assert_int_eq(cb_optim_create(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .nesterov = 1}, 1, n, &o), CB_ERR_ARG);
  ck_assert_int_eq(cb_optim_create(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .momentum = 0.9f, .dampening = 0.1f,
                                                    .nesterov = 1}, 1, n, &o), CB_ERR_ARG);
  ck_assert_int_eq(cb_optim_create(&(cb_optim_opts){.kind = CB_OPTIM_ADAM, .beta1 = 1.0f}, 1, n, &o), CB_ERR_ARG);
  ck_assert_int_eq(cb_optim_create(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .weight_decay = -1.0f}, 1, n, &o), CB_ERR_ARG);
  ck_assert(o == NULL);
}
END_TEST

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!gf_read_cases(FIXTURE, &cases, &n_cases) || n_cases < 10) {
    fprintf(stderr, "cannot read %s (run from the repository root)\n", FIXTURE);
    return 1;
  }
  Suite *s = suite_create("train_optim");
  TCase *tc = tcase_create("torch_optim");
  tcase_add_loop_test(tc, test_case, 0, n_cases);
  tcase_add_test(tc, train_lowers_loss);
  tcase_add_test(tc, bad_options);
  suite_add_tcase(s, tc);
  const int rc = cb_test_run(s);
  gf_free_cases(cases, n_cases);
  return rc;
}
