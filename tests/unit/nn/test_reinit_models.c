/* cb_model_reinit on real trained models from ../shared/data/models
 * (each skipped with a message when absent):
 *  - SqueezeNet 1.1: every conv weight of the "pytorch" twin has std
 *    1/sqrt(3 fan_in) (5 standard errors), mean 0, |w| <= 1/sqrt(fan_in);
 *    biases within the same bound; layer names are kept and the logits
 *    differ from the trained model's.
 *  - mnist-8 (CNTK): biases as separate Adds of (C, 1, 1) and (1, 10)
 *    constants, and a MatMul weight stored (16, 4, 4, 10) behind a Reshape to
 *    (256, 10) that the loader folds: drawn in the initializer with the
 *    MatMul's fan_in 256, and the folded copy follows.
 * Separate from test_reinit: two full forward passes at 224x224 take about
 * 50 s under memcheck (left out of the valgrind_ci label). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_graph_impl.h"
#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_test_main.h"
#include "reinit_test_util.h"

#define SQUEEZENET "../shared/data/models/squeezenet1_1.onnx"
#define MNIST "../shared/data/models/mnist-8.onnx"
#define NSE 5.0 /* tolerance in standard errors */

/* The last layer (the logits) for a fixed input. */
static float *logits(cb_model *m, int *n) {
  const cb_model_info *info = cb_model_get_info(m);
  const int h = info->in_h, w = info->in_w;
  float *x = malloc(sizeof *x * 3 * (size_t)h * (size_t)w);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) x[((size_t)c * h + i) * w + j] = (float)(0.5 + 0.4 * sin(0.3 * (c + 1) * i + 0.2 * j));
  int l = cb_model_n_layers(m) - 1, oc, oh, ow;
  cb_model_layer_shape(m, l, &oc, &oh, &ow);
  float *y = malloc(sizeof *y * (size_t)oc * oh * ow);
  ck_assert_msg(cb_model_forward(m, x, 1, &l, 1, &y) == CB_OK, "%s", cb_error_message());
  free(x);
  *n = oc * oh * ow;
  return y;
}

START_TEST(test_squeezenet) {
  if (access(SQUEEZENET, R_OK) != 0) {
    printf("test_squeezenet: skipped, " SQUEEZENET " absent\n");
    return;
  }
  cb_model *t = load(SQUEEZENET), *m = load(SQUEEZENET);
  ck_assert_int_eq(cb_model_reinit(m, "pytorch", 7), CB_OK);
  int n_conv = 0;
  double worst = 0; /* largest |std - sigma| / SE */
  for (int id = 0; id < cb_graph_n_values(m->g); ++id) {
    const cb__value *v = &m->g->values[id];
    const size_t len = strlen(v->name);
    if (v->kind != CB__V_CONST || v->ndim != 4 || len < 7 || strcmp(v->name + len - 7, ".weight") != 0) continue;
    const double fan_in = (double)(v->shape[1] * v->shape[2] * v->shape[3]), n = (double)cb__numel(v);
    const double bound = 1.0 / sqrt(fan_in), sigma = 1.0 / sqrt(3.0 * fan_in);
    stats s = stats_of(v->cdata, cb__numel(v));
    const double se_std = sigma * sqrt(0.2 / n), se_mean = sigma / sqrt(n);
    ck_assert_msg(fabs(s.std - sigma) <= NSE * se_std, "%s: std %.6g vs 1/sqrt(3*%g) = %.6g", v->name, s.std, fan_in, sigma);
    ck_assert_msg(fabs(s.mean) <= NSE * se_mean, "%s: mean %.6g (standard error %.3g)", v->name, s.mean, se_mean);
    ck_assert(-s.min <= bound && s.max <= bound);
    if (fabs(s.std - sigma) / se_std > worst) worst = fabs(s.std - sigma) / se_std;
    char bias[160];
    snprintf(bias, sizeof bias, "%.*s.bias", (int)(len - 7), v->name);
    const cb__value *b = value(m, bias);
    stats sb = stats_of(b->cdata, cb__numel(b));
    ck_assert(-sb.min <= bound && sb.max <= bound);
    if (n_conv < 3 || strcmp(v->name, "classifier.1.weight") == 0)
      printf("squeezenet %-28s fan_in %5.0f  std %.6f (1/sqrt(3 fan_in) %.6f)  mean %+.2e  max|w| %.5f (bound %.5f)\n",
             v->name, fan_in, s.std, sigma, s.mean, fmax(-s.min, s.max), bound);
    ++n_conv;
  }
  ck_assert_int_eq(n_conv, 26);
  printf("squeezenet: 26 conv weights, worst |std - 1/sqrt(3 fan_in)| = %.2f standard errors\n", worst);
  int nt, nm;
  float *lt = logits(t, &nt), *lm = logits(m, &nm);
  ck_assert_int_eq(nt, 1000);
  ck_assert_int_eq(nm, 1000);
  double diff = 0;
  int bad = 0;
  for (int i = 0; i < nt; ++i) {
    bad += !isfinite(lm[i]);
    diff = fmax(diff, fabs((double)lt[i] - lm[i]));
  }
  ck_assert_int_eq(bad, 0);
  ck_assert_msg(diff > 1e-3, "logits of the re-drawn model equal the trained ones (max |diff| %g)", diff);
  printf("squeezenet: max |logit(trained) - logit(reinit)| = %.4g\n", diff);
  ck_assert_int_eq(cb_model_n_layers(m), cb_model_n_layers(t));
  for (int l = 0; l < cb_model_n_layers(t); ++l) ck_assert_str_eq(cb_model_layer_name(m, l), cb_model_layer_name(t, l));
  free(lt);
  free(lm);
  cb_model_destroy(&t);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(test_mnist8) {
  if (access(MNIST, R_OK) != 0) {
    printf("test_mnist8: skipped, " MNIST " absent\n");
    return;
  }
  cb_model *t = load(MNIST), *m = load(MNIST);
  ck_assert_int_eq(cb_model_reinit(m, "pytorch", 3), CB_OK);
  /* initializer, fan_in of the operator that reads it */
  static const struct {
    const char *name;
    double fan_in;
  } params[] = {{"Parameter5", 25},  {"Parameter6", 25},   {"Parameter87", 200},
                {"Parameter88", 200}, {"Parameter193", 256}, {"Parameter194", 256}};
  for (size_t k = 0; k < sizeof params / sizeof params[0]; ++k) {
    const cb__value *v = value(m, params[k].name), *vt = value(t, params[k].name);
    const size_t bytes = (size_t)cb__numel(v) * sizeof(float);
    ck_assert_msg(memcmp(v->cdata, vt->cdata, bytes) != 0, "%s not re-drawn", params[k].name);
    stats s = stats_of(v->cdata, cb__numel(v));
    const double bound = 1.0 / sqrt(params[k].fan_in), sigma = bound / sqrt(3.0), n = (double)cb__numel(v);
    ck_assert_msg(-s.min <= bound && s.max <= bound, "%s: [%g, %g] outside +-%g", params[k].name, s.min, s.max, bound);
    ck_assert_msg(fabs(s.std - sigma) <= NSE * sigma * sqrt(0.2 / n) + 1e-12, "%s: std %g vs %g", params[k].name, s.std,
                  sigma);
    printf("mnist-8 %-13s n %4.0f  std %.5f (analytic %.5f)  max|w| %.5f (bound %.5f)\n", params[k].name, n, s.std, sigma,
           fmax(-s.min, s.max), bound);
  }
  /* the folded (256, 10) copy the MatMul reads is the re-drawn initializer, reshaped */
  const cb__value *w = value(m, "Parameter193"), *wr = value(m, "Parameter193_reshape1");
  ck_assert_int_eq(memcmp(w->cdata, wr->cdata, (size_t)cb__numel(w) * sizeof(float)), 0);
  /* Reshape targets are kept */
  static const char *const shapes[] = {"Pooling160_Output_0_reshape0_shape", "Parameter193_reshape1_shape"};
  for (int k = 0; k < 2; ++k) {
    const cb__value *a = value(m, shapes[k]), *b = value(t, shapes[k]);
    ck_assert_int_eq(memcmp(a->cdata, b->cdata, (size_t)cb__numel(a) * cb__dtype_size(a->dtype)), 0);
  }
  int nt, nm;
  float *lt = logits(t, &nt), *lm = logits(m, &nm);
  ck_assert_int_eq(nt, 10);
  double diff = 0;
  for (int i = 0; i < nt; ++i) diff = fmax(diff, fabs((double)lt[i] - lm[i]));
  ck_assert_msg(diff > 1e-3, "logits unchanged (max |diff| %g)", diff);
  free(lt);
  free(lm);
  cb_model_destroy(&t);
  cb_model_destroy(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("reinit_models");
  TCase *tc = tcase_create("reinit_models");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_squeezenet);
  tcase_add_test(tc, test_mnist8);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
