/* Unit tests of cb_model_reinit (untrained twins):
 *  - the statistics of every re-drawn parameter of
 *    tests/reference/fixtures/reinit_net.onnx against PyTorch's own modules
 *    (tests/reference/fixtures/reinit_goldens.txt, made by
 *    tests/reference/make_reinit_goldens.py), for both schemes: mean and std
 *    within 5 standard errors, |w| <= bound, constants exact;
 *  - determinism: same seed -> the same bits (weights, activations, hash),
 *    another seed -> other weights; only parameters change; layer names and
 *    shapes stay; the result does not depend on graph order;
 *  - errors (unknown scheme, NULL model) leave the model as it was;
 *  - zoo models: tinycnn re-drawn; models without learned weights (v1like,
 *    pixels) refused; the adaptive pooling matrix (declared fixed) kept.
 * SqueezeNet 1.1 (a real trained model) is in test_reinit_models.c. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph_impl.h"
#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_test_main.h"
#include "reinit_test_util.h"
#include "cb_zoo_impl.h" /* cb__zoo_adaptive_avgpool */

#define FIX "tests/reference/fixtures/"
#define NET FIX "reinit_net.onnx"
#define GOLDENS FIX "reinit_goldens.txt"
#define GOLDEN_SEEDS 16 /* torch's statistics pool 16 seeds (make_reinit_goldens.py) */
#define NSE 5.0         /* tolerance in standard errors */

/* Non-parameter constants of reinit_net.onnx that must survive (folded or not). */
static const char *const keep[] = {"input.mean", "input.std", "pad.pads", "pad.value", "flatten.shape",
                                   "classifier.5.weight_v", "classifier.5.weight_g", NULL};

static size_t value_bytes(const cb__value *v) { return (size_t)cb__numel(v) * cb__dtype_size(v->dtype); }

/* A fixed input (3, h, w). */
static float *the_input(int h, int w) {
  float *x = malloc(sizeof *x * 3 * (size_t)h * (size_t)w);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) x[((size_t)c * h + i) * w + j] = (float)(0.5 + 0.4 * sin(0.3 * (c + 1) * i + 0.2 * j));
  return x;
}

/* Every layer of m for one fixed input, concatenated; *n receives the float count. */
static float *all_layers(cb_model *m, size_t *n) {
  const cb_model_info *info = cb_model_get_info(m);
  float *x = the_input(info->in_h, info->in_w);
  const int nl = cb_model_n_layers(m);
  int *req = malloc(sizeof *req * (size_t)nl);
  float **outs = malloc(sizeof *outs * (size_t)nl);
  size_t total = 0;
  for (int l = 0; l < nl; ++l) {
    int c, h, w;
    cb_model_layer_shape(m, l, &c, &h, &w);
    total += (size_t)c * h * w;
  }
  float *y = malloc(sizeof *y * (total > 0 ? total : 1));
  size_t off = 0;
  for (int l = 0; l < nl; ++l) {
    int c, h, w;
    cb_model_layer_shape(m, l, &c, &h, &w);
    req[l] = l;
    outs[l] = y + off;
    off += (size_t)c * h * w;
  }
  ck_assert_msg(cb_model_forward(m, x, 1, req, nl, outs) == CB_OK, "%s", cb_error_message());
  size_t bad = 0; /* counted, asserted once: every ck_assert costs a write (slow under valgrind) */
  for (size_t i = 0; i < total; ++i) bad += !isfinite(y[i]);
  ck_assert_msg(bad == 0, "%s: %zu non-finite activations", m->name, bad);
  free(x);
  free(req);
  free(outs);
  *n = total;
  return y;
}

/* Compares the parameters of m (re-drawn with `scheme`) with the goldens of that scheme; returns the lines checked. */
static int check_goldens(cb_model *m, const char *scheme, int verbose) {
  FILE *f = fopen(GOLDENS, "r");
  ck_assert_msg(f != NULL, GOLDENS " missing");
  char line[1024];
  int checked = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    char sch[64], name[128], kind[16];
    long long numel, fan_in;
    double a, tmean, tstd, tmin, tmax;
    ck_assert_int_eq(sscanf(line, "%63s %127s %lld %lld %15s %lf %lf %lf %lf %lf", sch, name, &numel, &fan_in, kind, &a,
                            &tmean, &tstd, &tmin, &tmax),
                     10);
    if (strcmp(sch, scheme) != 0) continue;
    const cb__value *v = value(m, name);
    ck_assert_msg(v->dtype == CB_DT_FLOAT && cb__numel(v) == numel, "%s: %lld values, torch %lld", name,
                  (long long)cb__numel(v), numel);
    const float *d = v->cdata;
    stats s = stats_of(d, numel);
    if (strcmp(kind, "const") == 0) {
      long long bad = 0;
      for (long long i = 0; i < numel; ++i) bad += d[i] != (float)a;
      ck_assert_msg(bad == 0, "%s %s: %lld values are not %g", scheme, name, bad, a);
    } else {
      /* sigma: the analytic std; var(sample std) ~ c4 sigma^2 / n (uniform: (kurtosis - 1) / 4 = 0.2; normal 0.5) */
      const int uni = strcmp(kind, "uniform") == 0;
      const double sigma = uni ? a / sqrt(3.0) : a, c4 = uni ? 0.2 : 0.5, n = (double)numel;
      const double both = sqrt(1.0 + 1.0 / GOLDEN_SEEDS); /* ours and torch's estimates are both noisy */
      const double tol_mean = NSE * sigma / sqrt(n) * both, tol_std = NSE * sigma * sqrt(c4 / n) * both;
      ck_assert_msg(fabs(s.mean - tmean) <= tol_mean, "%s %s: mean %.6g vs torch %.6g (tolerance %.3g)", scheme, name,
                    s.mean, tmean, tol_mean);
      ck_assert_msg(fabs(s.std - tstd) <= tol_std, "%s %s: std %.6g vs torch %.6g (tolerance %.3g)", scheme, name, s.std,
                    tstd, tol_std);
      ck_assert_msg(fabs(s.std - sigma) <= NSE * sigma * sqrt(c4 / n), "%s %s: std %.6g vs analytic %.6g", scheme,
                    name, s.std, sigma);
      if (uni)
        ck_assert_msg(-s.min <= a && s.max <= a, "%s %s: [%g, %g] outside +-%g", scheme, name, s.min, s.max, a);
      if (verbose)
        printf("%-24s %-22s n %5lld  mean %+.5f (torch %+.5f)  std %.5f (torch %.5f, analytic %.5f)  min %+.4f max %+.4f "
               "(torch %+.4f %+.4f)\n",
               scheme, name, numel, s.mean, tmean, s.std, tstd, sigma, s.min, s.max, tmin, tmax);
    }
    ++checked;
  }
  fclose(f);
  return checked;
}

START_TEST(test_statistics_match_pytorch) {
  static const char *const schemes[] = {"pytorch", "kaiming-normal-fan-out"};
  for (int s = 0; s < 2; ++s) {
    cb_model *m = load(NET);
    ck_assert_msg(cb_model_reinit(m, schemes[s], 20240601) == CB_OK, "%s", cb_error_message());
    const int n = check_goldens(m, schemes[s], 1);
    ck_assert_int_eq(n, 28); /* every parameter of the fixture (make_reinit_goldens.py MODULES) */
    /* the MatMul weight stored (out, in) behind a Transpose: the folded copy the executor reads follows */
    const cb__value *w = value(m, "classifier.4.weight"), *wt = value(m, "classifier.4.weight_t");
    ck_assert_int_eq(wt->shape[0], 32);
    ck_assert_int_eq(wt->shape[1], 10);
    int bad = 0;
    for (int i = 0; i < 10; ++i)
      for (int j = 0; j < 32; ++j) bad += ((const float *)wt->cdata)[j * 10 + i] != ((const float *)w->cdata)[i * 32 + j];
    ck_assert_int_eq(bad, 0);
    cb_model_destroy(&m);
  }
}
END_TEST

/* 1 when the constant `name` of reinit_net is a parameter (or follows one). */
static int is_param(const char *name) {
  FILE *f = fopen(GOLDENS, "r");
  ck_assert(f != NULL);
  char line[1024], sch[64], nm[128];
  int found = strcmp(name, "classifier.4.weight_t") == 0;
  while (!found && fgets(line, sizeof line, f))
    if (line[0] != '#' && sscanf(line, "%63s %127s", sch, nm) == 2) found = strcmp(nm, name) == 0;
  fclose(f);
  return found;
}

START_TEST(test_determinism) {
  cb_model *t = load(NET), *a = load(NET), *b = load(NET), *c = load(NET), *d = load(NET);
  const uint64_t h_trained = cb_model_weights_hash(t);
  ck_assert_int_eq(cb_model_reinit(a, "pytorch", 11), CB_OK);
  ck_assert_int_eq(cb_model_reinit(b, "pytorch", 11), CB_OK);
  ck_assert_int_eq(cb_model_reinit(c, "pytorch", 12), CB_OK);
  cb_reinit_report rep;
  ck_assert_int_eq(cb_graph_reinit(d->g, NULL, 11, &rep), CB_OK); /* NULL = "pytorch" */
  ck_assert_int_eq(rep.n_params, 28); /* classifier.4.weight_t is re-folded, not drawn */
  ck_assert_int_eq(rep.n_untouched, 0);
  ck_assert(cb_model_weights_hash(a) == cb_model_weights_hash(b));
  ck_assert(cb_model_weights_hash(a) == cb_model_weights_hash(d));
  ck_assert(cb_model_weights_hash(a) != h_trained);
  ck_assert(cb_model_weights_hash(a) != cb_model_weights_hash(c));
  /* constants: same seed -> same bits; parameters differ from the trained ones and across seeds; the rest is kept */
  int n_params = 0, n_kept = 0;
  for (int id = 0; id < cb_graph_n_values(t->g); ++id) {
    const cb__value *vt = &t->g->values[id];
    if (vt->kind != CB__V_CONST) continue;
    const cb__value *va = value(a, vt->name), *vb = value(b, vt->name), *vc = value(c, vt->name), *vd = value(d, vt->name);
    ck_assert_int_eq(va->kind, CB__V_CONST);
    ck_assert_int_eq(memcmp(va->cdata, vb->cdata, value_bytes(vt)), 0);
    ck_assert_int_eq(memcmp(va->cdata, vd->cdata, value_bytes(vt)), 0);
    const int changed = memcmp(vt->cdata, va->cdata, value_bytes(vt)) != 0;
    if (is_param(vt->name)) {
      ck_assert_msg(changed, "parameter %s not re-drawn", vt->name);
      stats s = stats_of(va->cdata, cb__numel(va));
      if (s.min != s.max) /* random, not constant: another seed draws other values */
        ck_assert_msg(memcmp(va->cdata, vc->cdata, value_bytes(vt)) != 0, "%s: same values for seeds 11 and 12", vt->name);
      ++n_params;
    } else {
      ck_assert_msg(!changed, "%s is not a parameter but changed", vt->name);
      ++n_kept;
    }
  }
  ck_assert_int_eq(n_params, 29); /* the 28 of the goldens and the folded classifier.4.weight_t */
  ck_assert_int_ge(n_kept, 7);
  for (const char *const *k = keep; *k; ++k) ck_assert(!is_param(*k) && cb_graph_find(a->g, *k) >= 0);
  /* same layers, names and shapes as the trained model */
  ck_assert_int_eq(cb_model_n_layers(a), cb_model_n_layers(t));
  for (int l = 0; l < cb_model_n_layers(t); ++l) {
    ck_assert_str_eq(cb_model_layer_name(a, l), cb_model_layer_name(t, l));
    int c1, h1, w1, c2, h2, w2;
    cb_model_layer_shape(a, l, &c1, &h1, &w1);
    cb_model_layer_shape(t, l, &c2, &h2, &w2);
    ck_assert(c1 == c2 && h1 == h2 && w1 == w2);
  }
  ck_assert_int_ge(cb_model_find_layer(a, "features.3"), 0);
  /* activations: the same bits for the same seed, different otherwise */
  size_t na, nb, nc, nt;
  float *ya = all_layers(a, &na), *yb = all_layers(b, &nb), *yc = all_layers(c, &nc), *yt = all_layers(t, &nt);
  ck_assert(na == nb && na == nc && na == nt);
  ck_assert_int_eq(memcmp(ya, yb, na * sizeof *ya), 0);
  ck_assert_int_ne(memcmp(ya, yc, na * sizeof *ya), 0);
  ck_assert_int_ne(memcmp(ya, yt, na * sizeof *ya), 0);
  /* re-drawing twice with one seed is idempotent; a forward pass in between changes nothing */
  ck_assert_int_eq(cb_model_reinit(b, "pytorch", 11), CB_OK);
  float *yb2 = all_layers(b, &nb);
  ck_assert_int_eq(memcmp(ya, yb2, na * sizeof *ya), 0);
  free(ya);
  free(yb);
  free(yb2);
  free(yc);
  free(yt);
  cb_model_destroy(&t);
  cb_model_destroy(&a);
  cb_model_destroy(&b);
  cb_model_destroy(&c);
  cb_model_destroy(&d);
}
END_TEST

/* x (1, 3, 6, 6) -> Conv "a" 3->8 k3 p1 -> GlobalAveragePool -> Flatten -> Gemm "b" 8->4 (transB),
 * constants declared in the given order (an unrelated one first when `extra`). */
static cb_graph *small_graph(int reverse, int extra) {
  cb_graph *g = NULL;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  int x, ids[4], y;
  if (extra) ck_assert_int_eq(cb_graph_const(g, "unrelated", CB_DT_FLOAT, 1, (int64_t[]){5}, NULL, NULL), CB_OK);
  ck_assert_int_eq(cb_graph_input(g, "x", 4, (int64_t[]){1, 3, 6, 6}, &x), CB_OK);
  static const char *const names[4] = {"a.weight", "a.bias", "b.weight", "b.bias"};
  static const int64_t shapes[4][4] = {{8, 3, 3, 3}, {8}, {4, 8}, {4}};
  static const int nd[4] = {4, 1, 2, 1};
  for (int k = 0; k < 4; ++k) {
    int i = reverse ? 3 - k : k;
    ck_assert_int_eq(cb_graph_const(g, names[i], CB_DT_FLOAT, nd[i], shapes[i], NULL, &ids[i]), CB_OK);
  }
  cb_attr ca[1] = {cb_attr_ints("pads", 4, (int64_t[]){1, 1, 1, 1})};
  const char *o1[1] = {"a"}, *o2[1] = {"pool"}, *o3[1] = {"flat"}, *o4[1] = {"b"};
  ck_assert_int_eq(cb_graph_node(g, "a", "Conv", 1, ca, 3, (int[]){x, ids[0], ids[1]}, 1, o1, &y), CB_OK);
  ck_assert_int_eq(cb_graph_node(g, "pool", "GlobalAveragePool", 0, NULL, 1, &y, 1, o2, &y), CB_OK);
  ck_assert_int_eq(cb_graph_node(g, "flat", "Flatten", 0, NULL, 1, &y, 1, o3, &y), CB_OK);
  cb_attr ga[1] = {cb_attr_int("transB", 1)};
  ck_assert_int_eq(cb_graph_node(g, "b", "Gemm", 1, ga, 3, (int[]){y, ids[2], ids[3]}, 1, o4, &y), CB_OK);
  ck_assert_int_eq(cb_graph_mark_output(g, y), CB_OK);
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  return g;
}

START_TEST(test_order_independent) {
  cb_graph *g1 = small_graph(0, 0), *g2 = small_graph(1, 1);
  cb_reinit_report r1, r2;
  ck_assert_int_eq(cb_graph_reinit(g1, "pytorch", 3, &r1), CB_OK);
  ck_assert_int_eq(cb_graph_reinit(g2, "pytorch", 3, &r2), CB_OK);
  ck_assert_int_eq(r1.n_params, 4);
  ck_assert_int_eq(r2.n_params, 4);
  ck_assert_int_eq(r1.n_values, 8 * 27 + 8 + 4 * 8 + 4);
  ck_assert_int_eq(r1.n_untouched, 0);
  static const char *const names[4] = {"a.weight", "a.bias", "b.weight", "b.bias"};
  for (int k = 0; k < 4; ++k) {
    const cb__value *v1 = &g1->values[cb_graph_find(g1, names[k])], *v2 = &g2->values[cb_graph_find(g2, names[k])];
    ck_assert_int_eq(memcmp(v1->cdata, v2->cdata, value_bytes(v1)), 0);
    stats s = stats_of(v1->cdata, cb__numel(v1));
    const double bound = 1.0 / sqrt(k < 2 ? 27.0 : 8.0);
    ck_assert(s.min >= -bound && s.max <= bound && s.max > s.min);
  }
  const cb__value *u = &g2->values[cb_graph_find(g2, "unrelated")];
  for (int i = 0; i < 5; ++i) ck_assert(((const float *)u->cdata)[i] == 0.0f);
  cb_graph_destroy(&g1);
  cb_graph_destroy(&g2);
}
END_TEST

START_TEST(test_errors_leave_model_unchanged) {
  cb_model *m = load(NET);
  const uint64_t h = cb_model_weights_hash(m);
  ck_assert_int_eq(cb_model_reinit(m, "xavier", 1), CB_ERR_ARG);
  const char *msg = cb_error_message();
  ck_assert_msg(strstr(msg, "'xavier'") && strstr(msg, "pytorch") && strstr(msg, "kaiming-normal-fan-out") &&
                    strchr(msg, '\n') == NULL,
                "%s", msg);
  printf("unknown scheme: %s\n", msg);
  ck_assert_int_eq(cb_model_reinit(m, "", 1), CB_ERR_ARG);
  ck_assert_int_eq(cb_model_reinit(m, "PyTorch", 1), CB_ERR_ARG);
  ck_assert(cb_model_weights_hash(m) == h);
  ck_assert_int_eq(cb_model_reinit(NULL, "pytorch", 1), CB_ERR_ARG);
  ck_assert_int_eq(cb_graph_reinit(NULL, "pytorch", 1, NULL), CB_ERR_ARG);
  const char *const *s = cb_model_reinit_schemes();
  ck_assert_str_eq(s[0], "pytorch");
  ck_assert_str_eq(s[1], "kaiming-normal-fan-out");
  ck_assert_ptr_null(s[2]);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(test_zoo_model) {
  cb_model *t = NULL, *m = NULL;
  ck_assert_int_eq(cb_model_create("tinycnn", 1, &t), CB_OK);
  ck_assert_int_eq(cb_model_create("tinycnn", 1, &m), CB_OK);
  ck_assert_int_eq(cb_model_reinit(m, "pytorch", 1), CB_OK);
  ck_assert(cb_model_weights_hash(m) != cb_model_weights_hash(t));
  static const char *const w[2] = {"features.0.weight", "features.3.weight"};
  static const double fan_in[2] = {3 * 5 * 5, 16 * 3 * 3};
  for (int k = 0; k < 2; ++k) {
    const cb__value *v = value(m, w[k]);
    stats s = stats_of(v->cdata, cb__numel(v));
    const double bound = 1.0 / sqrt(fan_in[k]), sigma = bound / sqrt(3.0), n = (double)cb__numel(v);
    ck_assert(-s.min <= bound && s.max <= bound);
    ck_assert_msg(fabs(s.std - sigma) <= NSE * sigma * sqrt(0.2 / n), "%s: std %g vs %g", w[k], s.std, sigma);
  }
  ck_assert_int_eq(cb_model_n_layers(m), cb_model_n_layers(t));
  for (int l = 0; l < cb_model_n_layers(t); ++l) ck_assert_str_eq(cb_model_layer_name(m, l), cb_model_layer_name(t, l));
  size_t n;
  free(all_layers(m, &n));
  cb_model_destroy(&t);
  cb_model_destroy(&m);
  /* models without learned weights (fixed filter banks, no constants at all): refused, unchanged */
  static const char *const fixed[2] = {"v1like", "pixels"};
  for (int k = 0; k < 2; ++k) {
    ck_assert_int_eq(cb_model_create(fixed[k], 1, &m), CB_OK);
    const uint64_t h = cb_model_weights_hash(m);
    ck_assert_int_eq(cb_model_reinit(m, "pytorch", 1), CB_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(cb_error_message(), fixed[k]) && strstr(cb_error_message(), "no learned parameters"), "%s",
                  cb_error_message());
    ck_assert(cb_model_weights_hash(m) == h);
    cb_model_destroy(&m);
  }
  printf("fixed model: %s\n", cb_error_message());
}
END_TEST

/* The zoo's adaptive average pooling (AlexNet, VGG at sizes 6 does not divide) is a MatMul with a constant
 * matrix: declared fixed, it is not taken for a Linear weight. A large constant of an operator reinit does
 * not know is kept and reported. */
START_TEST(test_fixed_constants_kept) {
  cb_graph *g = NULL;
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  int x, y;
  ck_assert_int_eq(cb_graph_input(g, "input", 4, (int64_t[]){1, 3, 9, 9}, &x), CB_OK);
  ck_assert_int_eq(cb_graph_add_conv(g, "conv", x, 4, 3, 1, 0, 1, NULL, NULL, &y), CB_OK); /* (1, 4, 7, 7) */
  ck_assert_int_eq(cb__zoo_adaptive_avgpool(g, "avgpool", y, 6, 6, &y), CB_OK);
  ck_assert_int_ge(cb_graph_find(g, "avgpool.matrix"), 0);
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  const cb__value *mat = &g->values[cb_graph_find(g, "avgpool.matrix")];
  const size_t bytes = value_bytes(mat);
  void *before = malloc(bytes);
  memcpy(before, mat->cdata, bytes);
  cb_reinit_report rep;
  ck_assert_int_eq(cb_graph_reinit(g, "pytorch", 1, &rep), CB_OK);
  ck_assert_int_eq(rep.n_params, 2); /* conv.weight, conv.bias */
  ck_assert_int_eq(rep.n_untouched, 0);
  ck_assert_int_eq(memcmp(before, mat->cdata, bytes), 0);
  free(before);
  ck_assert_int_eq(cb_graph_mark_fixed(g, cb_graph_find(g, "input")), CB_ERR_ARG); /* not a constant */
  cb_graph_destroy(&g);
  /* x (1, 80) * scale (1, 80) -> MatMul fc.weight (80, 4) + fc.bias (4): the Linear is re-drawn, the
   * unknown scale (80 values) is kept and reported */
  ck_assert_int_eq(cb_graph_create(&g), CB_OK);
  int s, w, b;
  ck_assert_int_eq(cb_graph_input(g, "x", 2, (int64_t[]){1, 80}, &x), CB_OK);
  ck_assert_int_eq(cb_graph_const(g, "scale", CB_DT_FLOAT, 2, (int64_t[]){1, 80}, NULL, &s), CB_OK);
  ck_assert_int_eq(cb_graph_const(g, "fc.weight", CB_DT_FLOAT, 2, (int64_t[]){80, 4}, NULL, &w), CB_OK);
  ck_assert_int_eq(cb_graph_const(g, "fc.bias", CB_DT_FLOAT, 1, (int64_t[]){4}, NULL, &b), CB_OK);
  ck_assert_int_eq(cb_graph_add_binary(g, "scaled", "Mul", x, s, &y), CB_OK);
  const char *mm[1] = {"fc.mm"};
  ck_assert_int_eq(cb_graph_node(g, "fc.mm", "MatMul", 0, NULL, 2, (int[]){y, w}, 1, mm, &y), CB_OK);
  ck_assert_int_eq(cb_graph_add_binary(g, "fc", "Add", y, b, &y), CB_OK);
  ck_assert_int_eq(cb_graph_finish(g), CB_OK);
  ck_assert_int_eq(cb_graph_reinit(g, "pytorch", 1, &rep), CB_OK);
  ck_assert_int_eq(rep.n_params, 2);
  ck_assert_int_eq(rep.n_untouched, 1);
  ck_assert_int_eq(rep.untouched_numel, 80);
  ck_assert_str_eq(rep.untouched, "scale");
  stats sb = stats_of(g->values[b].cdata, 4);
  ck_assert(sb.max > sb.min && -sb.min <= 1.0 / sqrt(80.0) && sb.max <= 1.0 / sqrt(80.0));
  cb_graph_destroy(&g);
}
END_TEST

int main(void) {
  Suite *s = suite_create("reinit");
  TCase *tc = tcase_create("reinit");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_statistics_match_pytorch);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_order_independent);
  tcase_add_test(tc, test_errors_leave_model_unchanged);
  tcase_add_test(tc, test_zoo_model);
  tcase_add_test(tc, test_fixed_constants_kept);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
