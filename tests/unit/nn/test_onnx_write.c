/* test_onnx_write.c - ONNX export: a zoo model (fmnist_cnn: 1 channel, Gemm head; tinycnn: no head, several
 * layers) written, loaded back by the importer as a model, gives the same bits at every layer the two share,
 * and writing the loaded graph again gives the same bytes (export and import are inverse). A batch dimension
 * written as "N" loads with any batch. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_nn.h"
#include "cb_onnx.h"
#include "cb_rng.h"
#include "cb_test_main.h"
#define CB_TEST_TMP_NAME "onnxw"
#include "cb_test_tmpdir.h"

#define OK(expr) ck_assert_msg((expr) == CB_OK, "%s: %s", #expr, cb_error_message())

static void setup(void) { make_tmpdir(); }
static void teardown(void) { rm_tmpdir(); }

/* Last layer of a and b on one random image: the same bits. */
static void same_forward(cb_model *a, cb_model *b) {
  const cb_model_info *ia = cb_model_get_info(a);
  const size_t n = (size_t)ia->in_c * ia->in_h * ia->in_w;
  float *x = malloc(n * sizeof *x);
  cb_rng r;
  cb_rng_seed(&r, 5);
  for (size_t i = 0; i < n; ++i) x[i] = (float)cb_rng_normal(&r);
  const int la = cb_model_n_layers(a) - 1, lb = cb_model_find_layer(b, cb_model_layer_name(a, la));
  ck_assert_int_ge(lb, 0);
  int c, h, w;
  cb_model_layer_shape(a, la, &c, &h, &w);
  float *ya = calloc((size_t)c * h * w, sizeof *ya), *yb = calloc((size_t)c * h * w, sizeof *yb);
  OK(cb_model_forward(a, x, 1, &la, 1, &ya));
  OK(cb_model_forward(b, x, 1, &lb, 1, &yb));
  ck_assert_msg(memcmp(ya, yb, (size_t)c * h * w * sizeof *ya) == 0, "layer %s differs", cb_model_layer_name(a, la));
  free(x), free(ya), free(yb);
}

START_TEST(test_roundtrip) {
  const char *names[] = {"fmnist_cnn", "tinycnn"};
  for (int i = 0; i < 2; ++i) {
    cb_model *m = NULL, *m2 = NULL;
    OK(cb_model_create(names[i], 7, &m));
    char p1[512], p2[512];
    tmp_path(p1, sizeof p1, "a.onnx");
    tmp_path(p2, sizeof p2, "b.onnx");
    OK(cb_onnx_write_graph(cb_model_graph(m), p1, &(cb_onnx_write_opts){.batch_param = "N"}));
    OK(cb_model_load_onnx(p1, NULL, &m2));
    same_forward(m, m2);
    OK(cb_onnx_write_graph(cb_model_graph(m2), p2, &(cb_onnx_write_opts){.batch_param = "N"}));
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    OK(cb_file_read_all(p1, &a, &na));
    OK(cb_file_read_all(p2, &b, &nb));
    ck_assert_msg(na == nb && memcmp(a, b, na) == 0, "%s: export of the re-imported graph differs", names[i]);
    free(a), free(b);
    cb_graph *g = NULL; /* the symbolic batch takes any size */
    OK(cb_onnx_load_graph(p1, &(cb_onnx_options){.ndim = 4, .shape = {5, 0, 0, 0}}, &g));
    int64_t shape[CB_GRAPH_MAX_DIMS];
    cb_graph_value_shape(g, cb_graph_input_id(g, 0), shape);
    ck_assert_int_eq(shape[0], 5);
    cb_graph_destroy(&g);
    cb_model_destroy(&m);
    cb_model_destroy(&m2);
  }
}
END_TEST

START_TEST(test_errors) {
  cb_graph *g = NULL;
  OK(cb_graph_create(&g));
  ck_assert_int_eq(cb_onnx_write_graph(g, "/tmp/x.onnx", NULL), CB_ERR_ARG); /* not finished */
  ck_assert_int_eq(cb_onnx_write_graph(NULL, "/tmp/x.onnx", NULL), CB_ERR_ARG);
  cb_graph_destroy(&g);
  cb_model *m = NULL;
  OK(cb_model_create("fmnist_cnn", 1, &m));
  char f[512], p[512];
  tmp_path(f, sizeof f, "file");
  FILE *fp = fopen(f, "w"); /* a regular file where a directory should be */
  ck_assert_ptr_nonnull(fp);
  fclose(fp);
  tmp_path(p, sizeof p, "file/a.onnx");
  ck_assert_int_ne(cb_onnx_write_graph(cb_model_graph(m), p, NULL), CB_OK);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "file"));
  cb_model_destroy(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("onnx_write");
  TCase *tc = tcase_create("onnx_write");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_roundtrip);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
