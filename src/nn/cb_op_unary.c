/* cb_op_unary.c - elementwise operators of one tensor: activations (Relu,
 * LeakyRelu, Sigmoid, Tanh, Clip, Elu, Selu, ...), maths (Exp, Log, Sqrt,
 * ...), and the identities (Identity, Dropout in inference). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "cb_graph_impl.h"

typedef enum umode {
  U_RELU, U_LEAKY, U_SIGMOID, U_TANH, U_CLIP, U_ELU, U_SELU, U_CELU, U_HSIGMOID, U_HSWISH, U_THRELU, U_SOFTPLUS,
  U_SOFTSIGN, U_ABS, U_NEG, U_EXP, U_LOG, U_SQRT, U_RECIP, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_SIN, U_COS, U_TAN,
  U_ERF, U_IDENTITY, U_DROPOUT
} umode;

typedef struct udef {
  const char *name;
  umode mode;
  const char *attr[3]; /* accepted attributes, NULL-terminated */
  float dflt[2];       /* defaults of attr[0], attr[1] (floats) */
} udef;

static const udef defs[] = {
    {"Relu", U_RELU, {NULL}, {0, 0}},
    {"LeakyRelu", U_LEAKY, {"alpha", NULL}, {0.01f, 0}},
    {"Sigmoid", U_SIGMOID, {NULL}, {0, 0}},
    {"Tanh", U_TANH, {NULL}, {0, 0}},
    {"Clip", U_CLIP, {"min", "max", NULL}, {-FLT_MAX, FLT_MAX}},
    {"Elu", U_ELU, {"alpha", NULL}, {1.0f, 0}},
    {"Selu", U_SELU, {"alpha", "gamma", NULL}, {1.67326319217681884765625f, 1.05070102214813232421875f}},
    {"Celu", U_CELU, {"alpha", NULL}, {1.0f, 0}},
    {"HardSigmoid", U_HSIGMOID, {"alpha", "beta", NULL}, {0.2f, 0.5f}},
    {"HardSwish", U_HSWISH, {NULL}, {0, 0}},
    {"ThresholdedRelu", U_THRELU, {"alpha", NULL}, {1.0f, 0}},
    {"Softplus", U_SOFTPLUS, {NULL}, {0, 0}},
    {"Softsign", U_SOFTSIGN, {NULL}, {0, 0}},
    {"Abs", U_ABS, {NULL}, {0, 0}},
    {"Neg", U_NEG, {NULL}, {0, 0}},
    {"Exp", U_EXP, {NULL}, {0, 0}},
    {"Log", U_LOG, {NULL}, {0, 0}},
    {"Sqrt", U_SQRT, {NULL}, {0, 0}},
    {"Reciprocal", U_RECIP, {NULL}, {0, 0}},
    {"Floor", U_FLOOR, {NULL}, {0, 0}},
    {"Ceil", U_CEIL, {NULL}, {0, 0}},
    {"Round", U_ROUND, {NULL}, {0, 0}},
    {"Sign", U_SIGN, {NULL}, {0, 0}},
    {"Sin", U_SIN, {NULL}, {0, 0}},
    {"Cos", U_COS, {NULL}, {0, 0}},
    {"Tan", U_TAN, {NULL}, {0, 0}},
    {"Erf", U_ERF, {NULL}, {0, 0}},
    {"Identity", U_IDENTITY, {NULL}, {0, 0}},
    {"Dropout", U_DROPOUT, {"ratio", "seed", NULL}, {0, 0}},
};

static const udef *find_def(const char *name) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; ++i)
    if (strcmp(defs[i].name, name) == 0) return &defs[i];
  return NULL;
}

static cb_status unary_prepare(cb_graph *g, cb__node *n) {
  const udef *d = find_def(n->op->name);
  CB_CHECK(cb__attrs_known(n, d->attr));
  n->p.mode = (int)d->mode;
  n->p.f[0] = d->attr[0] ? cb__attr_float(n, d->attr[0], d->dflt[0]) : 0.0f;
  n->p.f[1] = d->attr[0] && d->attr[1] ? cb__attr_float(n, d->attr[1], d->dflt[1]) : 0.0f;
  if (d->mode == U_CLIP) {
    if (g->opset >= 11 && n->n_attr > 0)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute '%s' is not allowed from opset 11 (min/max are inputs)", n->attr[0].name);
    CB_CHECK(cb__check_inputs(g, n, 1, 3, 0));
    for (int k = 1; k < 3; ++k) {
      const cb__value *v = cb__in(g, n, k);
      if (v && cb__numel(v) != 1) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' must be a scalar", v->name);
    }
  } else if (d->mode == U_DROPOUT) {
    if (n->n_out > 1) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "output 'mask' is read by other nodes (unsupported)");
    CB_CHECK(cb__check_inputs(g, n, 1, 3, 6u));
    const cb__value *t = cb__in(g, n, 2);
    /* training_mode true (a training-mode export) or false: inference is the identity either way; training
     * (src/train) draws its own masks */
    if (t != NULL && (t->kind != CB__V_CONST || cb__numel(t) != 1))
      return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input 'training_mode' must be a constant");
  } else {
    CB_CHECK(cb__check_inputs(g, n, 1, 1, d->mode == U_IDENTITY ? 1u : 0u));
  }
  const cb__value *x = cb__in(g, n, 0);
  cb__set_out(g, n, 0, x->dtype, x->ndim, x->shape);
  return CB_OK;
}

static void unary_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *xv = cb__in(g, n, 0);
  cb__value *yv = cb__out(g, n, 0);
  const size_t m = (size_t)cb__numel(xv);
  if (n->p.mode == U_IDENTITY || n->p.mode == U_DROPOUT) {
    memcpy(yv->data, xv->data, m * cb__dtype_size(xv->dtype));
    return;
  }
  const float *x = xv->data;
  float *y = yv->data;
  const float a = n->p.f[0], b = n->p.f[1];
  switch ((umode)n->p.mode) {
  case U_RELU: cb_relu_forward(x, m, y); break;
  case U_LEAKY: for (size_t i = 0; i < m; ++i) y[i] = x[i] < 0 ? a * x[i] : x[i]; break;
  case U_SIGMOID:
    for (size_t i = 0; i < m; ++i) y[i] = x[i] >= 0 ? 1.0f / (1.0f + expf(-x[i])) : expf(x[i]) / (1.0f + expf(x[i]));
    break;
  case U_TANH: for (size_t i = 0; i < m; ++i) y[i] = tanhf(x[i]); break;
  case U_CLIP: {
    float lo = a, hi = b;
    const cb__value *vl = cb__in(g, n, 1), *vh = cb__in(g, n, 2);
    if (g->opset >= 11) {
      lo = vl ? *(const float *)vl->data : -INFINITY;
      hi = vh ? *(const float *)vh->data : INFINITY;
    }
    for (size_t i = 0; i < m; ++i) y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
    break;
  }
  case U_ELU: for (size_t i = 0; i < m; ++i) y[i] = x[i] < 0 ? a * expm1f(x[i]) : x[i]; break;
  case U_SELU: for (size_t i = 0; i < m; ++i) y[i] = x[i] <= 0 ? b * (a * expf(x[i]) - a) : b * x[i]; break;
  case U_CELU: for (size_t i = 0; i < m; ++i) y[i] = fmaxf(0.0f, x[i]) + fminf(0.0f, a * expm1f(x[i] / a)); break;
  case U_HSIGMOID: for (size_t i = 0; i < m; ++i) y[i] = fmaxf(0.0f, fminf(1.0f, a * x[i] + b)); break;
  case U_HSWISH: for (size_t i = 0; i < m; ++i) y[i] = x[i] * fmaxf(0.0f, fminf(1.0f, x[i] / 6.0f + 0.5f)); break;
  case U_THRELU: for (size_t i = 0; i < m; ++i) y[i] = x[i] > a ? x[i] : 0.0f; break;
  case U_SOFTPLUS: for (size_t i = 0; i < m; ++i) y[i] = (float)log1p(exp((double)x[i])); break;
  case U_SOFTSIGN: for (size_t i = 0; i < m; ++i) y[i] = x[i] / (1.0f + fabsf(x[i])); break;
  case U_ABS: for (size_t i = 0; i < m; ++i) y[i] = fabsf(x[i]); break;
  case U_NEG: for (size_t i = 0; i < m; ++i) y[i] = -x[i]; break;
  case U_EXP: for (size_t i = 0; i < m; ++i) y[i] = expf(x[i]); break;
  case U_LOG: for (size_t i = 0; i < m; ++i) y[i] = logf(x[i]); break;
  case U_SQRT: for (size_t i = 0; i < m; ++i) y[i] = sqrtf(x[i]); break;
  case U_RECIP: for (size_t i = 0; i < m; ++i) y[i] = 1.0f / x[i]; break;
  case U_FLOOR: for (size_t i = 0; i < m; ++i) y[i] = floorf(x[i]); break;
  case U_CEIL: for (size_t i = 0; i < m; ++i) y[i] = ceilf(x[i]); break;
  case U_ROUND: for (size_t i = 0; i < m; ++i) y[i] = rintf(x[i]); break; /* half to even */
  case U_SIGN: for (size_t i = 0; i < m; ++i) y[i] = (float)((x[i] > 0) - (x[i] < 0)); break;
  case U_SIN: for (size_t i = 0; i < m; ++i) y[i] = sinf(x[i]); break;
  case U_COS: for (size_t i = 0; i < m; ++i) y[i] = cosf(x[i]); break;
  case U_TAN: for (size_t i = 0; i < m; ++i) y[i] = tanf(x[i]); break;
  case U_ERF: for (size_t i = 0; i < m; ++i) y[i] = erff(x[i]); break;
  case U_IDENTITY:
  case U_DROPOUT: break;
  }
}

#define U(name) {name, unary_prepare, unary_run, 0}
const cb__op cb__unary_ops[] = {
    U("Relu"), U("LeakyRelu"), U("Sigmoid"), U("Tanh"), U("Clip"), U("Elu"), U("Selu"), U("Celu"),
    U("HardSigmoid"), U("HardSwish"), U("ThresholdedRelu"), U("Softplus"), U("Softsign"), U("Abs"), U("Neg"),
    U("Exp"), U("Log"), U("Sqrt"), U("Reciprocal"), U("Floor"), U("Ceil"), U("Round"), U("Sign"), U("Sin"),
    U("Cos"), U("Tan"), U("Erf"), U("Identity"), U("Dropout"), {NULL, NULL, NULL, 0}};
