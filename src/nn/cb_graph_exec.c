/* cb_graph_exec.c - runs a finished graph: only the nodes the requested
 * values depend on, in insertion (topological) order, copying each
 * requested value out as soon as it is computed (so the arena never keeps
 * a layer alive for the caller). cb_graph_run_batch runs groups of images
 * node by node (cb_nn_batch.h): each image of a group has its own copy of
 * the planned arena, Conv (with a following Relu fused when nobody else
 * reads the conv output) and Gemm on one image row take the whole group in
 * one GEMM, the other operators run image by image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_graph_impl.h"
#include "cb_nn_batch.h"
#include "cb_sgemm.h"

static void copy_out(const cb__value *v, float *dst) {
  int64_t n = cb__numel(v);
  if (v->dtype == CB_DT_FLOAT) {
    memcpy(dst, v->data, (size_t)n * sizeof(float));
  } else {
    const int64_t *src = v->data;
    for (int64_t i = 0; i < n; ++i) dst[i] = (float)src[i];
  }
}

cb_status cb_graph_run(cb_graph *g, const float *const *inputs, int n_req, const int *req, float *const *out) {
  if (g == NULL || (g->n_inputs > 0 && inputs == NULL) || (n_req > 0 && (req == NULL || out == NULL)))
    return CB_ERROR(CB_ERR_ARG, "graph run: NULL argument");
  CB_CHECK(cb_graph_finish(g));
  for (int i = 0; i < g->n_inputs; ++i) {
    if (inputs[i] == NULL) return CB_ERROR(CB_ERR_ARG, "graph run: input '%s' is NULL", g->values[g->inputs[i]].name);
    g->values[g->inputs[i]].data = (void *)(uintptr_t)inputs[i]; /* read only */
  }
  memset(g->needed, 0, (size_t)g->n_nodes);
  for (int k = 0; k < n_req; ++k) {
    if (req[k] < 0 || req[k] >= g->n_values)
      return CB_ERROR(CB_ERR_ARG, "graph run: requested value %d out of range [0, %d)", req[k], g->n_values);
    if (out[k] == NULL) return CB_ERROR(CB_ERR_ARG, "graph run: output %d is NULL", k);
    const cb__value *v = &g->values[req[k]];
    if (v->kind == CB__V_RUNTIME) g->needed[v->producer] = 1;
    else copy_out(v, out[k]);
  }
  for (int i = g->n_nodes - 1; i >= 0; --i) {
    if (!g->needed[i]) continue;
    const cb__node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].kind == CB__V_RUNTIME) g->needed[g->values[n->in[k]].producer] = 1;
  }
  for (int i = 0; i < g->n_nodes; ++i) {
    if (!g->needed[i] || g->nodes[i].folded) continue;
    const cb__node *n = &g->nodes[i];
    n->op->run(g, n, g->work);
    for (int k = 0; k < n_req; ++k)
      if (g->values[req[k]].producer == i && g->values[req[k]].kind == CB__V_RUNTIME)
        copy_out(&g->values[req[k]], out[k]);
  }
  return CB_OK;
}

/* ---- batched runs ---- */

static cb_nn_profile *profile_sink;

void cb_nn_profile_attach(cb_nn_profile *p) { profile_sink = p; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void profile_add(const char *op, double seconds, double flops) {
  cb_nn_profile *p = profile_sink;
  if (p == NULL) return;
  int i = 0;
  while (i < p->n && strcmp(p->op[i], op) != 0) ++i;
  if (i == p->n) {
    if (p->n == CB_NN_PROFILE_MAX) return;
    snprintf(p->op[i], sizeof p->op[i], "%s", op);
    p->seconds[i] = p->flops[i] = 0.0;
    p->calls[i] = 0;
    ++p->n;
  }
  p->seconds[i] += seconds;
  p->flops[i] += flops;
  p->calls[i] += 1;
}

/* Gemm with A = one image row (1, k), not transposed: batched over images. */
static int gemm_batchable(cb_graph *g, const cb__node *n) {
  if (n->op != &cb__op_gemm || n->p.trans_a) return 0;
  const cb__value *a = cb__in(g, n, 0), *b = cb__in(g, n, 1);
  return a->kind == CB__V_RUNTIME && a->ndim == 2 && a->shape[0] == 1 && b->kind != CB__V_RUNTIME;
}

/* Y_j (1, nn) = alpha x_j B (+ beta C) for the images of a group: as gemm_run on each image. */
static void gemm_images(cb_graph *g, const cb__node *n, int nimg, const float *const *x, float *const *y,
                        int threads) {
  const cb__value *b = cb__in(g, n, 1), *c = cb__in(g, n, 2);
  const int nn = (int)cb__out(g, n, 0)->shape[1], k = (int)cb__in(g, n, 0)->shape[1];
  float beta = 0.0f;
  if (c != NULL && n->p.f[1] != 0.0f) {
    const float *cd = c->data;
    const int cn = c->ndim >= 1 ? (int)c->shape[c->ndim - 1] : 1;
    for (int j = 0; j < nimg; ++j)
      for (int i = 0; i < nn; ++i) y[j][i] = cd[cn == 1 ? 0 : i];
    beta = n->p.f[1];
  }
  if (nn == 0) return;
  if (k == 0) {
    for (int j = 0; j < nimg; ++j)
      for (int i = 0; i < nn; ++i) y[j][i] *= beta;
    return;
  }
  /* C^T (nn, nimg) = B^T (nn, k) X^T (k, nimg): columns are images */
  cb_sgemm_args a = {.m = nn, .n = nimg, .k = k, .a = b->data, .a_rs = n->p.trans_b ? k : 1,
                     .a_cs = n->p.trans_b ? 1 : nn, .b_cols = x, .b_rs = 1, .c_blocks = y, .c_block = 1,
                     .c_rs = 1, .alpha = n->p.f[0], .beta = beta, .threads = threads};
  cb_sgemm(&a);
}

/* Points node n's runtime inputs and outputs at image copy `base` (input at xin). */
static void point_node(cb_graph *g, const cb__node *n, char *base, const float *xin) {
  for (int k = 0; k < n->n_in + n->n_out; ++k) {
    const int id = k < n->n_in ? n->in[k] : n->out[k - n->n_in];
    if (id < 0) continue;
    cb__value *v = &g->values[id];
    if (v->kind == CB__V_RUNTIME) v->data = base + v->offset;
    else if (v->kind == CB__V_INPUT) v->data = (void *)(uintptr_t)xin;
  }
}

static double conv_flops(const cb_conv2d_geom *gm) {
  int oh, ow;
  cb_conv2d_out(gm, &oh, &ow);
  return 2.0 * gm->out_c * (double)(gm->in_c / gm->groups) * gm->kh * gm->kw * oh * ow;
}

#define GROUP_BYTES ((size_t)384 << 20) /* arena copies per group */
#define GROUP_MAX 64

typedef struct req_at {
  int producer, k; /* requested value k (index into req) and the node computing it */
} req_at;

static int by_producer(const void *a, const void *b) {
  const req_at *x = a, *y = b;
  return x->producer != y->producer ? (x->producer > y->producer) - (x->producer < y->producer) : (x->k > y->k) - (x->k < y->k);
}

/* One batched run: the request, the group of images in flight and its arena copies. */
typedef struct batch_run {
  cb_graph *g;
  const float *x;          /* (n_img, in_stride) input images */
  size_t in_stride;
  int n_req;
  const int *req;          /* (n_req) requested values */
  float *const *out;       /* (n_req) destinations, out_stride[k] floats per image */
  const size_t *out_stride;
  req_at *order;           /* (n_order) runtime values requested, by producing node */
  int n_order;
  int group;               /* images per group */
  size_t stride;           /* bytes of one arena copy */
  char *bases[GROUP_MAX];  /* (group) arena of each image of a group (image 0: the planned arena) */
  const float *xs[GROUP_MAX];
  float *ys[GROUP_MAX];
  int b0, nb;              /* first image and size of the current group */
  int threads;
} batch_run;

/* Checks the requests, copies out the constant ones and marks the nodes the runtime ones depend on (g->needed). */
static cb_status batch_mark_needed(batch_run *br, int n_img) {
  cb_graph *g = br->g;
  const int in_id = g->inputs[0];
  memset(g->needed, 0, (size_t)g->n_nodes);
  for (int k = 0; k < br->n_req; ++k) {
    const int rk = br->req[k];
    if (rk < 0 || rk >= g->n_values)
      return CB_ERROR(CB_ERR_ARG, "graph run: requested value %d out of range [0, %d)", rk, g->n_values);
    if (br->out[k] == NULL) return CB_ERROR(CB_ERR_ARG, "graph run: output %d is NULL", k);
    const cb__value *v = &g->values[rk];
    if (v->kind == CB__V_RUNTIME) g->needed[v->producer] = 1;
    else
      for (int b = 0; b < n_img; ++b) {
        g->values[in_id].data = (void *)(uintptr_t)(br->x + (size_t)b * br->in_stride);
        copy_out(v, br->out[k] + (size_t)b * br->out_stride[k]);
      }
  }
  for (int i = g->n_nodes - 1; i >= 0; --i) {
    if (!g->needed[i]) continue;
    const cb__node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].kind == CB__V_RUNTIME) g->needed[g->values[n->in[k]].producer] = 1;
  }
  return CB_OK;
}

/* The runtime values requested, in node order: each step of the run copies out those its nodes produced by walking
 * this list once (not all n_req requests per node: a model with every layer requested). */
static cb_status batch_order(batch_run *br) {
  cb_graph *g = br->g;
  br->order = malloc((size_t)(br->n_req > 0 ? br->n_req : 1) * sizeof *br->order);
  if (br->order == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph run: out of memory");
  br->n_order = 0;
  for (int k = 0; k < br->n_req; ++k)
    if (g->values[br->req[k]].kind == CB__V_RUNTIME)
      br->order[br->n_order++] = (req_at){g->values[br->req[k]].producer, k};
  qsort(br->order, (size_t)br->n_order, sizeof *br->order, by_producer);
  return CB_OK;
}

/* Images per group (as many arena copies as fit GROUP_BYTES, at most GROUP_MAX and n_img) and their arenas: image 0
 * of a group uses the planned arena, the others copies in g->batch_arena (grown when too small). */
static cb_status batch_arenas(batch_run *br, int n_img) {
  cb_graph *g = br->g;
  const size_t stride = (g->arena_bytes + 63) / 64 * 64;
  int group = stride > 0 ? (int)(GROUP_BYTES / stride) : GROUP_MAX;
  if (group > n_img) group = n_img;
  if (group > GROUP_MAX) group = GROUP_MAX;
  if (group < 1) group = 1;
  br->stride = stride;
  br->group = group;
  const size_t arena_need = group > 1 ? stride * (size_t)(group - 1) + 64 : 0;
  if (g->batch_arena_bytes < arena_need) {
    free(g->batch_arena);
    g->batch_arena = aligned_alloc(64, arena_need);
    g->batch_arena_bytes = g->batch_arena != NULL ? arena_need : 0;
  }
  char *arena = g->batch_arena;
  if (group > 1 && arena == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "graph run: out of memory for %d image copies of %zu bytes", group, stride);
  br->bases[0] = g->arena;
  for (int j = 1; j < group; ++j) br->bases[j] = arena + stride * (size_t)(j - 1);
  return CB_OK;
}

/* Conv node i on the whole group in one GEMM, with the following Relu fused when nobody else reads the conv output;
 * the last node computed. */
static int batch_conv(batch_run *br, int i, const char **pname, double *flops) {
  cb_graph *g = br->g;
  const cb__node *n = &g->nodes[i];
  const cb__value *xv = cb__in(g, n, 0), *wv = cb__in(g, n, 1), *bv = cb__in(g, n, 2);
  const cb__value *yv = cb__out(g, n, 0);
  int last = i, relu = 0;
  int j = i + 1;
  while (j < g->n_nodes && (!g->needed[j] || g->nodes[j].folded)) ++j;
  if (j < g->n_nodes && strcmp(g->nodes[j].op->name, "Relu") == 0 && g->nodes[j].in[0] == n->out[0] &&
      yv->last_use == j && !yv->is_output) {
    relu = 1;
    for (int k = 0; k < br->n_req; ++k) relu &= br->req[k] != n->out[0];
  }
  if (relu) {
    last = j;
    yv = cb__out(g, &g->nodes[j], 0);
    *pname = "Conv+Relu";
  }
  for (int q = 0; q < br->nb; ++q) {
    br->xs[q] = xv->kind == CB__V_INPUT ? br->x + (size_t)(br->b0 + q) * br->in_stride
                : xv->kind == CB__V_RUNTIME ? (const float *)(br->bases[q] + xv->offset) : xv->data;
    br->ys[q] = (float *)(br->bases[q] + yv->offset);
  }
  cb__conv2d_images(&n->p.win.geom, wv->data, bv ? bv->data : NULL, relu, br->nb, br->xs, br->ys, br->threads);
  *flops = conv_flops(&n->p.win.geom) * br->nb;
  return last;
}

/* Node i (and a fused Relu) on every image of the current group; the last node computed. */
static int batch_step(batch_run *br, int i) {
  cb_graph *g = br->g;
  const cb__node *n = &g->nodes[i];
  const double t0 = profile_sink ? now_s() : 0.0;
  const char *pname = n->op->name;
  double flops = 0.0;
  int last = i;
  if (n->op == &cb__op_conv) {
    last = batch_conv(br, i, &pname, &flops);
  } else if (gemm_batchable(g, n)) {
    const cb__value *av = cb__in(g, n, 0), *yv = cb__out(g, n, 0);
    for (int q = 0; q < br->nb; ++q) {
      br->xs[q] = (const float *)(br->bases[q] + av->offset);
      br->ys[q] = (float *)(br->bases[q] + yv->offset);
    }
    gemm_images(g, n, br->nb, br->xs, br->ys, br->threads);
    flops = 2.0 * (double)av->shape[1] * (double)yv->shape[1] * br->nb;
  } else {
    for (int q = 0; q < br->nb; ++q) {
      point_node(g, n, br->bases[q], br->x + (size_t)(br->b0 + q) * br->in_stride);
      n->op->run(g, n, g->work);
    }
  }
  if (profile_sink) profile_add(pname, now_s() - t0, flops);
  return last;
}

/* Copies out, for every image of the group, the requested values produced by nodes i..last; *next = first entry of
 * br->order not copied yet. */
static void batch_copy_out(batch_run *br, int i, int last, int *next) {
  cb_graph *g = br->g;
  while (*next < br->n_order && br->order[*next].producer < i) ++*next; /* defensive: every requested producer runs */
  for (; *next < br->n_order && br->order[*next].producer <= last; ++*next) {
    const int k = br->order[*next].k;
    cb__value *v = &g->values[br->req[k]];
    for (int q = 0; q < br->nb; ++q) {
      v->data = br->bases[q] + v->offset;
      copy_out(v, br->out[k] + (size_t)(br->b0 + q) * br->out_stride[k]);
    }
  }
}

cb_status cb_graph_run_batch(cb_graph *g, const float *x, int n_img, size_t in_stride, int n_req, const int *req,
                             float *const *out, const size_t *out_stride) {
  if (g == NULL || x == NULL || (n_req > 0 && (req == NULL || out == NULL || out_stride == NULL)))
    return CB_ERROR(CB_ERR_ARG, "graph run: NULL argument");
  if (n_img <= 0) return CB_ERROR(CB_ERR_ARG, "graph run: %d images", n_img);
  CB_CHECK(cb_graph_finish(g));
  if (g->n_inputs != 1) return CB_ERROR(CB_ERR_UNSUPPORTED, "graph run: %d inputs (batched runs take one)", g->n_inputs);
  batch_run br = {.g = g, .x = x, .in_stride = in_stride, .n_req = n_req, .req = req, .out = out,
                  .out_stride = out_stride};
  CB_CHECK(batch_mark_needed(&br, n_img));
  CB_CHECK(batch_order(&br));
  cb_status st = CB_OK;
  br.threads = cb_sgemm_default_threads();
  CB_CHECK_GOTO(batch_arenas(&br, n_img), st, done);
  for (br.b0 = 0; br.b0 < n_img; br.b0 += br.group) {
    br.nb = n_img - br.b0 < br.group ? n_img - br.b0 : br.group;
    int next = 0; /* first entry of order not copied out yet for this group */
    for (int i = 0; i < g->n_nodes; ++i) {
      if (!g->needed[i] || g->nodes[i].folded) continue;
      const int last = batch_step(&br, i);
      batch_copy_out(&br, i, last, &next);
      i = last;
    }
  }
done:
  free(br.order);
  for (int i = 0; i < g->n_values; ++i)
    if (g->values[i].kind == CB__V_RUNTIME) g->values[i].data = (char *)g->arena + g->values[i].offset;
  return st;
}
