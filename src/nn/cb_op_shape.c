/* cb_op_shape.c - data movement and shape operators: Reshape, Flatten,
 * Transpose, Concat, Gather, Unsqueeze, Squeeze, Slice, Pad, Expand, Cast,
 * and the shape queries Shape, Size, ConstantOfShape (folded at build time).
 * They move elements of 4 (float32) or 8 (int64) bytes. */
#include <string.h>

#include "cb_graph_impl.h"
#include "cb_tensor.h"

static void row_strides(const cb__value *v, int64_t *st) {
  int64_t s = 1;
  for (int d = v->ndim - 1; d >= 0; --d) {
    st[d] = s;
    s *= v->shape[d];
  }
}

static void copy_all(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  memcpy(cb__out(g, n, 0)->data, x->data, (size_t)cb__numel(x) * cb__dtype_size(x->dtype));
}

/* ---- Reshape ---- */
static cb_status reshape_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"allowzero", NULL};
  char bx[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 2, 3u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t s[CB__MAXD];
  int nd = 0;
  CB_CHECK(cb__const_ints(g, n, 1, CB__MAXD, s, &nd));
  int allowzero = cb__attr_int(n, "allowzero", 0) != 0, infer = -1;
  int64_t known_prod = 1;
  for (int d = 0; d < nd; ++d) {
    if (s[d] == 0 && !allowzero) {
      if (d >= x->ndim) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape entry 0 at %d copies a missing input dimension", d);
      s[d] = x->shape[d];
    }
    if (s[d] == -1) {
      if (infer >= 0) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape has two -1 entries");
      infer = d;
    } else if (s[d] < 0) {
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape entry %lld invalid", (long long)s[d]);
    } else if (!cb_size_mul(known_prod, s[d], CB_TENSOR_MAX_NUMEL, &known_prod)) {
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape entries multiply to more than %lld elements (the largest tensor supported)",
                            (long long)CB_TENSOR_MAX_NUMEL);
    }
  }
  int64_t total = cb__numel(x);
  if (infer >= 0) {
    if (known_prod == 0 || total % known_prod)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "cannot reshape '%s' %s: %lld elements", x->name, cb__shape_str(x, bx, sizeof bx), (long long)total);
    s[infer] = total / known_prod;
  } else if (known_prod != total) {
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape mismatch: cannot reshape '%s' %s (%lld elements) to %lld elements", x->name,
                          cb__shape_str(x, bx, sizeof bx), (long long)total, (long long)known_prod);
  }
  cb__set_out(g, n, 0, x->dtype, nd, s);
  return CB_OK;
}

/* ---- Flatten ---- */
static cb_status flatten_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axis", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t axis = cb__attr_int(n, "axis", 1);
  if (axis < 0) axis += x->ndim;
  if (axis < 0 || axis > x->ndim) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'axis' out of range for rank %d", x->ndim);
  int64_t s[2] = {1, 1};
  for (int d = 0; d < x->ndim; ++d) s[d < axis ? 0 : 1] *= x->shape[d];
  cb__set_out(g, n, 0, x->dtype, 2, s);
  return CB_OK;
}

/* ---- Transpose ---- */
static cb_status transpose_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"perm", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  const cb__value *x = cb__in(g, n, 0);
  const cb_attr *a = cb__attr(n, "perm");
  int used[CB__MAXD] = {0};
  int64_t s[CB__MAXD];
  if (a && a->n != x->ndim) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'perm' has %d values for rank %d", a->n, x->ndim);
  for (int d = 0; d < x->ndim; ++d) {
    int64_t p = a ? a->i[d] : x->ndim - 1 - d;
    if (p < 0) p += x->ndim;
    if (p < 0 || p >= x->ndim || used[p]++) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'perm' is not a permutation");
    n->p.ints[d] = p;
    s[d] = x->shape[p];
  }
  cb__set_out(g, n, 0, x->dtype, x->ndim, s);
  return CB_OK;
}

static void transpose_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  int64_t xs[CB__MAXD], st[CB__MAXD], idx[CB__MAXD] = {0};
  row_strides(x, xs);
  for (int d = 0; d < y->ndim; ++d) st[d] = xs[n->p.ints[d]];
  const size_t es = cb__dtype_size(x->dtype);
  const int64_t total = cb__numel(y);
  int64_t off = 0;
  for (int64_t i = 0; i < total; ++i) {
    memcpy((char *)y->data + (size_t)i * es, (const char *)x->data + (size_t)off * es, es);
    for (int d = y->ndim - 1; d >= 0; --d) {
      off += st[d];
      if (++idx[d] < y->shape[d]) break;
      off -= st[d] * y->shape[d];
      idx[d] = 0;
    }
  }
}

/* ---- Concat ---- */
static cb_status concat_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axis", NULL};
  char ba[96], bb[96];
  CB_CHECK(cb__attrs_known(n, known));
  const cb__value *a = cb__in(g, n, 0);
  if (a == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "no inputs");
  CB_CHECK(cb__check_inputs(g, n, 1, 1 << 20, a->dtype == CB_DT_INT64 ? ~0u : 0u));
  if (cb__attr(n, "axis") == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'axis' is missing");
  CB_CHECK(cb__axis(n, cb__attr_int(n, "axis", 0), a->ndim, &n->p.axis));
  int64_t s[CB__MAXD];
  memcpy(s, a->shape, sizeof s);
  s[n->p.axis] = 0;
  for (int k = 0; k < n->n_in; ++k) {
    const cb__value *v = cb__in(g, n, k);
    if (v == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input %d is missing", k);
    int ok = v->ndim == a->ndim && v->dtype == a->dtype;
    for (int d = 0; ok && d < a->ndim; ++d) ok = d == n->p.axis || v->shape[d] == a->shape[d];
    if (!ok)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape mismatch: '%s' %s and '%s' %s on axis %lld", a->name,
                            cb__shape_str(a, ba, sizeof ba), v->name, cb__shape_str(v, bb, sizeof bb), (long long)n->p.axis);
    s[n->p.axis] += v->shape[n->p.axis];
  }
  cb__set_out(g, n, 0, a->dtype, a->ndim, s);
  return CB_OK;
}

static void concat_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  cb__value *y = cb__out(g, n, 0);
  const size_t es = cb__dtype_size(y->dtype);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < y->ndim; ++d) {
    if (d < n->p.axis) outer *= y->shape[d];
    if (d > n->p.axis) inner *= y->shape[d];
  }
  const size_t yrow = (size_t)(y->shape[n->p.axis] * inner) * es;
  size_t at = 0;
  for (int k = 0; k < n->n_in; ++k) {
    const cb__value *v = cb__in(g, n, k);
    const size_t row = (size_t)(v->shape[n->p.axis] * inner) * es;
    for (int64_t o = 0; o < outer; ++o)
      memcpy((char *)y->data + (size_t)o * yrow + at, (const char *)v->data + (size_t)o * row, row);
    at += row;
  }
}

/* ---- Shape, Size ---- */
static cb_status shape_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"start", "end", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t r = x->ndim, s = cb__attr_int(n, "start", 0), e = cb__attr_int(n, "end", r);
  if (s < 0) s += r;
  if (e < 0) e += r;
  s = s < 0 ? 0 : (s > r ? r : s);
  e = e < 0 ? 0 : (e > r ? r : e);
  n->p.ints[0] = s;
  int64_t len = e > s ? e - s : 0;
  cb__set_out(g, n, 0, CB_DT_INT64, 1, &len);
  return CB_OK;
}

static void shape_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  for (int64_t i = 0; i < y->shape[0]; ++i) ((int64_t *)y->data)[i] = x->shape[n->p.ints[0] + i];
}

static cb_status size_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  cb__set_out(g, n, 0, CB_DT_INT64, 0, NULL);
  return CB_OK;
}

static void size_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  *(int64_t *)cb__out(g, n, 0)->data = cb__numel(cb__in(g, n, 0));
}

/* ---- ConstantOfShape ---- */
static cb_status cos_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"value", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  int64_t s[CB__MAXD];
  int nd = 0;
  CB_CHECK(cb__const_ints(g, n, 0, CB__MAXD, s, &nd));
  for (int d = 0; d < nd; ++d)
    if (s[d] < 0) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "negative dimension %lld", (long long)s[d]);
  const cb_attr *v = cb__attr(n, "value");
  cb_dtype dt = CB_DT_FLOAT;
  if (v != NULL) {
    if (v->type != CB_ATTR_SCALAR_TENSOR) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'value' must be a one-element tensor");
    dt = v->dtype;
  }
  cb__set_out(g, n, 0, dt, nd, s);
  return CB_OK;
}

static void cos_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  cb__value *y = cb__out(g, n, 0);
  const cb_attr *v = cb__attr(n, "value");
  for (int64_t i = 0; i < cb__numel(y); ++i) {
    if (y->dtype == CB_DT_INT64) ((int64_t *)y->data)[i] = v ? v->i[0] : 0;
    else ((float *)y->data)[i] = v ? v->f[0] : 0.0f;
  }
}

/* ---- Cast ---- */
static cb_status cast_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"to", "saturate", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 1u));
  int64_t to = cb__attr_int(n, "to", 0);
  if (to != CB_DT_FLOAT && to != CB_DT_INT64)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'to' value %lld unsupported (float32 and int64 only)", (long long)to);
  const cb__value *x = cb__in(g, n, 0);
  cb__set_out(g, n, 0, (cb_dtype)to, x->ndim, x->shape);
  return CB_OK;
}

static void cast_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  const int64_t m = cb__numel(x);
  if (x->dtype == y->dtype) memcpy(y->data, x->data, (size_t)m * cb__dtype_size(x->dtype));
  else if (y->dtype == CB_DT_FLOAT)
    for (int64_t i = 0; i < m; ++i) ((float *)y->data)[i] = (float)((const int64_t *)x->data)[i];
  else
    for (int64_t i = 0; i < m; ++i) ((int64_t *)y->data)[i] = cb__f2i64(((const float *)x->data)[i]);
}

/* ---- Unsqueeze, Squeeze ---- */
static cb_status axes_of(cb_graph *g, cb__node *n, int64_t *axes, int *na, int *given) {
  *na = 0;
  *given = 0;
  const cb_attr *a = cb__attr(n, "axes");
  if (a != NULL) {
    if (g->opset >= 13) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'axes' is an input from opset 13");
    if (a->n > CB__MAXD) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'axes' has %d values (at most %d)", a->n, CB__MAXD);
    for (int k = 0; k < a->n; ++k) axes[k] = a->i[k];
    *na = a->n;
    *given = 1;
  } else if (cb__in(g, n, 1) != NULL) {
    CB_CHECK(cb__const_ints(g, n, 1, CB__MAXD, axes, na));
    *given = 1;
  }
  return CB_OK;
}

static cb_status unsqueeze_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axes", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 2, 3u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t axes[CB__MAXD];
  int na, given;
  CB_CHECK(axes_of(g, n, axes, &na, &given));
  if (!given) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'axes' is missing");
  int r = x->ndim + na;
  if (r > CB__MAXD) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "rank %d too large", r);
  int mark[CB__MAXD] = {0};
  for (int k = 0; k < na; ++k) {
    int64_t a;
    CB_CHECK(cb__axis(n, axes[k], r, &a));
    if (mark[a]++) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'axes' repeats axis %lld", (long long)a);
  }
  int64_t s[CB__MAXD];
  for (int d = 0, j = 0; d < r; ++d) s[d] = mark[d] ? 1 : x->shape[j++];
  cb__set_out(g, n, 0, x->dtype, r, s);
  return CB_OK;
}

static cb_status squeeze_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axes", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 2, 3u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t axes[CB__MAXD];
  int na, given, mark[CB__MAXD] = {0};
  CB_CHECK(axes_of(g, n, axes, &na, &given));
  for (int k = 0; k < na; ++k) {
    int64_t a;
    CB_CHECK(cb__axis(n, axes[k], x->ndim, &a));
    if (x->shape[a] != 1) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "cannot squeeze axis %lld of size %lld", (long long)a, (long long)x->shape[a]);
    mark[a] = 1;
  }
  int64_t s[CB__MAXD];
  int r = 0;
  for (int d = 0; d < x->ndim; ++d)
    if (!(given ? mark[d] : x->shape[d] == 1)) s[r++] = x->shape[d];
  cb__set_out(g, n, 0, x->dtype, r, s);
  return CB_OK;
}

/* ---- Gather ---- */
static cb_status gather_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axis", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 2, 3u));
  const cb__value *x = cb__in(g, n, 0), *ind = cb__in(g, n, 1);
  if (ind->dtype != CB_DT_INT64 || ind->kind != CB__V_CONST)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "indices '%s' must be a constant int64 tensor", ind->name);
  CB_CHECK(cb__axis(n, cb__attr_int(n, "axis", 0), x->ndim, &n->p.axis));
  const int64_t dim = x->shape[n->p.axis];
  for (int64_t i = 0; i < cb__numel(ind); ++i) {
    int64_t v = ((const int64_t *)ind->cdata)[i];
    if (v < -dim || v >= dim) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "index %lld out of range [%lld, %lld)", (long long)v, (long long)-dim, (long long)dim);
  }
  int r = x->ndim - 1 + ind->ndim;
  if (r > CB__MAXD) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "rank %d too large", r);
  int64_t s[CB__MAXD];
  int k = 0;
  for (int d = 0; d < n->p.axis; ++d) s[k++] = x->shape[d];
  for (int d = 0; d < ind->ndim; ++d) s[k++] = ind->shape[d];
  for (int d = (int)n->p.axis + 1; d < x->ndim; ++d) s[k++] = x->shape[d];
  cb__set_out(g, n, 0, x->dtype, r, s);
  return CB_OK;
}

static void gather_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0), *ind = cb__in(g, n, 1);
  cb__value *y = cb__out(g, n, 0);
  const size_t es = cb__dtype_size(x->dtype);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < x->ndim; ++d) {
    if (d < n->p.axis) outer *= x->shape[d];
    if (d > n->p.axis) inner *= x->shape[d];
  }
  const int64_t dim = x->shape[n->p.axis], ni = cb__numel(ind);
  const int64_t *iv = ind->data;
  char *yd = y->data;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < ni; ++i) {
      int64_t j = iv[i] < 0 ? iv[i] + dim : iv[i];
      memcpy(yd, (const char *)x->data + (size_t)((o * dim + j) * inner) * es, (size_t)inner * es);
      yd += (size_t)inner * es;
    }
}

/* ---- Slice: p.ints = starts, p.ints2 = (unused), p.ints3 = steps per dim ---- */
static cb_status slice_prepare(cb_graph *g, cb__node *n) {
  static const char *const known10[] = {NULL};
  static const char *const known9[] = {"starts", "ends", "axes", NULL};
  const int old = g->opset < 10;
  CB_CHECK(cb__attrs_known(n, old ? known9 : known10));
  CB_CHECK(cb__check_inputs(g, n, old ? 1 : 3, old ? 1 : 5, ~0u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t st[CB__MAXD], en[CB__MAXD], ax[CB__MAXD], sp[CB__MAXD];
  int ns = 0, ne = 0, na = 0, np = 0;
  if (old) {
    const cb_attr *a = cb__attr(n, "starts"), *b = cb__attr(n, "ends"), *c = cb__attr(n, "axes");
    if (!a || !b) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'starts' or 'ends' is missing");
    if (a->n > CB__MAXD || b->n > CB__MAXD || (c && c->n > CB__MAXD))
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attributes 'starts', 'ends', 'axes' have more than %d values", CB__MAXD);
    ns = a->n, ne = b->n;
    memcpy(st, a->i, (size_t)ns * sizeof *st);
    memcpy(en, b->i, (size_t)ne * sizeof *en);
    if (c) {
      na = c->n;
      memcpy(ax, c->i, (size_t)na * sizeof *ax);
    }
  } else {
    CB_CHECK(cb__const_ints(g, n, 1, CB__MAXD, st, &ns));
    CB_CHECK(cb__const_ints(g, n, 2, CB__MAXD, en, &ne));
    if (cb__in(g, n, 3)) CB_CHECK(cb__const_ints(g, n, 3, CB__MAXD, ax, &na));
    if (cb__in(g, n, 4)) CB_CHECK(cb__const_ints(g, n, 4, CB__MAXD, sp, &np));
  }
  if (ne != ns || (na && na != ns) || (np && np != ns))
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "starts, ends, axes and steps differ in length");
  if (!na && ns > x->ndim)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "%d starts for input '%s' of rank %d", ns, x->name, x->ndim);
  int64_t s[CB__MAXD];
  for (int d = 0; d < x->ndim; ++d) {
    n->p.ints[d] = 0;
    n->p.ints3[d] = 1;
    s[d] = x->shape[d];
  }
  for (int k = 0; k < ns; ++k) {
    int64_t a = k, step = np ? sp[k] : 1;
    if (na) CB_CHECK(cb__axis(n, ax[k], x->ndim, &a));
    if (step == 0) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "step 0");
    const int64_t dim = x->shape[a];
    int64_t b = st[k], e = en[k];
    /* A step longer than the dimension takes one element, as a step of the dimension's length does: clamp it
     * so that the arithmetic below and the strides of the run (step x stride) stay in range. */
    const int64_t maxstep = dim > 1 ? dim : 1;
    if (step > maxstep) step = maxstep;
    if (step < -maxstep) step = -maxstep;
    if (b < 0) b += dim;
    if (e < 0 && e > INT64_MIN / 2) e += dim;
    if (step > 0) {
      b = b < 0 ? 0 : (b > dim ? dim : b);
      e = e < 0 ? 0 : (e > dim ? dim : e);
    } else {
      b = b < 0 ? -1 : (b > dim - 1 ? dim - 1 : b);
      e = e < -1 ? -1 : (e > dim - 1 ? dim - 1 : e);
    }
    int64_t len = step > 0 ? (e - b + step - 1) / step : (b - e + (-step) - 1) / (-step);
    n->p.ints[a] = b;
    n->p.ints3[a] = step;
    s[a] = len > 0 ? len : 0;
  }
  cb__set_out(g, n, 0, x->dtype, x->ndim, s);
  return CB_OK;
}

static void slice_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  const size_t es = cb__dtype_size(x->dtype);
  int64_t xs[CB__MAXD], st[CB__MAXD], idx[CB__MAXD] = {0}, off = 0;
  row_strides(x, xs);
  for (int d = 0; d < x->ndim; ++d) {
    st[d] = xs[d] * n->p.ints3[d];
    off += n->p.ints[d] * xs[d];
  }
  const int64_t total = cb__numel(y);
  for (int64_t i = 0; i < total; ++i) {
    memcpy((char *)y->data + (size_t)i * es, (const char *)x->data + (size_t)off * es, es);
    for (int d = y->ndim - 1; d >= 0; --d) {
      off += st[d];
      if (++idx[d] < y->shape[d]) break;
      off -= st[d] * y->shape[d];
      idx[d] = 0;
    }
  }
}

/* ---- Pad: p.ints = pads (begin..., end...), p.mode 0 constant 1 reflect 2 edge, p.f[0] value ---- */
static cb_status pad_prepare(cb_graph *g, cb__node *n) {
  static const char *const known11[] = {"mode", NULL};
  static const char *const known2[] = {"mode", "pads", "value", NULL};
  const int old = g->opset < 11;
  char bx[96];
  CB_CHECK(cb__attrs_known(n, old ? known2 : known11));
  CB_CHECK(cb__check_inputs(g, n, old ? 1 : 2, old ? 1 : 3, 2u));
  const cb__value *x = cb__in(g, n, 0);
  const cb_attr *m = cb__attr(n, "mode");
  if (m == NULL || strcmp(m->s, "constant") == 0) n->p.mode = 0;
  else if (strcmp(m->s, "reflect") == 0) n->p.mode = 1;
  else if (strcmp(m->s, "edge") == 0) n->p.mode = 2;
  else return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'mode' value '%s' unsupported", m->s);
  int64_t pads[2 * CB__MAXD];
  int np = 0;
  n->p.f[0] = 0.0f;
  if (old) {
    const cb_attr *a = cb__attr(n, "pads");
    if (a == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'pads' is missing");
    np = a->n;
    memcpy(pads, a->i, (size_t)np * sizeof *pads);
    n->p.f[0] = cb__attr_float(n, "value", 0.0f);
  } else {
    CB_CHECK(cb__const_ints(g, n, 1, 2 * CB__MAXD, pads, &np));
    const cb__value *cv = cb__in(g, n, 2);
    if (cv != NULL) {
      if (cv->kind != CB__V_CONST || cb__numel(cv) != 1)
        return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input 'constant_value' must be a constant scalar");
      n->p.f[0] = *(const float *)cv->cdata;
    }
  }
  if (np != 2 * x->ndim) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "%d pads for input '%s' %s", np, x->name, cb__shape_str(x, bx, sizeof bx));
  for (int k = 0; k < np; ++k) /* then the sums below cannot overflow; the output's size is checked by the graph */
    if (pads[k] > CB_TENSOR_MAX_NUMEL || pads[k] < -CB_TENSOR_MAX_NUMEL)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "pad %lld of input '%s' exceeds the largest tensor (%lld elements)",
                            (long long)pads[k], x->name, (long long)CB_TENSOR_MAX_NUMEL);
  int64_t s[CB__MAXD];
  for (int d = 0; d < x->ndim; ++d) {
    n->p.ints[d] = pads[d];
    n->p.ints[CB__MAXD + d] = pads[x->ndim + d];
    s[d] = x->shape[d] + pads[d] + pads[x->ndim + d];
    if (s[d] < 0) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "pads crop more than dimension %d", d);
    if (n->p.mode == 1 && (pads[d] >= x->shape[d] || pads[x->ndim + d] >= x->shape[d]) && (pads[d] > 0 || pads[x->ndim + d] > 0))
      return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "reflect pads must be smaller than dimension %d", d);
    if (n->p.mode != 0 && x->shape[d] == 0 && s[d] > 0) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "cannot pad an empty dimension");
  }
  cb__set_out(g, n, 0, x->dtype, x->ndim, s);
  return CB_OK;
}

static void pad_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  int64_t xs[CB__MAXD], idx[CB__MAXD] = {0};
  row_strides(x, xs);
  const int64_t total = cb__numel(y);
  const float *xd = x->data;
  float *yd = y->data;
  for (int64_t i = 0; i < total; ++i) {
    int64_t off = 0;
    int inside = 1;
    for (int d = 0; d < x->ndim; ++d) {
      int64_t c = idx[d] - n->p.ints[d], dim = x->shape[d];
      if (c < 0 || c >= dim) {
        if (n->p.mode == 0) {
          inside = 0;
          break;
        }
        if (n->p.mode == 2) c = c < 0 ? 0 : dim - 1;
        else {
          int64_t period = 2 * (dim - 1);
          if (period == 0) c = 0;
          else {
            c = c % period;
            if (c < 0) c += period;
            if (c >= dim) c = period - c;
          }
        }
      }
      off += c * xs[d];
    }
    yd[i] = inside ? xd[off] : n->p.f[0];
    for (int d = y->ndim - 1; d >= 0; --d) {
      if (++idx[d] < y->shape[d]) break;
      idx[d] = 0;
    }
  }
}

/* ---- Expand ---- */
static cb_status expand_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {NULL};
  char bx[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 2, 3u));
  const cb__value *x = cb__in(g, n, 0);
  int64_t s[CB__MAXD];
  int ns = 0;
  CB_CHECK(cb__const_ints(g, n, 1, CB__MAXD, s, &ns));
  int r = ns > x->ndim ? ns : x->ndim;
  int64_t out[CB__MAXD];
  for (int d = 0; d < r; ++d) {
    int xd = d - (r - x->ndim), sd = d - (r - ns);
    int64_t a = xd >= 0 ? x->shape[xd] : 1, b = sd >= 0 ? s[sd] : 1;
    if (a != b && a != 1 && b != 1)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' %s does not broadcast to the shape", x->name, cb__shape_str(x, bx, sizeof bx));
    out[d] = a == 1 ? b : a;
  }
  cb__set_out(g, n, 0, x->dtype, r, out);
  return CB_OK;
}

static void expand_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  cb__value *y = cb__out(g, n, 0);
  int64_t st[CB__MAXD], idx[CB__MAXD] = {0}, s = 1, off = 0;
  for (int d = y->ndim - 1; d >= 0; --d) {
    int xd = d - (y->ndim - x->ndim);
    int64_t dim = xd >= 0 ? x->shape[xd] : 1;
    st[d] = dim == 1 ? 0 : s;
    s *= dim;
  }
  const size_t es = cb__dtype_size(x->dtype);
  for (int64_t i = 0; i < cb__numel(y); ++i) {
    memcpy((char *)y->data + (size_t)i * es, (const char *)x->data + (size_t)off * es, es);
    for (int d = y->ndim - 1; d >= 0; --d) {
      off += st[d];
      if (++idx[d] < y->shape[d]) break;
      off -= st[d] * y->shape[d];
      idx[d] = 0;
    }
  }
}

const cb__op cb__shape_ops[] = {{"Reshape", reshape_prepare, copy_all, 0},
                                {"Flatten", flatten_prepare, copy_all, 0},
                                {"Transpose", transpose_prepare, transpose_run, 0},
                                {"Concat", concat_prepare, concat_run, 0},
                                {"Shape", shape_prepare, shape_run, 1},
                                {"Size", size_prepare, size_run, 1},
                                {"ConstantOfShape", cos_prepare, cos_run, 0},
                                {"Cast", cast_prepare, cast_run, 0},
                                {"Unsqueeze", unsqueeze_prepare, copy_all, 0},
                                {"Squeeze", squeeze_prepare, copy_all, 0},
                                {"Gather", gather_prepare, gather_run, 0},
                                {"Slice", slice_prepare, slice_run, 0},
                                {"Pad", pad_prepare, pad_run, 0},
                                {"Expand", expand_prepare, expand_run, 0},
                                {NULL, NULL, NULL, 0}};
