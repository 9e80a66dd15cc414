/* Unit tests for src/nn: kernels against naive loops, the zoo, determinism,
 * batch independence, errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_nn_ops.h"
#include "cb_rng.h"
#include "cb_status.h"

/* nmse = mse(a, b) / mse(a, 0), in double. */
static double nmse(const float *a, const float *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = (double)a[i] - (double)b[i];
    num += d * d;
    den += (double)a[i] * (double)a[i];
  }
  return den > 0 ? num / den : num;
}

static void fill_normal(cb_rng *r, float *x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = (float)cb_rng_normal(r);
}

/* Direct 7-loop convolution in double (batch, out_c, oy, ox, in_c, i, j). */
static void conv_naive(const cb_conv2d_geom *g, const float *w, const float *b, const float *x, int batch,
                       float *y) {
  int oh = cb_conv_out_dim(g->in_h, g->kh, g->stride_h, g->pad_h);
  int ow = cb_conv_out_dim(g->in_w, g->kw, g->stride_w, g->pad_w);
  for (int n = 0; n < batch; ++n)
    for (int o = 0; o < g->out_c; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double s = b ? b[o] : 0.0;
          for (int c = 0; c < g->in_c; ++c)
            for (int i = 0; i < g->kh; ++i)
              for (int j = 0; j < g->kw; ++j) {
                int iy = oy * g->stride_h - g->pad_h + i, ix = ox * g->stride_w - g->pad_w + j;
                if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w) continue;
                s += (double)w[((o * g->in_c + c) * g->kh + i) * g->kw + j] *
                     (double)x[((n * g->in_c + c) * g->in_h + iy) * g->in_w + ix];
              }
          y[((n * g->out_c + o) * oh + oy) * ow + ox] = (float)s;
        }
}

START_TEST(test_conv2d_matches_naive) {
  cb_rng r;
  cb_rng_seed(&r, 11);
  const int chans[][2] = {{1, 1}, {3, 4}, {5, 2}};
  const int sizes[][2] = {{5, 5}, {8, 8}, {7, 10}};
  const int kernels[][2] = {{1, 1}, {2, 2}, {3, 3}, {5, 5}, {1, 3}, {3, 2}};
  const int strides[][2] = {{1, 1}, {2, 2}, {3, 3}, {1, 2}};
  const int pads[][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}};
  int cases = 0;
  for (int ci = 0; ci < 3; ++ci)
    for (int si = 0; si < 3; ++si)
      for (int ki = 0; ki < 6; ++ki)
        for (int ti = 0; ti < 4; ++ti)
          for (int pi = 0; pi < 4; ++pi) {
            cb_conv2d_geom g = {.in_c = chans[ci][0], .out_c = chans[ci][1], .in_h = sizes[si][0],
                                .in_w = sizes[si][1], .kh = kernels[ki][0], .kw = kernels[ki][1],
                                .stride_h = strides[ti][0], .stride_w = strides[ti][1],
                                .pad_h = pads[pi][0], .pad_w = pads[pi][1]};
            if (g.pad_h >= g.kh || g.pad_w >= g.kw) continue; /* like PyTorch: pad < kernel */
            ck_assert_int_eq(cb_conv2d_check(&g), CB_OK);
            int batch = 2;
            int oh = cb_conv_out_dim(g.in_h, g.kh, g.stride_h, g.pad_h);
            int ow = cb_conv_out_dim(g.in_w, g.kw, g.stride_w, g.pad_w);
            ck_assert_int_eq(oh, (g.in_h + 2 * g.pad_h - g.kh) / g.stride_h + 1);
            size_t nx = (size_t)batch * g.in_c * g.in_h * g.in_w, nw = (size_t)g.out_c * g.in_c * g.kh * g.kw;
            size_t ny = (size_t)batch * g.out_c * oh * ow, nwork = cb_conv2d_workspace(&g);
            if (g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0)
              ck_assert_uint_eq(nwork, 0);
            float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *b = malloc(g.out_c * sizeof *b);
            float *y = malloc(ny * sizeof *y), *ref = malloc(ny * sizeof *ref);
            float *work = malloc((nwork + 1) * sizeof *work);
            fill_normal(&r, x, nx);
            fill_normal(&r, w, nw);
            fill_normal(&r, b, g.out_c);
            for (int withb = 0; withb < 2; ++withb) {
              cb_conv2d_forward(&g, w, withb ? b : NULL, x, batch, work, y);
              conv_naive(&g, w, withb ? b : NULL, x, batch, ref);
              double e = nmse(ref, y, ny);
              if (!(e < 1e-10))
                ck_abort_msg("conv in %dx%dx%d out_c %d k %dx%d s %dx%d p %dx%d: nmse %g", g.in_c, g.in_h, g.in_w,
                             g.out_c, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_h, g.pad_w, e);
            }
            free(x), free(w), free(b), free(y), free(ref), free(work);
            ++cases;
          }
  ck_assert_int_gt(cases, 300);
}
END_TEST

START_TEST(test_conv2d_known_values) {
  /* 1 channel 3x3 input, 2x2 all-ones kernel, stride 1, no padding: window sums. */
  cb_conv2d_geom g = {.in_c = 1, .in_h = 3, .in_w = 3, .out_c = 1, .kh = 2, .kw = 2,
                      .stride_h = 1, .stride_w = 1, .pad_h = 0, .pad_w = 0};
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, b[1] = {0.5f}, y[4], work[16];
  cb_conv2d_forward(&g, w, b, x, 1, work, y);
  const float expect[4] = {12.5f, 16.5f, 24.5f, 28.5f};
  for (int i = 0; i < 4; ++i) ck_assert_float_eq(y[i], expect[i]);
  g.kh = 9;
  ck_assert_int_eq(cb_conv2d_check(&g), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "does not fit"));
}
END_TEST

START_TEST(test_relu_and_maxpool_match_naive) {
  float x[6] = {-1.0f, 0.0f, 2.5f, -0.0f, NAN, 3.0f}, y[6];
  cb_relu_forward(x, 6, y);
  ck_assert_float_eq(y[0], 0.0f);
  ck_assert_float_eq(y[2], 2.5f);
  ck_assert(isnan(y[4]));
  ck_assert_float_eq(y[5], 3.0f);
  cb_relu_forward(x, 6, x); /* in place */
  ck_assert_float_eq(x[0], 0.0f);

  cb_rng r;
  cb_rng_seed(&r, 5);
  const int ks[][2] = {{2, 2}, {3, 2}, {3, 3}, {1, 1}, {2, 1}};
  const int hw[][2] = {{8, 8}, {7, 9}, {4, 5}};
  for (int a = 0; a < 5; ++a)
    for (int s = 0; s < 3; ++s) {
      int k = ks[a][0], st = ks[a][1], h = hw[s][0], w = hw[s][1], c = 3, batch = 2;
      int oh = (h - k) / st + 1, ow = (w - k) / st + 1;
      size_t nx = (size_t)batch * c * h * w, ny = (size_t)batch * c * oh * ow;
      float *in = malloc(nx * sizeof *in), *out = malloc(ny * sizeof *out);
      fill_normal(&r, in, nx);
      cb_maxpool2d_forward(in, batch, c, h, w, k, st, out);
      for (int p = 0; p < batch * c; ++p)
        for (int oy = 0; oy < oh; ++oy)
          for (int ox = 0; ox < ow; ++ox) {
            float m = -INFINITY;
            for (int i = 0; i < k; ++i)
              for (int j = 0; j < k; ++j) m = fmaxf(m, in[(p * h + oy * st + i) * w + ox * st + j]);
            ck_assert_float_eq(out[(p * oh + oy) * ow + ox], m);
          }
      free(in), free(out);
    }
}
END_TEST

START_TEST(test_zoo_shapes) {
  const char *const *names = cb_zoo_names();
  ck_assert_str_eq(names[0], "pixels");
  ck_assert_str_eq(names[1], "tinycnn");
  ck_assert_ptr_null(names[2]);

  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 1, &m), CB_OK);
  const cb_model_info *info = cb_model_get_info(m);
  ck_assert_str_eq(info->name, "tinycnn");
  ck_assert_int_eq(info->in_c, 3);
  ck_assert_int_eq(info->in_h, 64);
  ck_assert_int_eq(info->in_w, 64);
  ck_assert_int_eq(cb_model_n_layers(m), 6);
  /* conv k5 s2 p2: 64 -> 32; pool: 16; conv k3 s1 p1: 16; pool: 8. */
  const int expect[6][3] = {{16, 32, 32}, {16, 32, 32}, {16, 16, 16}, {32, 16, 16}, {32, 16, 16}, {32, 8, 8}};
  for (int i = 0; i < 6; ++i) {
    char name[32];
    snprintf(name, sizeof name, "features.%d", i);
    ck_assert_str_eq(cb_model_layer_name(m, i), name);
    ck_assert_int_eq(cb_model_find_layer(m, name), i);
    int c, h, w;
    cb_model_layer_shape(m, i, &c, &h, &w);
    ck_assert_int_eq(c, expect[i][0]);
    ck_assert_int_eq(h, expect[i][1]);
    ck_assert_int_eq(w, expect[i][2]);
  }
  ck_assert_ptr_null(cb_model_layer_name(m, 6));
  cb_model_destroy(&m);
  ck_assert_ptr_null(m);
  cb_model_destroy(&m);

  ck_assert_int_eq(cb_model_create("pixels", 0, &m), CB_OK);
  ck_assert_int_eq(cb_model_n_layers(m), 1);
  ck_assert_str_eq(cb_model_layer_name(m, 0), "pixels");
  int c, h, w;
  cb_model_layer_shape(m, 0, &c, &h, &w);
  ck_assert(c == 3 && h == 32 && w == 32);
  /* pixels is the identity */
  float x[2 * 3 * 32 * 32], y[2 * 3 * 32 * 32];
  for (int i = 0; i < 2 * 3 * 32 * 32; ++i) x[i] = (float)i * 0.25f - 7.0f;
  int req = 0;
  float *outs[1] = {y};
  ck_assert_int_eq(cb_model_forward(m, x, 2, &req, 1, outs), CB_OK);
  ck_assert(memcmp(x, y, sizeof x) == 0);
  cb_model_destroy(&m);
}
END_TEST

/* Runs tinycnn on a fixed input, returns all 6 layers concatenated per layer. */
static float *run_tinycnn(uint64_t seed, const float *x, int batch, uint64_t *hash, size_t *total) {
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", seed, &m), CB_OK);
  int req[6];
  size_t off[7] = {0};
  for (int i = 0; i < 6; ++i) {
    int c, h, w;
    cb_model_layer_shape(m, i, &c, &h, &w);
    req[i] = i;
    off[i + 1] = off[i] + (size_t)batch * c * h * w;
  }
  float *buf = malloc(off[6] * sizeof *buf), *outs[6];
  for (int i = 0; i < 6; ++i) outs[i] = buf + off[i];
  ck_assert_int_eq(cb_model_forward(m, x, batch, req, 6, outs), CB_OK);
  *hash = cb_model_weights_hash(m);
  *total = off[6];
  cb_model_destroy(&m);
  return buf;
}

START_TEST(test_tinycnn_determinism_and_batch_independence) {
  const int per = 3 * 64 * 64, batch = 4;
  float *x = malloc((size_t)batch * per * sizeof *x);
  cb_rng r;
  cb_rng_seed(&r, 99);
  fill_normal(&r, x, (size_t)batch * per);
  uint64_t h1, h2, h3;
  size_t n1, n2, n3;
  float *a = run_tinycnn(7, x, batch, &h1, &n1);
  float *b = run_tinycnn(7, x, batch, &h2, &n2);
  float *c = run_tinycnn(8, x, batch, &h3, &n3);
  ck_assert_uint_eq(h1, h2);
  ck_assert_uint_ne(h1, h3);
  ck_assert_uint_eq(n1, n2);
  ck_assert(memcmp(a, b, n1 * sizeof *a) == 0);
  ck_assert(memcmp(a, c, n1 * sizeof *a) != 0);

  /* Every layer is non-trivial: ReLU layers have zeros and positives. */
  size_t relu_off = (size_t)batch * 16 * 32 * 32; /* features.1 starts after features.0 */
  size_t relu_n = (size_t)batch * 16 * 32 * 32, zeros = 0, pos = 0;
  for (size_t i = 0; i < relu_n; ++i) {
    zeros += a[relu_off + i] == 0.0f;
    pos += a[relu_off + i] > 0.0f;
  }
  ck_assert(zeros > relu_n / 5 && pos > relu_n / 5);

  /* Batch of 4 == 4 batches of 1, bitwise, for every layer. */
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 7, &m), CB_OK);
  int req[6] = {5, 0, 3, 1, 2, 4}; /* any order */
  size_t sz[6];
  for (int k = 0; k < 6; ++k) {
    int cc, hh, ww;
    cb_model_layer_shape(m, req[k], &cc, &hh, &ww);
    sz[k] = (size_t)cc * hh * ww;
  }
  float *full[6], *one[6];
  for (int k = 0; k < 6; ++k) {
    full[k] = malloc(batch * sz[k] * sizeof(float));
    one[k] = malloc(sz[k] * sizeof(float));
  }
  ck_assert_int_eq(cb_model_forward(m, x, batch, req, 6, full), CB_OK);
  for (int i = 0; i < batch; ++i) {
    ck_assert_int_eq(cb_model_forward(m, x + (size_t)i * per, 1, req, 6, one), CB_OK);
    for (int k = 0; k < 6; ++k) ck_assert(memcmp(one[k], full[k] + i * sz[k], sz[k] * sizeof(float)) == 0);
  }
  /* And equal to the all-layers run above (layer 5 block of a). */
  size_t off5 = n1 - (size_t)batch * sz[0];
  ck_assert(memcmp(full[0], a + off5, batch * sz[0] * sizeof(float)) == 0);
  for (int k = 0; k < 6; ++k) free(full[k]), free(one[k]);
  cb_model_destroy(&m);
  free(a), free(b), free(c), free(x);
}
END_TEST

START_TEST(test_he_init_statistics) {
  /* Weights of features.0 should be N(0, 2/fan_in), fan_in = 3*5*5 = 75.
   * Probe them through the model: an input that is 1 at pixel (32, 32) of
   * channel c and 0 elsewhere gives, at output pixel (oy, ox), the weight
   * w[o][c][34-2*oy][34-2*ox] for oy, ox in 15..17 (stride 2, pad 2): 9
   * distinct taps per (o, c), 432 weights in all. */
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 3, &m), CB_OK);
  float *x = calloc(3 * 64 * 64, sizeof *x), *y = malloc(16 * 32 * 32 * sizeof *y);
  double s2 = 0;
  int n = 0, req = 0;
  for (int c = 0; c < 3; ++c) {
    memset(x, 0, 3 * 64 * 64 * sizeof *x);
    x[(c * 64 + 32) * 64 + 32] = 1.0f;
    ck_assert_int_eq(cb_model_forward(m, x, 1, &req, 1, &y), CB_OK);
    for (int o = 0; o < 16; ++o) {
      for (int oy = 15; oy <= 17; ++oy)
        for (int ox = 15; ox <= 17; ++ox) {
          double v = y[(o * 32 + oy) * 32 + ox];
          s2 += v * v;
          ++n;
        }
    }
  }
  ck_assert_int_eq(n, 3 * 16 * 9);
  double sd = sqrt(s2 / n), expect = sqrt(2.0 / 75.0);
  /* 432 draws: relative standard error of the sd ~ 1/sqrt(2*432) = 3.4 %. */
  ck_assert_double_eq_tol(sd, expect, 5 * 0.034 * expect);
  free(x), free(y);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(test_errors) {
  cb_model *m = (cb_model *)0x1;
  ck_assert_int_eq(cb_model_create("resnet9000", 1, &m), CB_ERR_ARG);
  ck_assert_str_eq(cb_error_message(), "unknown model 'resnet9000' (known: pixels, tinycnn)");
  ck_assert_ptr_eq(m, (cb_model *)0x1); /* untouched on failure */
  m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 1, &m), CB_OK);
  ck_assert_int_eq(cb_model_find_layer(m, "features.9"), -1);
  ck_assert_int_eq(cb_model_find_layer(m, NULL), -1);
  int c = 9, h = 9, w = 9;
  cb_model_layer_shape(m, 42, &c, &h, &w);
  ck_assert(c == 0 && h == 0 && w == 0);
  float x[3 * 64 * 64] = {0}, y[16 * 32 * 32];
  float *outs[1] = {y};
  int bad = 6;
  ck_assert_int_eq(cb_model_forward(m, x, 1, &bad, 1, outs), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "out of range"));
  int good = 0;
  ck_assert_int_eq(cb_model_forward(m, x, 0, &good, 1, outs), CB_ERR_ARG);
  ck_assert_int_eq(cb_model_forward(m, NULL, 1, &good, 1, outs), CB_ERR_ARG);
  /* zero input, zero biases -> zero output */
  ck_assert_int_eq(cb_model_forward(m, x, 1, &good, 1, outs), CB_OK);
  for (int i = 0; i < 16 * 32 * 32; ++i) ck_assert_float_eq(y[i], 0.0f);
  cb_model_destroy(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nn");
  TCase *tc = tcase_create("nn");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_conv2d_matches_naive);
  tcase_add_test(tc, test_conv2d_known_values);
  tcase_add_test(tc, test_relu_and_maxpool_match_naive);
  tcase_add_test(tc, test_zoo_shapes);
  tcase_add_test(tc, test_tinycnn_determinism_and_batch_independence);
  tcase_add_test(tc, test_he_init_statistics);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
