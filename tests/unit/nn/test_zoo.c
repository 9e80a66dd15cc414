/* Unit tests of the model zoo: the architectures against PyTorch
 * (tests/reference/fixtures/zoo_<model>_<size>.txt, made by
 * tests/reference/make_zoo_goldens.py from OUR seeded weights loaded into
 * torchvision / the CORnet definitions), layer names, initialisation
 * statistics, determinism, and VGG-16 / ResNet-50 forward passes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_timer.h"
#include "cb_zoo.h"
#include "cb_zoo_impl.h"
#include "cb_test_main.h"

#define FIX "tests/reference/fixtures/"

/* The fixed input of make_zoo_goldens.py: sin(0.05 (c+1) i + 0.03 j) + 0.5 cos(0.07 (i-j) + c). */
static float *the_input(int h, int w) {
  float *x = malloc(sizeof *x * 3 * (size_t)h * (size_t)w); /* (3, h, w) */
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j)
        x[((size_t)c * h + i) * w + j] = (float)(sin(0.05 * (c + 1) * i + 0.03 * j) + 0.5 * cos(0.07 * (i - j) + c));
  return x;
}

/* Compares every layer of one fixture; returns the number of layers checked. */
static int check_fixture(const char *model, int size) {
  char path[256];
  snprintf(path, sizeof path, FIX "zoo_%s_%d.txt", model, size);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "%s missing", path);
  cb_zoo_opts o = {.seed = 7, .in_h = size, .in_w = size};
  cb_model *m = NULL;
  ck_assert_msg(cb_zoo_create(model, &o, &m) == CB_OK, "%s", cb_error_message());
  float *x = the_input(size, size);
  char line[16384];
  int n_layers = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    char name[128];
    long long numel;
    double sum, asum;
    int used;
    ck_assert_int_eq(sscanf(line, "%127s %lld %lf %lf%n", name, &numel, &sum, &asum, &used), 4);
    int l = cb_model_find_layer(m, name);
    ck_assert_msg(l >= 0, "%s: no layer %s", model, name);
    int c, h, w;
    cb_model_layer_shape(m, l, &c, &h, &w);
    ck_assert_msg((long long)c * h * w == numel, "%s %s: %d x %d x %d vs %lld", model, name, c, h, w, numel);
    float *y = malloc(sizeof *y * (size_t)numel);
    float *outs[1] = {y};
    ck_assert_int_eq(cb_model_forward(m, x, 1, &l, 1, outs), CB_OK);
    double s = 0, a = 0;
    for (long long i = 0; i < numel; ++i) s += y[i], a += fabs(y[i]);
    double scale = asum / (double)numel; /* mean |x|: the absolute part of the tolerance */
    ck_assert_msg(fabs(a - asum) <= 1e-4 * asum, "%s %s: sum|x| %.9g vs torch %.9g", model, name, a, asum);
    ck_assert_msg(fabs(s - sum) <= 1e-4 * asum, "%s %s: sum %.9g vs torch %.9g", model, name, s, sum);
    char *p = line + used;
    for (int k = 0; k < 64; ++k) {
      char *end;
      double v = strtod(p, &end);
      ck_assert(end != p);
      p = end;
      double got = y[(long long)k * numel / 64];
      ck_assert_msg(fabs(got - v) <= 1e-4 * (fabs(v) + scale), "%s %s[%lld]: %.9g vs torch %.9g", model, name,
                    (long long)k * numel / 64, got, v);
    }
    free(y);
    ++n_layers;
  }
  fclose(f);
  free(x);
  cb_model_destroy(&m);
  return n_layers;
}

START_TEST(test_alexnet_matches_torchvision) {
  ck_assert_int_eq(check_fixture("alexnet", 224), 6);
  ck_assert_int_eq(check_fixture("alexnet", 64), 3); /* adaptive avgpool 1x1 -> 6x6 */
}
END_TEST

START_TEST(test_resnets_match_torchvision) {
  ck_assert_int_eq(check_fixture("resnet18", 112), 9);
  ck_assert_int_eq(check_fixture("resnet50", 64), 5);
}
END_TEST

START_TEST(test_cornets_match_torch) {
  ck_assert_int_eq(check_fixture("cornet_z", 64), 6);
  ck_assert_int_eq(check_fixture("cornet_s", 64), 8);
}
END_TEST

static void assert_layers(const cb_model *m, const char *const *names) {
  for (; *names; ++names) ck_assert_msg(cb_model_find_layer(m, *names) >= 0, "no layer %s", *names);
}

START_TEST(test_layer_names) {
  cb_model *m = NULL;
  cb_zoo_opts o = {.seed = 1, .in_h = 64, .in_w = 64};
  ck_assert_int_eq(cb_zoo_create("alexnet", &o, &m), CB_OK);
  char name[32];
  for (int i = 0; i <= 12; ++i) {
    snprintf(name, sizeof name, "features.%d", i);
    ck_assert_int_eq(cb_model_find_layer(m, name), i); /* execution order */
  }
  for (int i = 0; i <= 6; ++i) {
    snprintf(name, sizeof name, "classifier.%d", i);
    ck_assert(cb_model_find_layer(m, name) >= 0);
  }
  int c, h, w;
  cb_model_layer_shape(m, cb_model_find_layer(m, "classifier.5"), &c, &h, &w);
  ck_assert(c == 4096 && h == 1 && w == 1);
  cb_model_destroy(&m);

  ck_assert_int_eq(cb_zoo_create("resnet18", &o, &m), CB_OK);
  assert_layers(m, (const char *const[]){"conv1", "bn1", "relu", "maxpool", "layer1.0.conv1", "layer1.0.bn1",
                                         "layer1.0.relu", "layer1.0.conv2", "layer1.0.bn2", "layer1.0.add", "layer1.0",
                                         "layer2.0.downsample.0", "layer2.0.downsample.1", "layer4.1", "avgpool",
                                         "fc", NULL});
  ck_assert_int_lt(cb_model_find_layer(m, "layer1.0.downsample.0"), 0);
  cb_model_layer_shape(m, cb_model_find_layer(m, "layer4.1"), &c, &h, &w);
  ck_assert(c == 512 && h == 2 && w == 2);
  cb_model_destroy(&m);

  ck_assert_int_eq(cb_zoo_create("cornet_s", &o, &m), CB_OK);
  for (int t = 0; t < 4; ++t) {
    snprintf(name, sizeof name, "V4.output-t%d", t);
    ck_assert(cb_model_find_layer(m, name) >= 0);
  }
  ck_assert_int_lt(cb_model_find_layer(m, "V4.output-t4"), 0);
  ck_assert_int_lt(cb_model_find_layer(m, "V2.output-t2"), 0);
  assert_layers(m, (const char *const[]){"V1.output-t0", "V2.output-t1", "IT.output-t1", "IT.norm3_1-t1",
                                         "decoder.avgpool-t0", "decoder.output-t0", NULL});
  cb_model_destroy(&m);

  ck_assert_int_eq(cb_zoo_create("cornet_z", NULL, &m), CB_OK);
  ck_assert_int_eq(cb_model_get_info(m)->in_h, 224);
  assert_layers(m, (const char *const[]){"V1.output", "V2.output", "V4.output", "IT.output", "decoder.avgpool", NULL});
  cb_model_destroy(&m);

  ck_assert_int_eq(cb_zoo_create("nosuchnet", NULL, &m), CB_ERR_ARG);
  ck_assert(strstr(cb_error_message(), "resnet50") != NULL);
  ck_assert_ptr_null(m);
  o.in_h = 16, o.in_w = 16; /* too small for AlexNet's pools: a shape error, no crash */
  ck_assert_int_ne(cb_zoo_create("alexnet", &o, &m), CB_OK);
  ck_assert_ptr_null(m);
}
END_TEST

/* A builder that declares no modality (a zero-initialised description). */
static cb_status undeclared_builder(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  (void)o;
  int x;
  *info = (cb_model_info){.name = "undeclared", .std = {1, 1, 1}, .visual_degrees = 8};
  return cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, 8, 8}, &x);
}

/* Every model declares its modality: the zoo refuses one that does not; the built-ins declare theirs, an entry may
 * restate it but not contradict it, and may name another front end. */
START_TEST(test_modality_declared) {
  cb_model *m = NULL;
  ck_assert_int_eq(cb_zoo_register("undeclared", undeclared_builder, "test: declares no modality", 1), CB_OK);
  ck_assert_int_eq(cb_zoo_create("undeclared", NULL, &m), CB_ERR_ARG);
  ck_assert_msg(strstr(cb_error_message(), "model 'undeclared': no modality declared") != NULL, "%s", cb_error_message());
  ck_assert_ptr_null(m);
  cb_zoo_opts o = {.seed = 1, .in_h = 64, .in_w = 64};
  ck_assert_int_eq(cb_zoo_create("tinycnn", &o, &m), CB_OK);
  ck_assert_int_eq(cb_model_get_info(m)->modality, CB_MODALITY_VISUAL);
  ck_assert_ptr_null(cb_model_get_info(m)->front_end); /* the modality's default */
  cb_model_destroy(&m);
  cb_model_info as = {.name = "mine", .std = {1, 1, 1}, .visual_degrees = 8, .modality = CB_MODALITY_AUDIO};
  ck_assert_int_eq(cb_zoo_create_as("tinycnn", &o, &as, &m), CB_ERR_CONFIG);
  ck_assert_msg(strstr(cb_error_message(), "model 'mine': declared modality audio, but builder 'tinycnn' takes visual")
                    != NULL, "%s", cb_error_message());
  ck_assert_ptr_null(m);
  as.modality = CB_MODALITY_VISUAL;
  as.front_end = "image2";
  ck_assert_int_eq(cb_zoo_create_as("tinycnn", &o, &as, &m), CB_OK);
  ck_assert_str_eq(cb_model_get_info(m)->front_end, "image2");
  ck_assert_int_eq(cb_model_set_front_end(m, NULL), CB_OK);
  ck_assert_ptr_null(cb_model_get_info(m)->front_end);
  ck_assert_int_eq(cb_model_set_front_end(m, "a-front-end-name-of-32-characters"), CB_ERR_ARG);
  cb_model_destroy(&m);
}
END_TEST

/* mean and standard deviation, min and max of a parameter */
static void stats(cb_graph *g, const char *param, double *mean, double *sd, double *lo, double *hi) {
  float *d;
  int64_t n;
  ck_assert_int_eq(cb_graph_param(g, param, &d, &n), CB_OK);
  double s = 0, s2 = 0;
  *lo = INFINITY, *hi = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    s += d[i], s2 += (double)d[i] * d[i];
    if (d[i] < *lo) *lo = d[i];
    if (d[i] > *hi) *hi = d[i];
  }
  *mean = s / (double)n;
  *sd = sqrt(s2 / (double)n - *mean * *mean);
}

START_TEST(test_init_statistics) {
  cb_zoo_opts o = {.seed = 3, .in_h = 64, .in_w = 64};
  cb_graph *g = NULL;
  cb_model_info info;
  double mean, sd, lo, hi;
  /* ResNet-18: conv kaiming_normal fan_out, fc PyTorch default uniform */
  ck_assert_int_eq(cb__zoo_build_graph("resnet18", &o, &g, &info), CB_OK);
  stats(g, "layer3.0.conv2.weight", &mean, &sd, &lo, &hi); /* fan_out 256*9 */
  ck_assert_double_eq_tol(sd, sqrt(2.0 / (256 * 9)), 0.01 * sqrt(2.0 / (256 * 9)));
  ck_assert_double_lt(fabs(mean), 0.01 * sd);
  stats(g, "fc.weight", &mean, &sd, &lo, &hi);
  ck_assert(lo >= -1.0 / sqrt(512) && hi <= 1.0 / sqrt(512));
  ck_assert_double_eq_tol(sd, 1.0 / sqrt(512) / sqrt(3), 0.01 / sqrt(512));
  stats(g, "layer2.0.bn1.weight", &mean, &sd, &lo, &hi);
  ck_assert(lo == 1.0 && hi == 1.0);
  stats(g, "layer2.0.bn1.running_var", &mean, &sd, &lo, &hi);
  ck_assert(lo == 1.0 && hi == 1.0);
  cb_graph_destroy(&g);
  /* AlexNet: PyTorch defaults, weight and bias U(+-1/sqrt(fan_in)) */
  ck_assert_int_eq(cb__zoo_build_graph("alexnet", &o, &g, &info), CB_OK);
  stats(g, "features.3.weight", &mean, &sd, &lo, &hi); /* fan_in 64*25 */
  ck_assert(lo >= -1.0 / 40 && hi <= 1.0 / 40 && hi > 0.99 / 40);
  stats(g, "features.3.bias", &mean, &sd, &lo, &hi);
  ck_assert(lo >= -1.0 / 40 && hi <= 1.0 / 40 && sd > 0);
  cb_graph_destroy(&g);
  /* CORnet-Z: xavier uniform, zero bias */
  ck_assert_int_eq(cb__zoo_build_graph("cornet_z", &o, &g, &info), CB_OK);
  stats(g, "V2.conv.weight", &mean, &sd, &lo, &hi);
  double b = sqrt(6.0 / (64 * 9 + 128 * 9));
  ck_assert(lo >= -b && hi <= b && hi > 0.99 * b);
  stats(g, "V2.conv.bias", &mean, &sd, &lo, &hi);
  ck_assert(lo == 0 && hi == 0);
  cb_graph_destroy(&g);
  /* CORnet-S: normal(0, sqrt(2 / (k*k*out))) */
  ck_assert_int_eq(cb__zoo_build_graph("cornet_s", &o, &g, &info), CB_OK);
  stats(g, "V4.conv2.weight", &mean, &sd, &lo, &hi);
  ck_assert_double_eq_tol(sd, sqrt(2.0 / (9 * 1024)), 0.01 * sqrt(2.0 / (9 * 1024)));
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(test_determinism) {
  cb_zoo_opts o = {.seed = 5, .in_h = 64, .in_w = 64};
  cb_model *a = NULL, *b = NULL, *c = NULL;
  ck_assert_int_eq(cb_zoo_create("cornet_s", &o, &a), CB_OK);
  ck_assert_int_eq(cb_zoo_create("cornet_s", &o, &b), CB_OK);
  o.seed = 6;
  ck_assert_int_eq(cb_zoo_create("cornet_s", &o, &c), CB_OK);
  ck_assert_uint_eq(cb_model_weights_hash(a), cb_model_weights_hash(b));
  ck_assert_uint_ne(cb_model_weights_hash(a), cb_model_weights_hash(c));
  cb_model_destroy(&a);
  cb_model_destroy(&b);
  cb_model_destroy(&c);
  /* the legacy entry point gives the default size */
  ck_assert_int_eq(cb_model_create("resnet18", 5, &a), CB_OK);
  ck_assert_int_eq(cb_model_get_info(a)->in_h, 224);
  cb_model_destroy(&a);
}
END_TEST

/* One image through a big model; output shapes, finite values, timing. */
static void run_one(const char *model, int size, const char *layer, int c0, int h0, int w0) {
  cb_zoo_opts o = {.seed = 1, .in_h = size, .in_w = size};
  cb_model *m = NULL;
  double t0 = cb_now();
  ck_assert_msg(cb_zoo_create(model, &o, &m) == CB_OK, "%s", cb_error_message());
  double t1 = cb_now();
  int l = cb_model_find_layer(m, layer), c, h, w;
  ck_assert(l >= 0);
  cb_model_layer_shape(m, l, &c, &h, &w);
  ck_assert(c == c0 && h == h0 && w == w0);
  int last = cb_model_n_layers(m) - 1;
  float *x = the_input(size, size), *y = malloc(sizeof *y * (size_t)c * h * w), *z = malloc(sizeof *z * 1000);
  float *outs[2] = {y, z};
  int req[2] = {l, last};
  ck_assert_int_eq(cb_model_forward(m, x, 1, req, 2, outs), CB_OK);
  double t2 = cb_now();
  for (int i = 0; i < c * h * w; ++i) ck_assert(isfinite(y[i]));
  for (int i = 0; i < 1000; ++i) ck_assert(isfinite(z[i]));
  printf("%s %dx%d: build %.2f s, forward %.2f s\n", model, size, size, t1 - t0, t2 - t1);
  free(x), free(y), free(z);
  cb_model_destroy(&m);
}

START_TEST(test_vgg16_runs) { run_one("vgg16", 64, "features.30", 512, 2, 2); }
END_TEST

START_TEST(test_resnet50_runs_224) { run_one("resnet50", 224, "layer4.2", 2048, 7, 7); }
END_TEST

int main(void) {
  Suite *s = suite_create("zoo");
  TCase *tc = tcase_create("zoo");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_modality_declared);
  tcase_add_test(tc, test_alexnet_matches_torchvision);
  tcase_add_test(tc, test_resnets_match_torchvision);
  tcase_add_test(tc, test_cornets_match_torch);
  tcase_add_test(tc, test_layer_names);
  tcase_add_test(tc, test_init_statistics);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_vgg16_runs);
  tcase_add_test(tc, test_resnet50_runs_224);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
