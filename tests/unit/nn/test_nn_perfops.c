/* Unit tests for the engine's fast paths: cb_sgemm against the fixed FMA
 * chain it promises (bitwise, any shape, layout, thread count), the batched
 * convolution against the per-image kernel (bitwise) and a naive loop
 * (normalised error), and batched graph/model runs against one image at a
 * time (bitwise). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_nn_batch.h"
#include "cb_nn_ops.h"
#include "cb_rng.h"
#include "cb_sgemm.h"
#include "cb_test_main.h"

static void fill(cb_rng *r, float *x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = (float)cb_rng_normal(r);
}

static double nmse(const float *ref, const float *b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    double d = (double)ref[i] - (double)b[i];
    num += d * d;
    den += (double)ref[i] * ref[i];
  }
  return den > 0 ? num / den : num;
}

START_TEST(test_sgemm_fixed_chain) {
  static const int shapes[][3] = {{1, 1, 1}, {5, 7, 3}, {12, 32, 192}, {13, 33, 193}, {8, 48, 192}, {9, 49, 193},
                                  {17, 145, 385}, {50, 3, 500},
                                  {3, 70, 401}, {400, 40, 17}, {37, 530, 9}, {25, 19, 0}, {540, 150, 390}};
  cb_rng r;
  cb_rng_seed_stream(&r, 11, 0);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s) {
    const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
    float *a = malloc(sizeof *a * (size_t)(m * k + 1)), *b = malloc(sizeof *b * (size_t)(k * n + 1));
    float *c0 = malloc(sizeof *c0 * (size_t)m * n), *ref = malloc(sizeof *ref * (size_t)m * n);
    float *c = malloc(sizeof *c * (size_t)m * n), *bias = malloc(sizeof *bias * (size_t)m);
    fill(&r, a, (size_t)m * k);
    fill(&r, b, (size_t)k * n);
    fill(&r, c0, (size_t)m * n);
    fill(&r, bias, (size_t)m);
    for (int variant = 0; variant < 4; ++variant) {
      const float alpha = variant == 1 ? 0.5f : 1.0f, beta = variant == 1 ? 2.0f : variant == 2 ? 1.0f : 0.0f;
      const int relu = variant == 3, trans = variant & 1;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          float acc = 0.0f;
          for (int p = 0; p < k; ++p) acc = fmaf(trans ? a[p * m + i] : a[i * k + p], b[p * n + j], acc);
          float v = acc;
          if (alpha != 1.0f) v = alpha * v;
          if (beta == 1.0f) v = v + c0[i * n + j];
          else if (beta != 0.0f) v = v + beta * c0[i * n + j];
          if (variant >= 2) v = v + bias[i];
          if (relu && v < 0.0f) v = 0.0f;
          ref[i * n + j] = v;
        }
      for (int t = 1; t <= 3; ++t) {
        memcpy(c, c0, sizeof *c * (size_t)m * n);
        cb_sgemm_args x = {.m = m, .n = n, .k = k, .a = a, .a_rs = trans ? 1 : k, .a_cs = trans ? m : 1, .b = b,
                           .b_rs = n, .b_cs = 1, .c = c, .c_rs = n, .c_cs = 1, .alpha = alpha, .beta = beta,
                           .bias = variant >= 2 ? bias : NULL, .relu = relu, .threads = t};
        cb_sgemm(&x);
        ck_assert_msg(memcmp(c, ref, sizeof *c * (size_t)m * n) == 0, "shape %d,%d,%d variant %d threads %d", m, n,
                      k, variant, t);
      }
    }
    free(a), free(b), free(c0), free(ref), free(c), free(bias);
  }
}
END_TEST

/* An implicit B packed by a callback (the conv path) into CB_SGEMM_NR-column panels; it pads past column j1
 * with NaN-free zeros as promised and checks its arguments. */
typedef struct pack_ctx {
  const float *b; /* (k, n) */
  int n, k;
} pack_ctx;
static void pack_plain(const void *vctx, int p0, int kc, int j0, int j1, float *bp) {
  enum { NR = CB_SGEMM_NR };
  const pack_ctx *c = vctx;
  ck_assert(j0 % NR == 0 && 0 <= j0 && j0 < j1 && j1 <= c->n && 0 <= p0 && kc > 0 && p0 + kc <= c->k);
  for (int jb = j0; jb < j1; jb += NR, bp += (size_t)kc * NR)
    for (int p = 0; p < kc; ++p)
      for (int t = 0; t < NR; ++t) bp[p * NR + t] = jb + t < j1 ? c->b[(size_t)(p0 + p) * c->n + jb + t] : 0.0f;
}

/* The same bits as the reference chain across the row (MC), column (NC) and k (KC) blocks and thread counts. */
START_TEST(test_sgemm_b_pack) {
  static const int shapes[][3] = {{1, 1, 1}, {13, 33, 193}, {530, 300, 400}, {37, 530, 9}, {64, 96, 20}, {5, 7, 0}};
  cb_rng r;
  cb_rng_seed_stream(&r, 12, 0);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s) {
    const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
    float *a = malloc(sizeof *a * (size_t)(m * k + 1)), *b = malloc(sizeof *b * (size_t)(k * n + 1));
    float *ref = malloc(sizeof *ref * (size_t)m * n), *c = malloc(sizeof *c * (size_t)m * n);
    float *bias = malloc(sizeof *bias * (size_t)m);
    fill(&r, a, (size_t)m * k);
    fill(&r, b, (size_t)k * n);
    fill(&r, bias, (size_t)m);
    const pack_ctx ctx = {b, n, k};
    for (int relu = 0; relu <= 1; ++relu) {
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          float acc = 0.0f;
          for (int p = 0; p < k; ++p) acc = fmaf(a[i * k + p], b[p * n + j], acc);
          float v = acc + bias[i];
          if (relu && v < 0.0f) v = 0.0f;
          ref[i * n + j] = v;
        }
      for (int t = 1; t <= 3; ++t) {
        memset(c, 0xff, sizeof *c * (size_t)m * n);
        cb_sgemm_args x = {.m = m, .n = n, .k = k, .a = a, .a_rs = k, .a_cs = 1, .b_pack = pack_plain, .b_ctx = &ctx, .c = c, .c_rs = n,
                           .c_cs = 1, .alpha = 1.0f, .bias = bias, .relu = relu, .threads = t};
        cb_sgemm(&x);
        ck_assert_msg(memcmp(c, ref, sizeof *c * (size_t)m * n) == 0, "shape %d,%d,%d relu %d threads %d", m, n, k,
                      relu, t);
      }
    }
    free(a), free(b), free(ref), free(c), free(bias);
  }
}
END_TEST

/* The AVX2 and portable micro-kernels (forced through CB_SGEMM_KERNEL) give the reference bits too. */
START_TEST(test_sgemm_kernels) {
  static const char *const names[] = {"avx2", "portable"};
  setenv("CB_SGEMM_KERNEL", names[_i], 1);
  ck_assert_msg(strcmp(cb_sgemm_kernel(), names[_i]) == 0 || strcmp(names[_i], "avx2") == 0, "kernel %s not used",
                names[_i]);
  test_sgemm_fixed_chain_fn(_i);
  test_sgemm_b_pack_fn(_i);
  unsetenv("CB_SGEMM_KERNEL");
}
END_TEST

/* Direct convolution in double. */
static void conv_naive(const cb_conv2d_geom *g, const float *w, const float *b, const float *x, float *y) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int cg = g->in_c / g->groups, og = g->out_c / g->groups;
  for (int o = 0; o < g->out_c; ++o)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        double s = b ? b[o] : 0.0;
        for (int c = 0; c < cg; ++c)
          for (int i = 0; i < g->kh; ++i)
            for (int j = 0; j < g->kw; ++j) {
              int iy = oy * g->stride_h - g->pad_t + i * g->dil_h, ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
              if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w) continue;
              s += (double)w[((o * cg + c) * g->kh + i) * g->kw + j] *
                   x[((size_t)(o / og * cg + c) * g->in_h + iy) * g->in_w + ix];
            }
        y[((size_t)o * oh + oy) * ow + ox] = (float)s;
      }
}

START_TEST(test_conv_images_bitwise) {
  /* in_c, h, w, out_c, kh, kw, stride, pad_t, pad_l, pad_b, pad_r, dil, groups */
  static const int cases[][13] = {
      {3, 17, 19, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {4, 12, 9, 6, 5, 3, 2, 2, 1, 0, 2, 1, 2},
      {6, 8, 8, 6, 3, 3, 1, 1, 1, 1, 1, 2, 6},  {16, 7, 7, 40, 1, 1, 1, 0, 0, 0, 0, 1, 1},
      {8, 9, 11, 16, 1, 1, 2, 0, 0, 0, 0, 1, 4}, {3, 31, 29, 13, 11, 11, 4, 2, 2, 2, 2, 1, 1},
      {32, 5, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {2, 1, 40, 3, 1, 5, 3, 0, 2, 0, 1, 1, 1},
      /* k > KC, > NC columns per group; output rows longer than a packed-B panel, with padding pieces */
      {24, 15, 17, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {9, 19, 23, 33, 3, 5, 2, 1, 2, 0, 1, 1, 1},
      {2, 6, 70, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},  {3, 4, 75, 7, 1, 7, 2, 0, 3, 0, 3, 1, 1},
      /* kernels wider or taller than the packer's per-segment tables (16) */
      {2, 3, 40, 3, 1, 17, 1, 0, 8, 0, 8, 1, 1}, {1, 21, 9, 2, 17, 3, 2, 8, 1, 8, 1, 1, 1}};
  cb_rng r;
  cb_rng_seed_stream(&r, 5, 0);
  for (size_t s = 0; s < sizeof cases / sizeof cases[0]; ++s) {
    const int *c = cases[s];
    cb_conv2d_geom g = {.in_c = c[0], .in_h = c[1], .in_w = c[2], .out_c = c[3], .kh = c[4], .kw = c[5],
                        .stride_h = c[6], .stride_w = c[6], .pad_t = c[7], .pad_l = c[8], .pad_b = c[9],
                        .pad_r = c[10], .dil_h = c[11], .dil_w = c[11], .groups = c[12]};
    ck_assert_int_eq(cb_conv2d_check(&g), CB_OK);
    int oh, ow;
    cb_conv2d_out(&g, &oh, &ow);
    const size_t in_size = (size_t)g.in_c * g.in_h * g.in_w, out_size = (size_t)g.out_c * oh * ow;
    const size_t nw = (size_t)g.out_c * (g.in_c / g.groups) * g.kh * g.kw;
    enum { NI = 5 };
    float *w = malloc(sizeof *w * nw), *b = malloc(sizeof *b * (size_t)g.out_c);
    float *x = malloc(sizeof *x * in_size * NI), *y1 = malloc(sizeof *y1 * out_size * NI);
    float *yb = malloc(sizeof *yb * out_size * NI), *yn = malloc(sizeof *yn * out_size);
    float *work = malloc(sizeof *work * (cb_conv2d_workspace(&g) + 1));
    fill(&r, w, nw);
    fill(&r, b, (size_t)g.out_c);
    fill(&r, x, in_size * NI);
    cb_conv2d_forward(&g, w, b, x, NI, work, y1);
    for (int i = 0; i < NI; ++i) {
      conv_naive(&g, w, b, x + i * in_size, yn);
      ck_assert_msg(nmse(yn, y1 + i * out_size, out_size) < 1e-10, "case %zu image %d nmse", s, i);
    }
    for (int relu = 0; relu <= 1; ++relu)
      for (int n_img = 1; n_img <= NI; ++n_img)
        for (int t = 1; t <= 2; ++t) {
          const float *xs[NI];
          float *ys[NI];
          for (int i = 0; i < n_img; ++i) {
            xs[i] = x + (size_t)(NI - n_img + i) * in_size; /* the last n_img images */
            ys[i] = yb + (size_t)i * out_size;
          }
          cb__conv2d_images(&g, w, b, relu, n_img, xs, ys, t);
          for (int i = 0; i < n_img; ++i) {
            const float *ref = y1 + (size_t)(NI - n_img + i) * out_size;
            for (size_t e = 0; e < out_size; ++e) {
              float v = relu && ref[e] < 0.0f ? 0.0f : ref[e];
              ck_assert_msg(memcmp(&v, &ys[i][e], sizeof v) == 0, "case %zu relu %d n_img %d threads %d", s, relu,
                            n_img, t);
            }
          }
        }
    free(w), free(b), free(x), free(y1), free(yb), free(yn), free(work);
  }
}
END_TEST

/* conv -> relu -> maxpool -> conv -> relu -> flatten -> linear -> relu -> linear */
static cb_graph *small_net(void) {
  cb_graph *g = NULL;
  int x, y;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  ck_assert_int_eq(cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, 21, 21}, &x), CB_OK);
  ck_assert_int_eq(cb_graph_add_conv(g, "c1", x, 8, 5, 2, 2, 1, NULL, NULL, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_relu(g, "r1", y, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_maxpool(g, "p1", y, 3, 2, 1, 1, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_conv(g, "c2", y, 12, 3, 1, 1, 2, NULL, NULL, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_relu(g, "r2", y, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_flatten(g, "flat", y, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_linear(g, "fc1", y, 30, NULL, NULL, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_relu(g, "r3", y, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_linear(g, "fc2", y, 7, NULL, NULL, &y), CB_OK);
  ck_assert_int_eq(cb_graph_mark_output(g, y), CB_OK);
  cb_rng r;
  cb_rng_seed_stream(&r, 3, 0);
  static const char *const params[] = {"c1.weight", "c1.bias", "c2.weight", "c2.bias",
                                       "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
  for (size_t i = 0; i < sizeof params / sizeof params[0]; ++i) {
    float *d;
    int64_t n;
    ck_assert_int_eq(cb_graph_param(g, params[i], &d, &n), CB_OK);
    fill(&r, d, (size_t)n);
    if (params[i][0] == 'c') /* scale down so layers stay O(1) */
      for (int64_t j = 0; j < n; ++j) d[j] *= 0.3f;
  }
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  return g;
}

START_TEST(test_graph_batch_bitwise) {
  cb_graph *g = small_net();
  static const char *const names[][3] = {{"fc2", NULL, NULL}, {"c1", "r1", "fc2"}, {"r2", "fc1", "p1"}};
  const size_t in_size = 3 * 21 * 21;
  enum { NI = 7 };
  cb_rng r;
  cb_rng_seed_stream(&r, 4, 0);
  float *x = malloc(sizeof *x * in_size * NI);
  fill(&r, x, in_size * NI);
  for (size_t s = 0; s < sizeof names / sizeof names[0]; ++s) {
    int req[3], n_req = 0;
    size_t stride[3];
    float *one[3], *bat[3];
    for (int k = 0; k < 3 && names[s][k]; ++k, ++n_req) {
      req[k] = cb_graph_find(g, names[s][k]);
      int64_t sh[CB_GRAPH_MAX_DIMS];
      int nd = cb_graph_value_shape(g, req[k], sh);
      stride[k] = 1;
      for (int d = 0; d < nd; ++d) stride[k] *= (size_t)sh[d];
      one[k] = malloc(sizeof(float) * stride[k] * NI);
      bat[k] = malloc(sizeof(float) * stride[k] * NI);
    }
    for (int i = 0; i < NI; ++i) {
      const float *xi = x + (size_t)i * in_size;
      float *o[3];
      for (int k = 0; k < n_req; ++k) o[k] = one[k] + (size_t)i * stride[k];
      ck_assert_int_eq(cb_graph_run(g, &xi, n_req, req, o), CB_OK);
    }
    for (int n_img = 1; n_img <= NI; n_img += 2) {
      const int first = NI - n_img;
      ck_assert_int_eq(cb_graph_run_batch(g, x + (size_t)first * in_size, n_img, in_size, n_req, req, bat, stride),
                       CB_OK);
      for (int k = 0; k < n_req; ++k)
        ck_assert_msg(memcmp(bat[k], one[k] + (size_t)first * stride[k], sizeof(float) * stride[k] * n_img) == 0,
                      "set %zu layer %s images %d", s, names[s][k], n_img);
    }
    for (int k = 0; k < n_req; ++k) free(one[k]), free(bat[k]);
  }
  free(x);
  cb_graph_destroy(&g);
}
END_TEST

/* A chain of same-sized conv -> relu pairs: the memory planner reuses freed bytes first fit, so without the
 * fused Conv+Relu keeping its input alive the third relu's output would land on the second's (the conv's
 * input, still being read by the batched GEMM). Batched runs must give the single-image bits. */
START_TEST(test_graph_batch_fused_chain) {
  cb_graph *g = NULL;
  int x, y;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  ck_assert_int_eq(cb_graph_input(g, "input", 4, (const int64_t[]){1, 6, 9, 11}, &x), CB_OK);
  y = x;
  static const char *const names[][2] = {{"c1", "r1"}, {"c2", "r2"}, {"c3", "r3"}, {"c4", "r4"}};
  for (int i = 0; i < 4; ++i) {
    ck_assert_int_eq(cb_graph_add_conv(g, names[i][0], y, 6, 3, 1, 1, 1, NULL, NULL, &y), CB_OK);
    ck_assert_int_eq(cb_graph_add_relu(g, names[i][1], y, &y), CB_OK);
  }
  ck_assert_int_eq(cb_graph_mark_output(g, y), CB_OK);
  cb_rng r;
  cb_rng_seed_stream(&r, 21, 0);
  for (int i = 0; i < 4; ++i) {
    char pname[32];
    float *d;
    int64_t n;
    for (int wb = 0; wb < 2; ++wb) {
      snprintf(pname, sizeof pname, "%s.%s", names[i][0], wb ? "bias" : "weight");
      ck_assert_int_eq(cb_graph_param(g, pname, &d, &n), CB_OK);
      fill(&r, d, (size_t)n);
      for (int64_t j = 0; j < n; ++j) d[j] *= 0.3f;
    }
  }
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  enum { NI = 4 };
  const size_t in_size = 6 * 9 * 11, out_size = in_size;
  float *xin = malloc(sizeof *xin * in_size * NI), *one = malloc(sizeof *one * out_size * NI);
  float *bat = malloc(sizeof *bat * out_size * NI);
  fill(&r, xin, in_size * NI);
  const int req = cb_graph_find(g, "r4");
  for (int i = 0; i < NI; ++i) {
    const float *xi = xin + (size_t)i * in_size;
    float *o = one + (size_t)i * out_size;
    ck_assert_int_eq(cb_graph_run(g, &xi, 1, &req, &o), CB_OK);
  }
  const size_t stride = out_size;
  ck_assert_int_eq(cb_graph_run_batch(g, xin, NI, in_size, 1, &req, &bat, &stride), CB_OK);
  ck_assert(memcmp(one, bat, sizeof *one * out_size * NI) == 0);
  free(xin), free(one), free(bat);
  cb_graph_destroy(&g);
}
END_TEST

START_TEST(test_model_batch_bitwise) {
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 2, &m), CB_OK);
  const cb_model_info *info = cb_model_get_info(m);
  const size_t in_size = (size_t)info->in_c * info->in_h * info->in_w;
  enum { NI = 5 };
  int req[2] = {cb_model_find_layer(m, "features.0"), cb_model_find_layer(m, "features.5")};
  size_t sz[2];
  float *one[2], *bat[2];
  for (int k = 0; k < 2; ++k) {
    int c, h, w;
    cb_model_layer_shape(m, req[k], &c, &h, &w);
    sz[k] = (size_t)c * h * w;
    one[k] = malloc(sizeof(float) * sz[k] * NI);
    bat[k] = malloc(sizeof(float) * sz[k] * NI);
  }
  float *x = malloc(sizeof *x * in_size * NI);
  cb_rng r;
  cb_rng_seed_stream(&r, 9, 0);
  fill(&r, x, in_size * NI);
  for (int i = 0; i < NI; ++i) {
    float *o[2] = {one[0] + i * sz[0], one[1] + i * sz[1]};
    ck_assert_int_eq(cb_model_forward(m, x + i * in_size, 1, req, 2, o), CB_OK);
  }
  ck_assert_int_eq(cb_model_forward(m, x, NI, req, 2, bat), CB_OK);
  for (int k = 0; k < 2; ++k) ck_assert(memcmp(one[k], bat[k], sizeof(float) * sz[k] * NI) == 0);
  for (int k = 0; k < 2; ++k) free(one[k]), free(bat[k]);
  free(x);
  cb_model_destroy(&m);
}
END_TEST

int main(void) {
  Suite *s = suite_create("nn_perfops");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_sgemm_fixed_chain);
  tcase_add_test(tc, test_sgemm_b_pack);
  tcase_add_loop_test(tc, test_sgemm_kernels, 0, 2);
  tcase_add_test(tc, test_conv_images_bitwise);
  tcase_add_test(tc, test_graph_batch_bitwise);
  tcase_add_test(tc, test_graph_batch_fused_chain);
  tcase_add_test(tc, test_model_batch_bitwise);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
