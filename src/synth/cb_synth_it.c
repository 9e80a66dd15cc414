/* cb_synth_it.c - "synthetic-it": procedural objects, variations, backgrounds
 * and the hidden network's parameters (see cb_synth_it.h). */
#include "cb_synth_it.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_synth_it_impl.h"
#include "cb_synth_util.h"

#define N_OBJ (CB_SYNTH_IT_CATEGORIES * CB_SYNTH_IT_OBJECTS)
#define IMAGES_PER_OBJECT 10
_Static_assert(N_OBJ * IMAGES_PER_OBJECT == CB_SYNTH_IT_STIMULI, "CB_SYNTH_IT_STIMULI");
#define UNIT_DEG 2.0       /* object coordinates: 1 unit = 2 deg at scale 1 */
#define BG_RMS 0.2
#define STREAM_OBJECT (5ull << 56)
#define STREAM_VIEW (6ull << 56)
#define STREAM_BACKGROUND (7ull << 56)
#define STREAM_NET (8ull << 56)
#define STREAM_PROBE (12ull << 56)

enum { ELLIPSE = 1, BOX, TRIANGLE };

static const char *const categories[CB_SYNTH_IT_CATEGORIES] = {"animals", "boats", "cars",   "chairs",
                                                               "faces",   "fruits", "planes", "tables"};

/* Category templates (type, cx, cy, rx, ry, angle deg, tone); type 0 ends a list. */
static const prim templates[CB_SYNTH_IT_CATEGORIES][MAX_PRIM] = {
    {{ELLIPSE, -0.1, 0.0, 0.65, 0.32, 0, 0}, {ELLIPSE, 0.7, 0.3, 0.25, 0.2, 0, 0},
     {BOX, -0.55, -0.45, 0.06, 0.25, 0, 0}, {BOX, 0.3, -0.45, 0.06, 0.25, 0, 0},
     {BOX, -0.8, 0.15, 0.25, 0.04, 30, 0}, {ELLIPSE, 0.78, 0.35, 0.05, 0.05, 0, 1}},
    {{BOX, 0.0, -0.35, 0.85, 0.15, 0, 0}, {TRIANGLE, 0.1, 0.25, 0.45, 0.45, 0, 1},
     {BOX, -0.05, 0.2, 0.03, 0.55, 0, 0}, {TRIANGLE, -0.9, -0.35, 0.15, 0.15, 90, 0},
     {TRIANGLE, 0.9, -0.35, 0.15, 0.15, -90, 0}},
    {{BOX, 0.0, -0.05, 0.9, 0.22, 0, 0}, {BOX, -0.05, 0.3, 0.5, 0.17, 0, 0},
     {BOX, -0.05, 0.3, 0.4, 0.1, 0, 1}, {ELLIPSE, -0.55, -0.32, 0.2, 0.2, 0, 1},
     {ELLIPSE, 0.55, -0.32, 0.2, 0.2, 0, 1}},
    {{BOX, 0.05, -0.05, 0.5, 0.08, 0, 0}, {BOX, -0.4, 0.45, 0.07, 0.5, 0, 0},
     {BOX, -0.4, -0.5, 0.05, 0.45, 0, 0}, {BOX, 0.5, -0.5, 0.05, 0.45, 0, 0},
     {BOX, -0.4, 0.6, 0.1, 0.2, 0, 1}},
    {{ELLIPSE, 0.0, 0.0, 0.6, 0.8, 0, 0}, {ELLIPSE, -0.25, 0.22, 0.12, 0.08, 0, 1},
     {ELLIPSE, 0.25, 0.22, 0.12, 0.08, 0, 1}, {TRIANGLE, 0.0, -0.05, 0.1, 0.15, 0, 1},
     {BOX, 0.0, -0.4, 0.25, 0.05, 0, 1}},
    {{ELLIPSE, 0.0, -0.05, 0.6, 0.58, 0, 0}, {BOX, 0.0, 0.62, 0.04, 0.15, 10, 1},
     {ELLIPSE, 0.2, 0.7, 0.18, 0.07, 25, 1}, {ELLIPSE, -0.2, 0.1, 0.12, 0.2, 20, 1}},
    {{ELLIPSE, 0.0, 0.0, 0.95, 0.13, 0, 0}, {TRIANGLE, 0.05, 0.0, 0.25, 0.85, 0, 0},
     {BOX, -0.8, 0.2, 0.06, 0.22, -20, 0}, {BOX, -0.8, 0.0, 0.05, 0.25, 90, 0},
     {ELLIPSE, 0.7, 0.03, 0.12, 0.06, 0, 1}},
    {{BOX, 0.0, 0.3, 0.9, 0.07, 0, 0}, {BOX, -0.75, -0.2, 0.05, 0.5, 0, 0},
     {BOX, 0.75, -0.2, 0.05, 0.5, 0, 0}, {BOX, 0.0, 0.2, 0.8, 0.04, 0, 1},
     {BOX, -0.35, -0.25, 0.04, 0.42, 0, 0}, {BOX, 0.35, -0.25, 0.04, 0.42, 0, 0}}};

const char *cb_synth_it_category(int c) { return c >= 0 && c < CB_SYNTH_IT_CATEGORIES ? categories[c] : NULL; }

void cb__it_object(cb_rng *rp, int category, cb__it_obj *ob) {
  cb_rng r = *rp;
  const prim *t = templates[category];
  ob->n = 0;
  for (int k = 0; k < MAX_PRIM && t[k].type != 0; ++k) {
    prim q = t[k];
    q.cx += 0.08 * cb_rng_normal(&r);
    q.cy += 0.08 * cb_rng_normal(&r);
    q.rx *= exp(0.2 * cb_rng_normal(&r));
    q.ry *= exp(0.2 * cb_rng_normal(&r));
    q.ang += 10.0 * cb_rng_normal(&r);
    ob->ca[ob->n] = cos(q.ang * CB__PI / 180.0);
    ob->sa[ob->n] = sin(q.ang * CB__PI / 180.0);
    ob->p[ob->n++] = q;
  }
  double sign = cb_rng_uniform(&r) < 0.5 ? -1.0 : 1.0, main = 0.5 + 0.4 * cb_rng_uniform(&r);
  ob->shade[0] = sign * main;
  ob->shade[1] = sign * (main - 0.6 - 0.3 * cb_rng_uniform(&r));
  *rp = r;
}

static void make_object(uint64_t seed, int o, cb__it_obj *ob) {
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_OBJECT | (uint64_t)o);
  cb__it_object(&r, o / CB_SYNTH_IT_OBJECTS, ob);
}

static int inside(const prim *q, double c, double s, double u, double v) {
  double du = u - q->cx, dv = v - q->cy, lu = du * c + dv * s, lv = -du * s + dv * c;
  switch (q->type) {
    case ELLIPSE: return (lu * lu) / (q->rx * q->rx) + (lv * lv) / (q->ry * q->ry) <= 1.0;
    case BOX: return fabs(lu) <= q->rx && fabs(lv) <= q->ry;
    case TRIANGLE: return lv >= -q->ry && lv <= q->ry && fabs(lu) <= q->rx * (q->ry - lv) / (2.0 * q->ry);
    default: return 0;
  }
}

void cb__it_paint(const cb__it_obj *ob, int n, double px_deg, double py_deg, double scale, double rot_deg, double *img) {
  const double ppd = n / CB_SYNTH_IT_DEGREES, a = -rot_deg * CB__PI / 180.0, c = cos(a), s = sin(a);
  const double unit = UNIT_DEG * scale, reach = 1.5 * unit;
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col) {
      double x0 = cb__pix_x(col, n, ppd) - px_deg, y0 = cb__pix_y(row, n, ppd) - py_deg;
      if (fabs(x0) > reach + 1.0 / ppd || fabs(y0) > reach + 1.0 / ppd) continue;
      double acc = 0.0;
      int hits = 0;
      for (int sy = 0; sy < 2; ++sy)
        for (int sx = 0; sx < 2; ++sx) {
          double x = x0 + (sx - 0.5) * 0.5 / ppd, y = y0 - (sy - 0.5) * 0.5 / ppd;
          double u = (x * c - y * s) / unit, v = (x * s + y * c) / unit;
          for (int k = ob->n - 1; k >= 0; --k)
            if (inside(&ob->p[k], ob->ca[k], ob->sa[k], u, v)) {
              acc += ob->shade[ob->p[k].tone > 0.5];
              ++hits;
              break;
            }
        }
      if (hits > 0) {
        double *d = &img[(size_t)row * n + col];
        *d = (*d * (4 - hits) + acc) / 4.0;
      }
    }
}

void cb__it_view(cb_rng *r, int level, double *view) {
  const double t = level / 6.0;
  /* (+ 0.0 turns the -0 of variation 0 into 0 for the metadata) */
  view[0] = t * 1.6 * (2.0 * cb_rng_uniform(r) - 1.0) + 0.0;
  view[1] = t * 1.6 * (2.0 * cb_rng_uniform(r) - 1.0) + 0.0;
  view[2] = exp(t * log(1.6) * (2.0 * cb_rng_uniform(r) - 1.0));
  view[3] = t * 60.0 * (2.0 * cb_rng_uniform(r) - 1.0) + 0.0;
}

cb_status cb__it_background(cb_rng *r, int n, double *img) {
  CB_CHECK(cb__synth_noise(r, n, 16, 1.0, 0.0, 0.0, img));
  for (size_t i = 0; i < (size_t)n * (size_t)n; ++i) img[i] *= BG_RMS;
  return CB_OK;
}

void cb__it_pixels(const double *img, int n, uint8_t *px) {
  for (size_t i = 0; i < (size_t)n * (size_t)n; ++i)
    px[i] = cb__synth_quant(128.0 + 127.0 * img[i]);
}

cb_status cb_synth_it_render_probe(uint64_t seed, int k, uint8_t *px) {
  if (k < 0 || k >= CB_SYNTH_IT_PROBES || px == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-it: no probe %d", k);
  const int n = CB_SYNTH_IT_SIZE;
  const size_t np = (size_t)n * n;
  double *img = calloc(np, sizeof *img);
  if (img == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_PROBE | (uint64_t)k);
  cb_status st = cb__it_background(&r, n, img);
  if (st == CB_OK) {
    cb__it_obj ob;
    make_object(seed, k / CB_SYNTH_IT_PROBES_PER_OBJECT, &ob);
    cb__it_paint(&ob, n, 0.0, 0.0, 1.0, 0.0, img);
    cb__it_pixels(img, n, px);
  }
  free(img);
  return st;
}

enum { M_OBJECT, M_CATEGORY, M_VARIATION, M_PX, M_PY, M_SCALE, M_ROT, N_META };

cb_status cb_synth_it_stimuli(uint64_t seed, cb_synth_set **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-it: NULL output");
  static const int levels[IMAGES_PER_OBJECT] = {0, 0, 3, 3, 3, 3, 6, 6, 6, 6};
  const char *names[N_META] = {"object_name", "category_name", "variation", "position_x",
                               "position_y",  "scale",         "rotation"};
  const int is_str[N_META] = {1, 1, 0, 0, 0, 0, 0};
  const int n = CB_SYNTH_IT_SIZE;
  const size_t np = (size_t)n * n;
  cb_status st = CB_OK;
  cb_synth_set *s = NULL;
  double *img = malloc(np * sizeof *img);
  CB_ALLOC_GOTO(img, st, fail);
  CB_CHECK_GOTO(cb_synth_set_create("synthetic-it", N_OBJ * IMAGES_PER_OBJECT, n, n, 1, CB_SYNTH_IT_DEGREES, N_META,
                                    names, is_str, &s),
                st, fail);
  for (int o = 0; o < N_OBJ; ++o) {
    cb__it_obj ob;
    make_object(seed, o, &ob);
    int cat = o / CB_SYNTH_IT_OBJECTS;
    char oname[48], id[96];
    snprintf(oname, sizeof oname, "%s_%d", categories[cat], o % CB_SYNTH_IT_OBJECTS);
    for (int v = 0; v < IMAGES_PER_OBJECT; ++v) {
      int k = o * IMAGES_PER_OBJECT + v, lev = levels[v];
      cb_rng r;
      cb_rng_seed_stream(&r, seed, STREAM_VIEW | (uint64_t)k);
      double view[4];
      cb__it_view(&r, lev, view);
      const double px = view[0], py = view[1], sc = view[2], rot = view[3];
      cb_rng_seed_stream(&r, seed, STREAM_BACKGROUND | (uint64_t)k);
      CB_CHECK_GOTO(cb__it_background(&r, n, img), st, fail);
      cb__it_paint(&ob, n, px, py, sc, rot, img);
      cb__it_pixels(img, n, s->images + (size_t)k * np);
      snprintf(id, sizeof id, "it_%s_v%d_%02d", oname, lev, v);
      CB_CHECK_GOTO(cb_synth_set_id(s, k, id), st, fail);
      CB_CHECK_GOTO(cb_synth_set_meta_str(s, k, M_OBJECT, oname), st, fail);
      CB_CHECK_GOTO(cb_synth_set_meta_str(s, k, M_CATEGORY, categories[cat]), st, fail);
      cb_synth_set_meta_num(s, k, M_VARIATION, lev);
      cb_synth_set_meta_num(s, k, M_PX, px);
      cb_synth_set_meta_num(s, k, M_PY, py);
      cb_synth_set_meta_num(s, k, M_SCALE, sc);
      cb_synth_set_meta_num(s, k, M_ROT, rot);
    }
  }
  CB_CHECK_GOTO(cb_synth_set_check_ids(s), st, fail);
  free(img);
  *out = s;
  return CB_OK;
fail:
  free(img);
  cb_synth_set_destroy(&s);
  return st;
}

void cb_synth_it_net_destroy(cb_synth_it_net **np) {
  if (np == NULL || *np == NULL) return;
  cb_synth_it_net *n = *np;
  free(n->conv1);
  free(n->conv2);
  free(n->conv3);
  free(n->w1);
  free(n->b1);
  free(n->a);
  free(n->bcat);
  free(n->bias);
  free(n->gain);
  free(n->rho1);
  free(n->pref_category);
  free(n);
  *np = NULL;
}

/* n values N(0, sd^2) from stream (seed, STREAM_NET | id). */
static void fill_normal(float *w, size_t n, double sd, uint64_t seed, uint64_t id) {
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_NET | id);
  for (size_t i = 0; i < n; ++i) w[i] = (float)(sd * cb_rng_normal(&r));
}

cb_status cb_synth_it_network(uint64_t seed, cb_synth_it_net **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-it: NULL output");
  cb_status st = CB_OK;
  const int ns = CB_SYNTH_IT_SITES, nf = CB_SYNTH_IT_FEATURES, nh = CB_SYNTH_IT_HIDDEN, nc = CB_SYNTH_IT_CATEGORIES;
  cb_synth_it_net *n = calloc(1, sizeof *n);
  CB_ALLOC_GOTO(n, st, fail);
  n->n_sites = ns;
  n->n_feat = nf;
  n->n_hidden = nh;
  n->n_cat = nc;
  CB_ALLOC_GOTO(n->conv1 = malloc(16 * 1 * 7 * 7 * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->conv2 = malloc(32 * 16 * 3 * 3 * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->conv3 = malloc(64 * 32 * 3 * 3 * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->w1 = malloc((size_t)nh * nf * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->b1 = malloc((size_t)nh * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->a = malloc((size_t)ns * nh * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->bcat = malloc((size_t)ns * nc * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->bias = malloc((size_t)ns * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->gain = malloc((size_t)ns * sizeof(float)), st, fail);
  CB_ALLOC_GOTO(n->rho1 = malloc((size_t)ns * sizeof(double)), st, fail);
  CB_ALLOC_GOTO(n->pref_category = malloc((size_t)ns * sizeof(int)), st, fail);
  /* He-normal convolutions (std sqrt(2 / fan_in)), zero biases. */
  fill_normal(n->conv1, 16 * 49, sqrt(2.0 / 49.0), seed, 1);
  fill_normal(n->conv2, 32 * 16 * 9, sqrt(2.0 / (16 * 9)), seed, 2);
  fill_normal(n->conv3, 64 * 32 * 9, sqrt(2.0 / (32 * 9)), seed, 3);
  fill_normal(n->w1, (size_t)nh * nf, 1.0 / sqrt(nf), seed, 4);
  fill_normal(n->b1, (size_t)nh, 0.5, seed, 5);
  fill_normal(n->a, (size_t)ns * nh, 2.0 / sqrt(nh), seed, 6);
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_NET | 7);
  for (int j = 0; j < ns; ++j) {
    int pref = (int)cb_rng_below(&r, (uint64_t)nc);
    double kappa = 2.0 + 4.0 * cb_rng_uniform(&r);
    for (int c = 0; c < nc; ++c) n->bcat[(size_t)j * nc + c] = (float)((c == pref ? kappa : 0.0) + 0.3 * cb_rng_normal(&r));
    n->pref_category[j] = pref;
    n->bias[j] = (float)(0.5 * cb_rng_normal(&r) - 0.5);
    n->gain[j] = (float)(5.0 * exp(log(4.0) * cb_rng_uniform(&r)));
    n->rho1[j] = 0.1 + 0.3 * cb_rng_uniform(&r);
  }
  *out = n;
  return CB_OK;
fail:
  cb_synth_it_net_destroy(&n);
  return st;
}

void cb_synth_it_noise_sd(const cb_synth_it_net *net, const double *rates, int n_stim, double *sd) {
  const int q = net->n_sites;
  for (int j = 0; j < q; ++j) {
    double m = 0.0, v = 0.0;
    for (int i = 0; i < n_stim; ++i) m += rates[(size_t)i * q + j];
    m /= n_stim;
    for (int i = 0; i < n_stim; ++i) v += (rates[(size_t)i * q + j] - m) * (rates[(size_t)i * q + j] - m);
    v /= n_stim > 1 ? n_stim - 1 : 1;
    sd[j] = sqrt(v * (1.0 - net->rho1[j]) / net->rho1[j]);
  }
}
