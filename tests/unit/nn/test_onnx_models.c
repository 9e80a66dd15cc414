/* Real trained models in ../shared/data/models (skipped when absent):
 * resnet20_cifar10.onnx against PyTorch's logits (test_data_set_0) and its
 * layer1/2/3 activations (intermediates.h5), batched and per image; the
 * per-image model path is bitwise batch independent; mnist-8.onnx against
 * logits computed by make_mnist_reference.py (PyTorch + NumPy). */
#include <check.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_onnx.h"
#include "cb_test_main.h"

#define MODELS "../shared/data/models"
#define RESNET MODELS "/resnet20_cifar10.onnx"
#define TOL 1e-4 /* |a - b| <= TOL + TOL * |b| (SOURCE.md: atol = rtol = 1e-4) */

static const char *const inter_names[3][2] = {{"layer1", "/layer1/layer1.2/Relu_1_output_0"},
                                              {"layer2", "/layer2/layer2.2/Relu_1_output_0"},
                                              {"layer3", "/layer3/layer3.2/Relu_1_output_0"}};

static int have_data(void) { return access(RESNET, R_OK) == 0; }

static void assert_close(const char *what, const float *a, const float *b, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = fabs((double)a[i] - b[i]);
    if (!(d <= TOL + TOL * fabs(b[i]))) ck_abort_msg("%s[%zu]: %.8g vs reference %.8g", what, i, a[i], b[i]);
    if (d > worst) worst = d;
  }
  printf("%s: %zu values, max |diff| %.3g\n", what, n, worst);
}

static float *read_h5(const char *name, size_t n) {
  hid_t f = H5Fopen(MODELS "/resnet20_cifar10/intermediates.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert(f >= 0);
  hsize_t dims[4];
  ck_assert(H5LTget_dataset_info(f, name, dims, NULL, NULL) >= 0);
  ck_assert_uint_eq(dims[0] * dims[1] * dims[2] * dims[3], n);
  float *v = malloc(n * sizeof *v);
  ck_assert(H5LTread_dataset_float(f, name, v) >= 0);
  H5Fclose(f);
  return v;
}

START_TEST(test_resnet20_batched_graph) {
  if (!have_data()) return;
  cb_onnx_tensor *x = NULL, *y = NULL;
  ck_assert_int_eq(cb_onnx_read_tensor(MODELS "/resnet20_cifar10/test_data_set_0/input_0.pb", &x), CB_OK);
  ck_assert_int_eq(cb_onnx_read_tensor(MODELS "/resnet20_cifar10/test_data_set_0/output_0.pb", &y), CB_OK);
  ck_assert_int_eq(x->ndim, 4);
  ck_assert_int_eq(x->shape[0], 8);
  cb_onnx_options opt = {.sym_dim = 1, .ndim = 4, .shape = {8, 3, 32, 32}};
  cb_graph *g = NULL;
  ck_assert_int_eq(cb_onnx_load_graph(RESNET, &opt, &g), CB_OK);
  int req[4] = {cb_graph_output_id(g, 0)};
  size_t sizes[4] = {8 * 10, 8 * 16 * 32 * 32, 8 * 32 * 16 * 16, 8 * 64 * 8 * 8};
  float *out[4];
  for (int k = 0; k < 3; ++k) {
    req[k + 1] = cb_graph_find(g, inter_names[k][1]);
    ck_assert_int_ge(req[k + 1], 0);
  }
  for (int k = 0; k < 4; ++k) out[k] = malloc(sizes[k] * sizeof(float));
  const float *in = x->data;
  ck_assert_int_eq(cb_graph_run(g, &in, 4, req, out), CB_OK);
  assert_close("resnet20 logits (batch 8)", out[0], y->data, sizes[0]);
  for (int k = 0; k < 3; ++k) {
    float *ref = read_h5(inter_names[k][0], sizes[k + 1]);
    assert_close(inter_names[k][0], out[k + 1], ref, sizes[k + 1]);
    free(ref);
  }
  /* planned memory: far less than the sum of all layers */
  size_t sum = 0;
  for (int v = 0; v < cb_graph_n_values(g); ++v)
    if (cb_graph_value_is_layer(g, v)) {
      int64_t s[CB_GRAPH_MAX_DIMS], n = 1;
      int nd = cb_graph_value_shape(g, v, s);
      for (int d = 0; d < nd; ++d) n *= s[d];
      sum += (size_t)n * sizeof(float);
    }
  printf("resnet20 batch 8: arena %zu bytes, workspace %zu bytes, sum of layers %zu bytes\n", cb_graph_arena_bytes(g),
         cb_graph_work_bytes(g), sum);
  ck_assert_uint_le(cb_graph_arena_bytes(g) * 5, sum);
  for (int k = 0; k < 4; ++k) free(out[k]);
  cb_graph_destroy(&g);
  cb_onnx_tensor_destroy(&x);
  cb_onnx_tensor_destroy(&y);
}
END_TEST

START_TEST(test_resnet20_model_per_image) {
  if (!have_data()) return;
  cb_onnx_tensor *x = NULL, *y = NULL;
  ck_assert_int_eq(cb_onnx_read_tensor(MODELS "/resnet20_cifar10/test_data_set_0/input_0.pb", &x), CB_OK);
  ck_assert_int_eq(cb_onnx_read_tensor(MODELS "/resnet20_cifar10/test_data_set_0/output_0.pb", &y), CB_OK);
  cb_model_info pp = {.mean = {0.4914f, 0.4822f, 0.4465f}, .std = {0.2470f, 0.2435f, 0.2616f}, .visual_degrees = 4.0};
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_load_onnx(RESNET, &pp, &m), CB_OK);
  const cb_model_info *info = cb_model_get_info(m);
  ck_assert_str_eq(info->name, "resnet20_cifar10");
  ck_assert(info->in_c == 3 && info->in_h == 32 && info->in_w == 32);
  ck_assert_float_eq(info->std[2], 0.2616f);
  int req[4] = {cb_model_find_layer(m, "logits")};
  for (int k = 0; k < 3; ++k) req[k + 1] = cb_model_find_layer(m, inter_names[k][1]);
  int c, h, w;
  cb_model_layer_shape(m, req[0], &c, &h, &w);
  ck_assert(c == 10 && h == 1 && w == 1);
  cb_model_layer_shape(m, req[2], &c, &h, &w);
  ck_assert(c == 32 && h == 16 && w == 16);
  size_t per[4] = {10, 16 * 32 * 32, 32 * 16 * 16, 64 * 8 * 8};
  float *full[4], *one[4];
  for (int k = 0; k < 4; ++k) {
    ck_assert_int_ge(req[k], 0);
    full[k] = malloc(8 * per[k] * sizeof(float));
    one[k] = malloc(per[k] * sizeof(float));
  }
  ck_assert_int_eq(cb_model_forward(m, x->data, 8, req, 4, full), CB_OK);
  assert_close("resnet20 logits (model)", full[0], y->data, 80);
  float *ref = read_h5("layer2", 8 * per[2]);
  assert_close("layer2 (model)", full[2], ref, 8 * per[2]);
  free(ref);
  /* batch of 8 == 8 batches of 1, bitwise; also with another request order */
  int req2[2] = {req[3], req[0]};
  float *one2[2] = {one[3], one[0]};
  for (int i = 0; i < 8; ++i) {
    ck_assert_int_eq(cb_model_forward(m, x->data + (size_t)i * 3 * 32 * 32, 1, req, 4, one), CB_OK);
    for (int k = 0; k < 4; ++k) ck_assert(memcmp(one[k], full[k] + i * per[k], per[k] * sizeof(float)) == 0);
    ck_assert_int_eq(cb_model_forward(m, x->data + (size_t)i * 3 * 32 * 32, 1, req2, 2, one2), CB_OK);
    ck_assert(memcmp(one[3], full[3] + i * per[3], per[3] * sizeof(float)) == 0);
    ck_assert(memcmp(one[0], full[0] + i * per[0], per[0] * sizeof(float)) == 0);
  }
  /* batches of 3 + 5 */
  float *part[4];
  for (int k = 0; k < 4; ++k) part[k] = malloc(8 * per[k] * sizeof(float));
  ck_assert_int_eq(cb_model_forward(m, x->data, 3, req, 4, part), CB_OK);
  float *tail[4];
  for (int k = 0; k < 4; ++k) tail[k] = part[k] + 3 * per[k];
  ck_assert_int_eq(cb_model_forward(m, x->data + 3 * 3 * 32 * 32, 5, req, 4, tail), CB_OK);
  for (int k = 0; k < 4; ++k) ck_assert(memcmp(part[k], full[k], 8 * per[k] * sizeof(float)) == 0);
  uint64_t h1 = cb_model_weights_hash(m);
  for (int k = 0; k < 4; ++k) free(full[k]), free(one[k]), free(part[k]);
  cb_model_destroy(&m);
  ck_assert_int_eq(cb_model_load_onnx(RESNET, NULL, &m), CB_OK);
  ck_assert_uint_eq(cb_model_weights_hash(m), h1);
  ck_assert_float_eq(cb_model_get_info(m)->std[0], 1.0f);
  cb_model_destroy(&m);
  cb_onnx_tensor_destroy(&x);
  cb_onnx_tensor_destroy(&y);
}
END_TEST

START_TEST(test_mnist8) {
  if (!have_data()) return;
  FILE *f = fopen("tests/unit/nn/fixtures/mnist8_ring_logits.txt", "r");
  ck_assert_ptr_nonnull(f);
  char line[512];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* comment */
  float ref[10];
  for (int k = 0; k < 10; ++k) ck_assert_int_eq(fscanf(f, "%f", &ref[k]), 1);
  fclose(f);
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_load_onnx(MODELS "/mnist-8.onnx", NULL, &m), CB_OK);
  const cb_model_info *info = cb_model_get_info(m);
  ck_assert(info->in_c == 1 && info->in_h == 28 && info->in_w == 28);
  float x[28 * 28], y[10];
  for (int i = 0; i < 28; ++i)
    for (int j = 0; j < 28; ++j) {
      double r = hypot(i - 13.5, j - 13.5);
      x[i * 28 + j] = r >= 6 && r <= 9 ? 1.0f : 0.0f;
    }
  int req = cb_model_find_layer(m, "Plus214_Output_0");
  ck_assert_int_ge(req, 0);
  float *out = y;
  ck_assert_int_eq(cb_model_forward(m, x, 1, &req, 1, &out), CB_OK);
  assert_close("mnist-8 logits", y, ref, 10);
  int best = 0;
  for (int k = 1; k < 10; ++k)
    if (y[k] > y[best]) best = k;
  ck_assert_int_eq(best, 0); /* a ring is a zero */
  cb_model_destroy(&m);
}
END_TEST

START_TEST(test_errors) {
  char dir[] = "/tmp/cb_onnx_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char p[256];
  snprintf(p, sizeof p, "%s/bad.onnx", dir);
  FILE *f = fopen(p, "wb");
  fputs("this is not a protobuf \x01\x02\xff", f);
  fclose(f);
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_load_onnx(p, NULL, &m), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "bad.onnx: not a valid ONNX model"));
  ck_assert_ptr_null(m);
  if (have_data()) {
    /* truncated copy of a real model */
    FILE *src = fopen(RESNET, "rb");
    char *buf = malloc(600000);
    size_t n = fread(buf, 1, 600000, src);
    fclose(src);
    snprintf(p, sizeof p, "%s/trunc.onnx", dir);
    f = fopen(p, "wb");
    fwrite(buf, 1, n / 2, f);
    fclose(f);
    free(buf);
    ck_assert_int_ne(cb_model_load_onnx(p, NULL, &m), CB_OK);
    ck_assert_ptr_nonnull(strstr(cb_error_message(), "trunc.onnx"));
    remove(p);
  }
  snprintf(p, sizeof p, "%s/bad.onnx", dir);
  remove(p);
  rmdir(dir);
  ck_assert_int_eq(cb_model_load_onnx("/nonexistent/x.onnx", NULL, &m), CB_ERR_IO);
}
END_TEST

int main(void) {
  Suite *s = suite_create("onnx_models");
  TCase *tc = tcase_create("onnx_models");
  tcase_set_timeout(tc, 240);
  if (!have_data()) printf("skipped: %s not found\n", RESNET);
  tcase_add_test(tc, test_resnet20_batched_graph);
  tcase_add_test(tc, test_resnet20_model_per_image);
  tcase_add_test(tc, test_mnist8);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
