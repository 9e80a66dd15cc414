/* Unit tests for src/nn: kernels against naive loops, the zoo, determinism,
 * batch independence, errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_nn_ops.h"
#include "cb_rng.h"
#include "cb_status.h"
#include "cb_test_main.h"

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

/* Direct convolution in double with groups, dilations and asymmetric pads. */
static void conv_naive(const cb_conv2d_geom *g, const float *w, const float *b, const float *x, int batch,
                       float *y) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  int cg = g->in_c / g->groups, og = g->out_c / g->groups;
  for (int n = 0; n < batch; ++n)
    for (int o = 0; o < g->out_c; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double s = b ? b[o] : 0.0;
          for (int c = 0; c < cg; ++c)
            for (int i = 0; i < g->kh; ++i)
              for (int j = 0; j < g->kw; ++j) {
                int iy = oy * g->stride_h - g->pad_t + i * g->dil_h, ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
                if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w) continue;
                int ci = (o / og) * cg + c;
                s += (double)w[((o * cg + c) * g->kh + i) * g->kw + j] *
                     (double)x[((n * g->in_c + ci) * g->in_h + iy) * g->in_w + ix];
              }
          y[((n * g->out_c + o) * oh + oy) * ow + ox] = (float)s;
        }
}

START_TEST(test_conv2d_matches_naive) {
  cb_rng r;
  cb_rng_seed(&r, 11);
  /* in_c, out_c, groups: dense, grouped, depthwise, depthwise multiplier */
  const int chans[][3] = {{1, 1, 1}, {3, 4, 1}, {5, 2, 1}, {4, 6, 2}, {4, 4, 4}, {3, 6, 3}};
  const int sizes[][2] = {{5, 5}, {8, 8}, {7, 10}};
  const int kernels[][2] = {{1, 1}, {2, 2}, {3, 3}, {5, 5}, {1, 3}, {3, 2}};
  const int strides[][2] = {{1, 1}, {2, 2}, {3, 3}, {1, 2}};
  const int pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 1, 1, 0}, {1, 0, 2, 1}};
  const int dils[][2] = {{1, 1}, {2, 2}, {1, 3}};
  int cases = 0;
  for (int ci = 0; ci < 6; ++ci)
    for (int si = 0; si < 3; ++si)
      for (int ki = 0; ki < 6; ++ki)
        for (int ti = 0; ti < 4; ++ti)
          for (int pi = 0; pi < 5; ++pi)
            for (int di = 0; di < 3; ++di) {
              if ((ci + si + ki + ti + pi + di) % 3 != 0 && di > 0) continue; /* thin the dilated cases */
              cb_conv2d_geom g = {.in_c = chans[ci][0], .out_c = chans[ci][1], .groups = chans[ci][2],
                                  .in_h = sizes[si][0], .in_w = sizes[si][1], .kh = kernels[ki][0],
                                  .kw = kernels[ki][1], .stride_h = strides[ti][0], .stride_w = strides[ti][1],
                                  .pad_t = pads[pi][0], .pad_l = pads[pi][1], .pad_b = pads[pi][2],
                                  .pad_r = pads[pi][3], .dil_h = dils[di][0], .dil_w = dils[di][1]};
              if (cb_conv2d_check(&g) != CB_OK) continue; /* kernel does not fit */
              int batch = 2, oh, ow;
              cb_conv2d_out(&g, &oh, &ow);
              ck_assert_int_eq(oh, (g.in_h + g.pad_t + g.pad_b - g.dil_h * (g.kh - 1) - 1) / g.stride_h + 1);
              size_t nx = (size_t)batch * g.in_c * g.in_h * g.in_w,
                     nw = (size_t)g.out_c * (g.in_c / g.groups) * g.kh * g.kw;
              size_t ny = (size_t)batch * g.out_c * oh * ow, nwork = cb_conv2d_workspace(&g);
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
                  ck_abort_msg("conv in %dx%dx%d out_c %d groups %d k %dx%d s %dx%d p %d,%d,%d,%d d %dx%d: nmse %g",
                               g.in_c, g.in_h, g.in_w, g.out_c, g.groups, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_t,
                               g.pad_l, g.pad_b, g.pad_r, g.dil_h, g.dil_w, e);
              }
              free(x), free(w), free(b), free(y), free(ref), free(work);
              ++cases;
            }
  ck_assert_int_gt(cases, 1000);
}
END_TEST

START_TEST(test_conv2d_known_values) {
  /* 1 channel 3x3 input, 2x2 all-ones kernel, stride 1, no padding: window sums. */
  cb_conv2d_geom g = {.in_c = 1, .in_h = 3, .in_w = 3, .out_c = 1, .kh = 2, .kw = 2, .stride_h = 1, .stride_w = 1,
                      .dil_h = 1, .dil_w = 1, .groups = 1};
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, b[1] = {0.5f}, y[4], work[16];
  cb_conv2d_forward(&g, w, b, x, 1, work, y);
  const float expect[4] = {12.5f, 16.5f, 24.5f, 28.5f};
  for (int i = 0; i < 4; ++i) ck_assert_float_eq(y[i], expect[i]);
  g.kh = 9;
  ck_assert_int_eq(cb_conv2d_check(&g), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "does not fit"));
  g.kh = 2;
  g.groups = 2;
  ck_assert_int_eq(cb_conv2d_check(&g), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "groups"));
}
END_TEST

START_TEST(test_pools_match_naive) {
  float x[6] = {-1.0f, 0.0f, 2.5f, -0.0f, NAN, 3.0f}, y[6];
  cb_relu_forward(x, 6, y);
  ck_assert_float_eq(y[0], 0.0f);
  ck_assert_float_eq(y[2], 2.5f);
  ck_assert(isnan(y[4]));
  cb_relu_forward(x, 6, x); /* in place */
  ck_assert_float_eq(x[0], 0.0f);

  cb_rng r;
  cb_rng_seed(&r, 5);
  const int ks[][2] = {{2, 2}, {3, 2}, {3, 3}, {1, 1}, {2, 1}, {3, 1}};
  const int hw[][2] = {{8, 8}, {7, 9}, {4, 5}, {2, 2051}}; /* the last wider than maxpool's column buffer */
  const int pads[][2] = {{0, 0}, {1, 1}, {0, 1}, {1, 0}};
  int cases = 0;
  for (int a = 0; a < 6; ++a)
    for (int s = 0; s < 4; ++s)
      for (int p = 0; p < 4; ++p)
        for (int cm = 0; cm < 2; ++cm)
          for (int inc = 0; inc < 2; ++inc)
            for (int dil = 1; dil <= 2; ++dil) {
              int k = ks[a][0], st = ks[a][1], c = 3, batch = 2;
              cb_conv2d_geom g = {.in_c = c, .out_c = c, .in_h = hw[s][0], .in_w = hw[s][1], .kh = k, .kw = k,
                                  .stride_h = st, .stride_w = st, .pad_t = pads[p][0], .pad_l = pads[p][0],
                                  .pad_b = pads[p][1], .pad_r = pads[p][1], .dil_h = dil, .dil_w = dil,
                                  .groups = 1, .ceil_mode = cm, .count_include_pad = inc};
              if (pads[p][0] >= k || pads[p][1] >= k) continue;
              int oh, ow;
              cb_conv2d_out(&g, &oh, &ow);
              if (oh <= 0 || ow <= 0) continue;
              size_t nx = (size_t)batch * c * g.in_h * g.in_w, ny = (size_t)batch * c * oh * ow;
              float *in = malloc(nx * sizeof *in), *mx = malloc(ny * sizeof *mx), *av = malloc(ny * sizeof *av);
              fill_normal(&r, in, nx);
              cb_maxpool2d_forward(&g, in, batch, mx);
              int avg_ok = dil == 1;
              if (avg_ok) cb_avgpool2d_forward(&g, in, batch, av);
              /* mismatches counted, asserted once per case: a Check assertion per element costs a pipe write
               * (its mark point), which made this test take minutes under valgrind */
              int bad_max = 0, bad_avg = 0;
              for (int q = 0; q < batch * c; ++q)
                for (int oy = 0; oy < oh; ++oy)
                  for (int ox = 0; ox < ow; ++ox) {
                    float m = -INFINITY;
                    double sum = 0;
                    int cnt = 0, padded = 0;
                    for (int i = 0; i < k; ++i)
                      for (int j = 0; j < k; ++j) {
                        int iy = oy * st - g.pad_t + i * dil, ix = ox * st - g.pad_l + j * dil;
                        if (iy < g.in_h + g.pad_b && ix < g.in_w + g.pad_r) ++padded;
                        if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                        float v = in[(q * g.in_h + iy) * g.in_w + ix];
                        m = fmaxf(m, v);
                        sum += v;
                        ++cnt;
                      }
                    bad_max += mx[(q * oh + oy) * ow + ox] != m;
                    if (avg_ok) {
                      double ref = sum / (inc ? padded : cnt);
                      bad_avg += !(fabs(av[(q * oh + oy) * ow + ox] - ref) <= 1e-5);
                    }
                  }
              ck_assert_msg(bad_max == 0 && bad_avg == 0,
                            "k %d s %d in %dx%d pads %d/%d ceil %d incl %d dil %d: %d max and %d avg outputs differ",
                            k, st, g.in_h, g.in_w, pads[p][0], pads[p][1], cm, inc, dil, bad_max, bad_avg);
              free(in), free(mx), free(av);
              ++cases;
            }
  ck_assert_int_gt(cases, 200);
  /* a NaN makes its windows' maxima NaN, and only theirs */
  {
    float xn[16], yn[4];
    for (int i = 0; i < 16; ++i) xn[i] = (float)i;
    xn[5] = NAN; /* row 1, column 1 */
    cb_conv2d_geom gn = {.in_c = 1, .out_c = 1, .in_h = 4, .in_w = 4, .kh = 2, .kw = 2, .stride_h = 2, .stride_w = 2,
                         .dil_h = 1, .dil_w = 1, .groups = 1};
    cb_maxpool2d_forward(&gn, xn, 1, yn);
    ck_assert(isnan(yn[0]));
    ck_assert_float_eq(yn[1], 7.0f);
    ck_assert_float_eq(yn[2], 13.0f);
    ck_assert_float_eq(yn[3], 15.0f);
  }
  /* ceil mode: 4 -> k3 s2 gives 2 (floor gives 1); a window starting in the padding is dropped */
  ck_assert_int_eq(cb_pool_out_dim(4, 3, 2, 0, 0, 1, 1), 2);
  ck_assert_int_eq(cb_pool_out_dim(4, 3, 2, 0, 0, 1, 0), 1);
  ck_assert_int_eq(cb_pool_out_dim(5, 2, 2, 1, 1, 1, 1), 3); /* 4th window would start at padded index 6 */
}
END_TEST

START_TEST(test_gemm_matches_naive) {
  cb_rng r;
  cb_rng_seed(&r, 3);
  const int dims[][3] = {{1, 1, 1}, {1, 10, 256}, {3, 5, 7}, {8, 10, 64}, {17, 33, 9}};
  for (int d = 0; d < 5; ++d)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        int m = dims[d][0], n = dims[d][1], k = dims[d][2];
        float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b), *y = malloc(m * n * sizeof *y),
              *ref = malloc(m * n * sizeof *ref);
        fill_normal(&r, a, m * k);
        fill_normal(&r, b, k * n);
        fill_normal(&r, y, m * n);
        for (int i = 0; i < m; ++i)
          for (int j = 0; j < n; ++j) {
            double s = 0;
            for (int q = 0; q < k; ++q)
              s += (double)(ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
            ref[i * n + j] = (float)(0.5 * s + 2.0 * y[i * n + j]);
          }
        cb_gemm_forward(ta, tb, m, n, k, 0.5f, a, b, 2.0f, y);
        ck_assert(nmse(ref, y, m * n) < 1e-10);
        free(a), free(b), free(y), free(ref);
      }
}
END_TEST

START_TEST(test_lrn_softmax_known) {
  /* LRN size 3 on 3 channels of one pixel: y_c = x_c / (1 + 1e-4/3 * sum)^0.75 */
  float x[3] = {1, 2, 3}, y[3];
  cb_lrn_forward(x, 1, 3, 1, 3, 1e-4f, 0.75f, 1.0f, y);
  ck_assert_double_eq_tol(y[0], 1.0 / pow(1 + 1e-4 / 3 * 5, 0.75), 1e-6);
  ck_assert_double_eq_tol(y[1], 2.0 / pow(1 + 1e-4 / 3 * 14, 0.75), 1e-6);
  ck_assert_double_eq_tol(y[2], 3.0 / pow(1 + 1e-4 / 3 * 13, 0.75), 1e-6);
  float s[4] = {1000, 1001, 1002, 1003}, p[4];
  cb_softmax_forward(s, 1, 4, 1, 0, p);
  double z = 1 + exp(1) + exp(2) + exp(3);
  ck_assert_double_eq_tol(p[3], exp(3) / z, 1e-6);
  cb_softmax_forward(s, 1, 4, 1, 1, p);
  ck_assert_double_eq_tol(p[0], -log(z), 1e-5);
}
END_TEST

/* Broadcasting binary ops through the graph, against index arithmetic. */
START_TEST(test_graph_broadcast_and_plan) {
  cb_graph *g = NULL;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  int a, b, c, y, z;
  ck_assert_int_eq(cb_graph_input(g, "a", 4, (const int64_t[]){2, 3, 4, 5}, &a), CB_OK);
  ck_assert_int_eq(cb_graph_input(g, "b", 3, (const int64_t[]){3, 1, 5}, &b), CB_OK);
  float cv[4] = {1, 2, 3, 4};
  ck_assert_int_eq(cb_graph_const(g, "c", CB_DT_FLOAT, 2, (const int64_t[]){4, 1}, cv, &c), CB_OK);
  ck_assert_int_eq(cb_graph_add_binary(g, "sub", "Sub", a, b, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_binary(g, "div", "Div", y, c, &z), CB_OK);
  /* errors name the node, op and problem */
  int d;
  ck_assert_int_eq(cb_graph_const(g, "d", CB_DT_FLOAT, 1, (const int64_t[]){4}, NULL, &d), CB_OK);
  ck_assert_int_eq(cb_graph_add_binary(g, "bad", "Add", a, d, NULL), CB_ERR_FORMAT);
  ck_assert_str_eq(cb_error_message(), "node 'bad' (op Add): shapes of 'a' [2, 3, 4, 5] and 'd' [4] do not broadcast");
  ck_assert_int_eq(cb_graph_add_unary(g, "foo", "Foo", a, NULL), CB_ERR_UNSUPPORTED);
  ck_assert_str_eq(cb_error_message(), "node 'foo' (op Foo): unsupported operator");
  cb_attr bad_attr = cb_attr_string("auto_pad", "WEIRD");
  int w;
  ck_assert_int_eq(cb_graph_const(g, "w", CB_DT_FLOAT, 4, (const int64_t[]){2, 3, 1, 1}, NULL, &w), CB_OK);
  const char *on[1] = {"conv"};
  ck_assert_int_eq(cb_graph_node(g, "conv", "Conv", 1, &bad_attr, 2, (const int[]){a, w}, 1, on, NULL), CB_ERR_UNSUPPORTED);
  ck_assert_str_eq(cb_error_message(), "node 'conv' (op Conv): attribute 'auto_pad' value 'WEIRD' unsupported");
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  float xa[120], xb[15], out[120];
  for (int i = 0; i < 120; ++i) xa[i] = (float)i * 0.5f;
  for (int i = 0; i < 15; ++i) xb[i] = (float)i - 3.0f;
  const float *ins[2] = {xa, xb};
  float *outs[1] = {out};
  ck_assert_int_eq(cb_graph_run(g, ins, 1, &z, outs), CB_OK);
  for (int n = 0; n < 2; ++n)
    for (int ch = 0; ch < 3; ++ch)
      for (int h = 0; h < 4; ++h)
        for (int q = 0; q < 5; ++q) {
          int i = ((n * 3 + ch) * 4 + h) * 5 + q;
          ck_assert_float_eq(out[i], (xa[i] - xb[ch * 5 + q]) / cv[h]);
        }
  cb_graph_destroy(&g);
  ck_assert_ptr_null(g);
  cb_graph_destroy(&g);
}
END_TEST

/* A chain of 20 ReLUs needs two live buffers, not 20. */
START_TEST(test_memory_plan_reuses) {
  cb_graph *g = NULL;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  int x;
  ck_assert_int_eq(cb_graph_input(g, "x", 4, (const int64_t[]){1, 4, 16, 16}, &x), CB_OK);
  int first = -1;
  for (int i = 0; i < 20; ++i) {
    char name[16];
    snprintf(name, sizeof name, "r%d", i);
    ck_assert_int_eq(cb_graph_add_unary(g, name, i % 2 ? "Relu" : (i % 4 ? "Neg" : "Sigmoid"), x, &x), CB_OK);
    if (i == 0) first = x;
  }
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  ck_assert_uint_eq(cb_graph_arena_bytes(g), 2 * 4 * 16 * 16 * sizeof(float));
  float in[1024], a[1024], b[1024];
  for (int i = 0; i < 1024; ++i) in[i] = (float)(i % 7) - 3.0f;
  const float *ins[1] = {in};
  int req[2] = {first, x};
  float *outs[2] = {a, b};
  ck_assert_int_eq(cb_graph_run(g, ins, 2, req, outs), CB_OK);
  for (int i = 0; i < 1024; ++i) {
    float v = in[i];
    for (int k = 0; k < 20; ++k) v = k % 2 ? fmaxf(v, 0.0f) : (k % 4 ? -v : 1.0f / (1.0f + expf(-v)));
    ck_assert_double_eq_tol(a[i], 1.0 / (1.0 + exp(-in[i])), 1e-6);
    ck_assert_double_eq_tol(b[i], v, 1e-6);
  }
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(test_zoo_shapes) {
  const char *const *names = cb_zoo_names();
  ck_assert_str_eq(names[0], "pixels");
  ck_assert_str_eq(names[1], "tinycnn");
  ck_assert_ptr_nonnull(names[2]); /* the ImageNet architectures follow: tests/unit/nn/test_zoo.c */

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
  ck_assert(strncmp(cb_error_message(), "unknown model 'resnet9000' (known: pixels, tinycnn, ", 52) == 0);
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
  tcase_add_test(tc, test_pools_match_naive);
  tcase_add_test(tc, test_gemm_matches_naive);
  tcase_add_test(tc, test_lrn_softmax_known);
  tcase_add_test(tc, test_graph_broadcast_and_plan);
  tcase_add_test(tc, test_memory_plan_reuses);
  tcase_add_test(tc, test_zoo_shapes);
  tcase_add_test(tc, test_tinycnn_determinism_and_batch_independence);
  tcase_add_test(tc, test_he_init_statistics);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
