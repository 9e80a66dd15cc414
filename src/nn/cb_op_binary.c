/* cb_op_binary.c - elementwise operators with numpy broadcasting: Add, Sub,
 * Mul, Div, Pow, Max, Min, Sum, Mean (variadic) and PRelu. float32 at run
 * time; int64 too when folding shape arithmetic. */
#include <math.h>
#include <string.h>

#include "cb_graph_impl.h"

typedef enum bmode { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_PRELU } bmode;

static const struct {
  const char *name;
  bmode mode;
  int variadic;
} defs[] = {{"Add", B_ADD, 0}, {"Sub", B_SUB, 0}, {"Mul", B_MUL, 0}, {"Div", B_DIV, 0},   {"Pow", B_POW, 0},
            {"Max", B_MAX, 1}, {"Min", B_MIN, 1}, {"Sum", B_ADD, 1}, {"Mean", B_ADD, 1}, {"PRelu", B_PRELU, 0}};

static cb_status binary_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {NULL};
  char ba[96], bb[96];
  int k = 0;
  while (strcmp(defs[k].name, n->op->name) != 0) ++k;
  n->p.mode = (int)defs[k].mode;
  n->p.trans_a = strcmp(n->op->name, "Mean") == 0;
  CB_CHECK(cb__attrs_known(n, known));
  int is_int = 1;
  for (int i = 0; i < n->n_in; ++i) {
    const cb__value *v = cb__in(g, n, i);
    if (v == NULL || v->dtype != CB_DT_INT64) is_int = 0;
  }
  if (is_int && (defs[k].mode == B_POW || defs[k].mode == B_PRELU || n->p.trans_a)) is_int = 0;
  CB_CHECK(cb__check_inputs(g, n, defs[k].variadic ? 1 : 2, defs[k].variadic ? 64 : 2, is_int ? ~0u : 0u));
  int64_t shape[CB__MAXD];
  int nd = 0;
  for (int i = 0; i < n->n_in; ++i) {
    const cb__value *v = cb__in(g, n, i);
    if (v->ndim > nd) {
      for (int d = nd; d < v->ndim; ++d) shape[d] = 1;
      /* shift right-aligned dims */
      int shift = v->ndim - nd;
      for (int d = nd - 1; d >= 0; --d) shape[d + shift] = shape[d];
      for (int d = 0; d < shift; ++d) shape[d] = 1;
      nd = v->ndim;
    }
    for (int d = 0; d < v->ndim; ++d) {
      int64_t *o = &shape[nd - v->ndim + d], s = v->shape[d];
      if (*o == s || s == 1) continue;
      if (*o == 1) *o = s;
      else {
        const cb__value *a = cb__in(g, n, 0);
        return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shapes of '%s' %s and '%s' %s do not broadcast", a->name,
                              cb__shape_str(a, ba, sizeof ba), v->name, cb__shape_str(v, bb, sizeof bb));
      }
    }
  }
  if (defs[k].mode == B_PRELU) {
    const cb__value *x = cb__in(g, n, 0);
    if (nd != x->ndim || memcmp(shape, x->shape, (size_t)nd * sizeof *shape) != 0)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "slope '%s' %s does not broadcast to '%s' %s", cb__in(g, n, 1)->name,
                            cb__shape_str(cb__in(g, n, 1), bb, sizeof bb), x->name, cb__shape_str(x, ba, sizeof ba));
  }
  cb__set_out(g, n, 0, is_int ? CB_DT_INT64 : CB_DT_FLOAT, nd, shape);
  return CB_OK;
}

static float fop(bmode m, float a, float b) {
  switch (m) {
  case B_ADD: return a + b;
  case B_SUB: return a - b;
  case B_MUL: return a * b;
  case B_DIV: return a / b;
  case B_POW: return powf(a, b);
  case B_MAX: return a > b || a != a ? a : b;
  case B_MIN: return a < b || a != a ? a : b;
  case B_PRELU: return a < 0 ? a * b : a;
  }
  return 0;
}

/* int64 shape arithmetic from a file: wraps on overflow (two's complement, as numpy) instead of being undefined. */
static int64_t iop(bmode m, int64_t a, int64_t b) {
  switch (m) {
  case B_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
  case B_SUB: return (int64_t)((uint64_t)a - (uint64_t)b);
  case B_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
  case B_DIV: return b == 0 ? 0 : (b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b);
  case B_MAX: return a > b ? a : b;
  case B_MIN: return a < b ? a : b;
  default: return 0;
  }
}

/* y[i] = a[i] (op) b[i], i < n, with the common operators' loops written out (they vectorise; same IEEE results). */
static void fop_run(bmode m, const float *a, const float *b, float *y, int64_t n) {
  switch (m) {
  case B_ADD:
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
    return;
  case B_SUB:
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] - b[i];
    return;
  case B_MUL:
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
    return;
  case B_DIV:
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] / b[i];
    return;
  default:
    for (int64_t i = 0; i < n; ++i) y[i] = fop(m, a[i], b[i]);
  }
}

/* Element strides of v broadcast to out (0 on broadcast dims). */
static void bstrides(const cb__value *v, const cb__value *out, int64_t *st) {
  int64_t s = 1;
  for (int d = out->ndim - 1; d >= 0; --d) {
    int vd = d - (out->ndim - v->ndim);
    int64_t dim = vd >= 0 ? v->shape[vd] : 1;
    st[d] = dim == 1 ? 0 : s;
    s *= dim;
  }
}

/* y = a (op) b with broadcasting; a may alias y when a has y's shape. */
static void apply(bmode m, const cb__value *av, const void *ad, const cb__value *bv, const cb__value *yv) {
  int64_t sa[CB__MAXD], sb[CB__MAXD], idx[CB__MAXD] = {0};
  bstrides(av, yv, sa);
  bstrides(bv, yv, sb);
  const int nd = yv->ndim;
  const int64_t total = cb__numel(yv);
  if (total == 0) return;
  const int64_t inner = nd > 0 ? yv->shape[nd - 1] : 1, ia = nd > 0 ? sa[nd - 1] : 0, ib = nd > 0 ? sb[nd - 1] : 0;
  if (yv->dtype == CB_DT_FLOAT && cb__numel(av) == total && cb__numel(bv) == total) { /* no broadcasting */
    fop_run(m, ad, bv->data, yv->data, total);
    return;
  }
  int64_t oa = 0, ob = 0;
  for (int64_t base = 0; base < total; base += inner) {
    if (yv->dtype == CB_DT_FLOAT) {
      const float *a = (const float *)ad + oa, *b = (const float *)bv->data + ob;
      float *y = (float *)yv->data + base;
      if (ia == 1 && ib == 1)
        fop_run(m, a, b, y, inner);
      else if (ia == 1 && ib == 0)
        for (int64_t i = 0; i < inner; ++i) y[i] = fop(m, a[i], b[0]);
      else
        for (int64_t i = 0; i < inner; ++i) y[i] = fop(m, a[i * ia], b[i * ib]);
    } else {
      const int64_t *a = (const int64_t *)ad + oa, *b = (const int64_t *)bv->data + ob;
      int64_t *y = (int64_t *)yv->data + base;
      for (int64_t i = 0; i < inner; ++i) y[i] = iop(m, a[i * ia], b[i * ib]);
    }
    for (int d = nd - 2; d >= 0; --d) {
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < yv->shape[d]) break;
      oa -= sa[d] * yv->shape[d];
      ob -= sb[d] * yv->shape[d];
      idx[d] = 0;
    }
  }
}

static void binary_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  cb__value *y = cb__out(g, n, 0);
  const cb__value *a = cb__in(g, n, 0);
  int count = 0;
  while (count < n->n_in && n->in[count] >= 0) ++count;
  if (count == 1) {
    /* y = a broadcast: apply(Max/Min/Add of a with itself is not identity for Add) */
    cb__value zero = *a;
    float zf = 0.0f;
    int64_t zi = 0;
    zero.ndim = 0;
    zero.data = a->dtype == CB_DT_FLOAT ? (void *)&zf : (void *)&zi;
    apply(B_ADD, a, a->data, &zero, y);
  } else {
    apply((bmode)n->p.mode, a, a->data, cb__in(g, n, 1), y);
    for (int k = 2; k < count; ++k) apply((bmode)n->p.mode, y, y->data, cb__in(g, n, k), y);
  }
  if (n->p.trans_a && y->dtype == CB_DT_FLOAT) { /* Mean */
    float *yd = y->data;
    for (int64_t i = 0; i < cb__numel(y); ++i) yd[i] /= (float)count;
  }
}

#define B(name) {name, binary_prepare, binary_run, 0}
const cb__op cb__binary_ops[] = {B("Add"), B("Sub"), B("Mul"), B("Div"),  B("Pow"),   B("Max"),
                                 B("Min"), B("Sum"), B("Mean"), B("PRelu"), {NULL, NULL, NULL, 0}};
