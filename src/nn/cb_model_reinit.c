/* cb_model_reinit.c - untrained twins: every parameter of a model's graph
 * (ONNX file or zoo builder) re-drawn with a named initialisation scheme,
 * one RNG stream per parameter (seed, FNV-1a of its name), as the zoo
 * builders draw theirs (cb__param_fill in cb_zoo_init.c). The schemes and
 * what counts as a parameter are documented in cb_nn.h (cb_model_reinit).
 *
 * PyTorch 1.13's reset_parameters(), read with inspect.getsource:
 *   _ConvNd:  init.kaiming_uniform_(self.weight, a=math.sqrt(5));
 *             fan_in = weight.size(1) * prod(kernel_size) (size(1) = in_channels / groups);
 *             bias: bound = 1 / math.sqrt(fan_in) (when fan_in != 0); init.uniform_(bias, -bound, bound)
 *   Linear:   the same with fan_in = in_features (weight (out, in); bound 0 when fan_in == 0)
 *   kaiming_uniform_: gain = calculate_gain('leaky_relu', a) = sqrt(2 / (1 + a^2)) = sqrt(1/3) for a = sqrt(5);
 *             std = gain / sqrt(fan_in); bound = sqrt(3) * std = 1 / sqrt(fan_in), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
 *             with std 1 / sqrt(3 fan_in)
 *   _NormBase (BatchNorm): reset_running_stats(): running_mean.zero_(), running_var.fill_(1);
 *             affine: init.ones_(weight), init.zeros_(bias)
 *   PReLU:    weight = torch.empty(num_parameters).fill_(init), init = 0.25
 * torchvision 0.14 ResNet/VGG __init__ (the "kaiming-normal-fan-out" scheme):
 *   Conv2d: kaiming_normal_(weight, mode="fan_out", nonlinearity="relu") = N(0, sqrt(2 / fan_out)),
 *           fan_out = out_channels * prod(kernel_size); bias constant 0 (VGG)
 *   BatchNorm2d: weight 1, bias 0; Linear (VGG): normal_(weight, 0, 0.01), bias 0.
 *
 * The executor reads a parameter where the graph keeps it (the constant's
 * data; convolutions and GEMMs pack their operands on every call, nothing
 * is pre-packed), so re-drawing in place is enough, before or after a
 * forward pass. Constants folded from parameters at load time (a weight an
 * exporter transposed or reshaped) are recomputed from the re-drawn ones. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph_impl.h"
#include "cb_log.h"
#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_zoo_impl.h"

/* What a constant is to the operator that reads it. */
typedef enum role {
  R_NONE = 0,
  R_CONV_W, /* Conv weight (out, in/groups, k...) */
  R_CONV_B, /* Conv bias: input C, or an Add of a (C, 1, 1) constant right after a Conv without one */
  R_LIN_W,  /* Gemm B with a runtime A, or MatMul B (in, out) with a runtime A */
  R_LIN_B,  /* Gemm C, or an Add of an (out) constant right after a Gemm without C or a MatMul */
  R_BN_SCALE,
  R_BN_BIAS,
  R_BN_MEAN,
  R_BN_VAR,
  R_PRELU /* PRelu slope */
} role;

typedef enum dist_kind { D_UNIFORM, D_NORMAL, D_CONST } dist_kind;
typedef struct dist {
  dist_kind kind;
  double a; /* U(-a, a), N(0, a) or the value a */
} dist;

static dist uniform(double bound) { return (dist){D_UNIFORM, bound}; }
static dist normal(double std) { return (dist){D_NORMAL, std}; }
static dist constant(double v) { return (dist){D_CONST, v}; }

/* torch.nn reset_parameters(): see the top of the file. */
static dist scheme_pytorch(role r, double fan_in, double fan_out) {
  (void)fan_out;
  const double bound = fan_in > 0 ? 1.0 / sqrt(fan_in) : 0.0;
  switch (r) {
    case R_CONV_W: case R_CONV_B: case R_LIN_W: case R_LIN_B: return uniform(bound);
    case R_BN_SCALE: case R_BN_VAR: return constant(1.0);
    case R_PRELU: return constant(0.25);
    default: return constant(0.0); /* BN bias and running mean */
  }
}

/* torchvision ResNet/VGG: He normal over fan_out for convs, N(0, 0.01) for linears, zero biases. */
static dist scheme_kaiming_fan_out(role r, double fan_in, double fan_out) {
  (void)fan_in;
  switch (r) {
    case R_CONV_W: return normal(fan_out > 0 ? sqrt(2.0 / fan_out) : 0.0);
    case R_LIN_W: return normal(0.01);
    case R_BN_SCALE: case R_BN_VAR: return constant(1.0);
    case R_PRELU: return constant(0.25);
    default: return constant(0.0); /* biases, BN bias and running mean */
  }
}

static const struct {
  const char *name;
  dist (*draw)(role r, double fan_in, double fan_out);
} schemes[] = {{"pytorch", scheme_pytorch}, {"kaiming-normal-fan-out", scheme_kaiming_fan_out}};
#define N_SCHEMES (sizeof schemes / sizeof schemes[0])

const char *const *cb_model_reinit_schemes(void) {
  static const char *const names[] = {"pytorch", "kaiming-normal-fan-out", NULL};
  _Static_assert(sizeof names / sizeof names[0] == N_SCHEMES + 1, "one name per scheme");
  return names;
}

/* Per value: the role it was claimed for and the fans of its layer's weight. */
typedef struct claims {
  cb_graph *g;
  unsigned char *role; /* (n_values) role, R_NONE when not a parameter */
  double *fan_in;      /* (n_values) */
  double *fan_out;     /* (n_values) */
} claims;

static int is_float_const(const cb_graph *g, int id) {
  return id >= 0 && id < g->n_values && g->values[id].kind == CB__V_CONST && g->values[id].dtype == CB_DT_FLOAT;
}

/* Ops that only move elements: a constant they fold from one float constant
 * is that constant re-arranged (a transposed Linear weight, mnist-8's
 * reshaped MatMul weight). */
static int is_layout_op(const char *op) {
  static const char *const ops[] = {"Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", NULL};
  for (const char *const *o = ops; *o; ++o)
    if (strcmp(*o, op) == 0) return 1;
  return 0;
}

/* The stored tensor to draw for parameter id: the initializer it was folded
 * from through layout-only ops (elements are i.i.d., so drawing the source
 * and re-folding gives the parameter the same distribution), else id itself. */
static int source_of(const cb_graph *g, int id) {
  int v = id;
  while (g->values[v].producer >= 0) {
    const cb__value *val = &g->values[v];
    const cb__node *n = &g->nodes[val->producer];
    if (!n->folded || !is_layout_op(n->op->name) || n->n_in < 1 || n->out[0] != v || !is_float_const(g, n->in[0]) ||
        cb__numel(&g->values[n->in[0]]) != cb__numel(val))
      return id;
    for (int k = 1; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].dtype == CB_DT_FLOAT) return id;
    v = n->in[0];
  }
  return v;
}

/* Claims constant id (or its source) for role r; the first claim in graph
 * order wins (tied weights); constants declared fixed are never claimed. */
static void claim(claims *c, int id, role r, double fan_in, double fan_out) {
  if (!is_float_const(c->g, id) || c->g->values[id].fixed) return;
  int s = source_of(c->g, id);
  if (c->role[s] != R_NONE || c->g->values[s].fixed) return;
  c->role[s] = (unsigned char)r;
  c->fan_in[s] = fan_in;
  c->fan_out[s] = fan_out;
}

/* The constant added to node ni's output right after it (a bias kept as a
 * separate Add, e.g. CNTK's Conv + Add (C, 1, 1) or MatMul + Add (out)): the
 * first Add reading output 0 with a float constant that broadcasts along
 * axis `axis` of the output only; -1 when none. */
static int bias_add(const cb_graph *g, int ni, int axis) {
  const int y = g->nodes[ni].out[0];
  const cb__value *yv = &g->values[y];
  for (int j = ni + 1; j < g->n_nodes; ++j) {
    const cb__node *a = &g->nodes[j];
    if (a->folded || strcmp(a->op->name, "Add") != 0 || a->n_in != 2) continue;
    const int b = a->in[0] == y ? a->in[1] : a->in[1] == y ? a->in[0] : -1;
    if (!is_float_const(g, b)) continue;
    const cb__value *bv = &g->values[b];
    int ok = bv->ndim <= yv->ndim && cb__numel(bv) == yv->shape[axis];
    for (int d = 0; d < bv->ndim && ok; ++d) {
      const int yd = d + yv->ndim - bv->ndim;
      ok = bv->shape[d] == (yd == axis ? yv->shape[axis] : 1);
    }
    if (ok) return b;
  }
  return -1;
}

/* Finds every parameter: the weight, bias and BN inputs of the operators
 * that run (folded nodes compute constants, not layers). */
static void find_params(claims *c) {
  cb_graph *g = c->g;
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    const char *op = n->op->name;
    int w = n->n_in > 1 ? n->in[1] : -1, b = n->n_in > 2 ? n->in[2] : -1;
    if (n->op == &cb__op_conv && is_float_const(g, w)) {
      const cb__value *wv = &g->values[w];
      double rf = 1.0;
      for (int d = 2; d < wv->ndim; ++d) rf *= (double)wv->shape[d];
      const double fi = (double)wv->shape[1] * rf, fo = (double)wv->shape[0] * rf;
      claim(c, w, R_CONV_W, fi, fo);
      if (b < 0) b = bias_add(g, i, 1);
      claim(c, b, R_CONV_B, fi, fo);
    } else if ((n->op == &cb__op_gemm || n->op == &cb__op_matmul) && is_float_const(g, w) && g->values[w].ndim == 2) {
      const cb__value *wv = &g->values[w];
      const int tb = n->op == &cb__op_gemm && n->p.trans_b; /* B (out, in) when transposed, else (in, out) */
      const double fi = (double)wv->shape[tb ? 1 : 0], fo = (double)wv->shape[tb ? 0 : 1];
      claim(c, w, R_LIN_W, fi, fo);
      if (b < 0) b = bias_add(g, i, g->values[n->out[0]].ndim - 1);
      claim(c, b, R_LIN_B, fi, fo);
    } else if (n->op == &cb__op_batchnorm) {
      static const role bn[4] = {R_BN_SCALE, R_BN_BIAS, R_BN_MEAN, R_BN_VAR};
      for (int k = 1; k < 5 && k < n->n_in; ++k) claim(c, n->in[k], bn[k - 1], 0, 0);
    } else if (strcmp(op, "PRelu") == 0) {
      claim(c, w, R_PRELU, 0, 0);
    }
  }
}

/* Index of scheme in schemes[]; an error listing the accepted names when unknown. */
static cb_status find_scheme(const char *scheme, size_t *out) {
  size_t si = 0;
  while (si < N_SCHEMES && strcmp(schemes[si].name, scheme) != 0) ++si;
  if (si == N_SCHEMES) {
    char names[256] = "";
    size_t used = 0;
    for (size_t k = 0; k < N_SCHEMES && used < sizeof names; ++k)
      used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", schemes[k].name);
    return CB_ERROR(CB_ERR_ARG, "reinit scheme '%s' unknown (accepted: %s)", scheme, names);
  }
  *out = si;
  return CB_OK;
}

/* Draws every claimed parameter with scheme si; marks it dirty, and pinned when it is a folded value drawn itself. */
static void draw_params(cb_graph *g, const claims *c, size_t si, uint64_t seed, unsigned char *dirty /* (n_values) */,
                        unsigned char *pinned /* (n_values) */, cb_reinit_report *rep) {
  for (int v = 0; v < g->n_values; ++v) {
    if (c->role[v] == R_NONE) continue;
    cb__value *val = &g->values[v];
    float *d = val->cdata;
    const int64_t n = cb__numel(val);
    const dist ds = schemes[si].draw((role)c->role[v], c->fan_in[v], c->fan_out[v]);
    if (ds.kind == D_CONST)
      for (int64_t k = 0; k < n; ++k) d[k] = (float)ds.a;
    else
      cb__param_fill(d, n, ds.kind == D_UNIFORM, ds.a, seed, val->name);
    dirty[v] = 1;
    pinned[v] = val->producer >= 0; /* a folded value drawn itself (not traced to an initializer) */
    rep->n_params++;
    rep->n_values += n;
  }
}

/* Re-runs the folded nodes with a dirty input (in insertion order = dependency order), then detaches the pinned
 * values: drawn themselves, they no longer follow from their producer's inputs and become plain constants, hashed
 * by cb_graph_hash like an initializer. */
static void refold(cb_graph *g, unsigned char *dirty, const unsigned char *pinned, float *work) {
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (!n->folded) continue;
    int in_dirty = 0, out_pinned = 0;
    for (int k = 0; k < n->n_in; ++k) in_dirty |= n->in[k] >= 0 && dirty[n->in[k]];
    for (int k = 0; k < n->n_out; ++k) /* drawn now, or by an earlier call (detached below) */
      out_pinned |= pinned[n->out[k]] || g->values[n->out[k]].producer != i;
    if (!in_dirty || out_pinned) continue;
    n->op->run(g, n, work);
    for (int k = 0; k < n->n_out; ++k) dirty[n->out[k]] = 1;
  }
  for (int v = 0; v < g->n_values; ++v)
    if (pinned[v]) g->values[v].producer = -1;
}

/* Float constants a running operator reads that stay as they were (not fixed, not small): weights of operators
 * reinit does not know, which the caller should hear about. */
static void count_untouched(const cb_graph *g, unsigned char *dirty, cb_reinit_report *rep) {
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    for (int k = 0; k < n->n_in; ++k) {
      const int v = n->in[k];
      if (!is_float_const(g, v) || dirty[v] || g->values[v].fixed || cb__numel(&g->values[v]) <= 64) continue;
      dirty[v] = 1; /* counted once */
      rep->n_untouched++;
      if (cb__numel(&g->values[v]) > rep->untouched_numel) {
        rep->untouched_numel = cb__numel(&g->values[v]);
        snprintf(rep->untouched, sizeof rep->untouched, "%s", g->values[v].name);
      }
    }
  }
}

cb_status cb_graph_reinit(cb_graph *g, const char *scheme, uint64_t seed, cb_reinit_report *report) {
  if (g == NULL) return CB_ERROR(CB_ERR_ARG, "reinit: NULL graph");
  if (scheme == NULL) scheme = "pytorch";
  size_t si = 0;
  CB_CHECK(find_scheme(scheme, &si));
  cb_status st = CB_OK;
  const size_t nv = (size_t)(g->n_values > 0 ? g->n_values : 1);
  claims c = {g, calloc(nv, 1), calloc(nv, sizeof(double)), calloc(nv, sizeof(double))};
  unsigned char *dirty = calloc(nv, 1), *pinned = calloc(nv, 1); /* (n_values) each */
  size_t work_floats = 1;
  for (int i = 0; i < g->n_nodes; ++i)
    if (g->nodes[i].folded && g->nodes[i].work > work_floats) work_floats = g->nodes[i].work;
  float *work = malloc(work_floats * sizeof *work);
  CB_ALLOC_GOTO(c.role, st, done);
  CB_ALLOC_GOTO(c.fan_in, st, done);
  CB_ALLOC_GOTO(c.fan_out, st, done);
  CB_ALLOC_GOTO(dirty, st, done);
  CB_ALLOC_GOTO(pinned, st, done);
  CB_ALLOC_GOTO(work, st, done);
  /* nothing below fails: the graph is either re-drawn completely or left as it was */
  find_params(&c);
  cb_reinit_report rep;
  memset(&rep, 0, sizeof rep);
  draw_params(g, &c, si, seed, dirty, pinned, &rep);
  refold(g, dirty, pinned, work);
  count_untouched(g, dirty, &rep);
  if (report) *report = rep;
done:
  free(c.role);
  free(c.fan_in);
  free(c.fan_out);
  free(dirty);
  free(pinned);
  free(work);
  return st;
}

cb_status cb_model_reinit(cb_model *m, const char *scheme, uint64_t seed) {
  if (m == NULL) return CB_ERROR(CB_ERR_ARG, "reinit: NULL model");
  cb_reinit_report rep;
  cb_status st = cb_graph_reinit(m->g, scheme, seed, &rep);
  if (st != CB_OK) return cb_error_prefix("model '%s'", m->name);
  if (rep.n_params == 0) /* nothing changed: its "untrained twin" would be the model itself */
    return CB_ERROR(CB_ERR_UNSUPPORTED,
                    "model '%s': no learned parameters to re-draw (no Conv, Gemm, MatMul, BatchNormalization "
                    "or PRelu weights; fixed filter banks are kept)",
                    m->name);
  cb_log(CB_LOG_DEBUG, "model '%s': %d parameter tensors (%" PRId64 " values) re-drawn, scheme %s, seed %" PRIu64,
         m->name, rep.n_params, rep.n_values, scheme ? scheme : "pytorch", seed);
  if (rep.n_untouched > 0)
    cb_warn0("model '%s': reinit left %d float constants as they were (largest '%s', %" PRId64
             " values): not weights of Conv, Gemm, MatMul, BatchNormalization or PRelu",
             m->name, rep.n_untouched, rep.untouched, rep.untouched_numel);
  return CB_OK;
}
