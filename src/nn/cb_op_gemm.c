/* cb_op_gemm.c - ONNX Gemm (alpha, beta, transA, transB, C broadcast to
 * (M, N)) and MatMul (numpy semantics: 1-D operands, broadcast batch dims),
 * both on cblas_sgemm. */
#include <string.h>

#include "cb_graph_impl.h"

static cb_status gemm_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"alpha", "beta", "transA", "transB", NULL};
  char ba[96], bb[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 3, 0));
  const cb__value *a = cb__in(g, n, 0), *b = cb__in(g, n, 1), *c = cb__in(g, n, 2);
  if (a->ndim != 2 || b->ndim != 2)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "inputs '%s' %s and '%s' %s must be matrices", a->name,
                          cb__shape_str(a, ba, sizeof ba), b->name, cb__shape_str(b, bb, sizeof bb));
  n->p.trans_a = cb__attr_int(n, "transA", 0) != 0;
  n->p.trans_b = cb__attr_int(n, "transB", 0) != 0;
  n->p.f[0] = cb__attr_float(n, "alpha", 1.0f);
  n->p.f[1] = cb__attr_float(n, "beta", 1.0f);
  int64_t m = n->p.trans_a ? a->shape[1] : a->shape[0], k = n->p.trans_a ? a->shape[0] : a->shape[1];
  int64_t k2 = n->p.trans_b ? b->shape[1] : b->shape[0], nn = n->p.trans_b ? b->shape[0] : b->shape[1];
  if (k != k2)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape mismatch: A '%s' %s and B '%s' %s (transA %d, transB %d)", a->name,
                          cb__shape_str(a, ba, sizeof ba), b->name, cb__shape_str(b, bb, sizeof bb), n->p.trans_a,
                          n->p.trans_b);
  if (c != NULL) {
    int ok = c->ndim <= 2;
    if (ok && c->ndim >= 1 && c->shape[c->ndim - 1] != nn && c->shape[c->ndim - 1] != 1) ok = 0;
    if (ok && c->ndim == 2 && c->shape[0] != m && c->shape[0] != 1) ok = 0;
    if (!ok)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input C '%s' %s does not broadcast to [%lld, %lld]", c->name,
                            cb__shape_str(c, ba, sizeof ba), (long long)m, (long long)nn);
  }
  int64_t shape[2] = {m, nn};
  cb__set_out(g, n, 0, CB_DT_FLOAT, 2, shape);
  return CB_OK;
}

static void gemm_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *a = cb__in(g, n, 0), *b = cb__in(g, n, 1), *c = cb__in(g, n, 2);
  cb__value *yv = cb__out(g, n, 0);
  float *y = yv->data;
  const int m = (int)yv->shape[0], nn = (int)yv->shape[1];
  const int k = (int)(n->p.trans_a ? a->shape[0] : a->shape[1]);
  float beta = 0.0f;
  if (c != NULL && n->p.f[1] != 0.0f) {
    const float *cd = c->data;
    int cm = c->ndim == 2 ? (int)c->shape[0] : 1, cn = c->ndim >= 1 ? (int)c->shape[c->ndim - 1] : 1;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < nn; ++j) y[(size_t)i * nn + j] = cd[(size_t)(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
    beta = n->p.f[1];
  }
  if (m == 0 || nn == 0) return;
  if (k == 0) {
    for (size_t i = 0; i < (size_t)m * nn; ++i) y[i] *= beta;
    return;
  }
  cb_gemm_forward(n->p.trans_a, n->p.trans_b, m, nn, k, n->p.f[0], a->data, b->data, beta, y);
}

/* MatMul: a (..., m, k) x b (..., k, n); batch dims broadcast. */
static cb_status matmul_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {NULL};
  char ba[96], bb[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 2, 2, 0));
  const cb__value *a = cb__in(g, n, 0), *b = cb__in(g, n, 1);
  if (a->ndim < 1 || b->ndim < 1)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "scalar operands are not allowed");
  int64_t ak = a->shape[a->ndim - 1], bk = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  if (ak != bk)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "shape mismatch: '%s' %s x '%s' %s", a->name, cb__shape_str(a, ba, sizeof ba),
                          b->name, cb__shape_str(b, bb, sizeof bb));
  int abat = a->ndim > 2 ? a->ndim - 2 : 0, bbat = b->ndim > 2 ? b->ndim - 2 : 0;
  int nb = abat > bbat ? abat : bbat;
  int64_t shape[CB__MAXD];
  int nd = 0;
  for (int i = 0; i < nb; ++i) {
    int ia = i - (nb - abat), ib = i - (nb - bbat);
    int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
    if (da != db && da != 1 && db != 1)
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "batch dimensions of '%s' %s and '%s' %s do not broadcast", a->name,
                            cb__shape_str(a, ba, sizeof ba), b->name, cb__shape_str(b, bb, sizeof bb));
    shape[nd++] = da > db ? da : db;
  }
  if (a->ndim >= 2) shape[nd++] = a->shape[a->ndim - 2];
  if (b->ndim >= 2) shape[nd++] = b->shape[b->ndim - 1];
  cb__set_out(g, n, 0, CB_DT_FLOAT, nd, shape);
  return CB_OK;
}

void cb__mm_batch_init(const cb__value *a, const cb__value *b, cb__mm_batch *mb) {
  const int abat = a->ndim > 2 ? a->ndim - 2 : 0, bbat = b->ndim > 2 ? b->ndim - 2 : 0;
  int64_t sa = 1, sb = 1;
  mb->nb = abat > bbat ? abat : bbat;
  mb->total = 1;
  for (int i = mb->nb - 1; i >= 0; --i) {
    const int ia = i - (mb->nb - abat), ib = i - (mb->nb - bbat);
    const int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
    mb->shape[i] = da > db ? da : db;
    mb->astr[i] = da == 1 ? 0 : sa;
    mb->bstr[i] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
    mb->total *= mb->shape[i];
  }
}

void cb__mm_batch_offsets(const cb__mm_batch *mb, int64_t q, int64_t *oa, int64_t *ob) {
  *oa = *ob = 0;
  for (int i = mb->nb - 1; i >= 0; --i) {
    const int64_t idx = q % mb->shape[i];
    q /= mb->shape[i];
    *oa += idx * mb->astr[i];
    *ob += idx * mb->bstr[i];
  }
}

static void matmul_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *a = cb__in(g, n, 0), *b = cb__in(g, n, 1);
  cb__value *y = cb__out(g, n, 0);
  const int m = a->ndim >= 2 ? (int)a->shape[a->ndim - 2] : 1, k = (int)a->shape[a->ndim - 1];
  const int nn = b->ndim >= 2 ? (int)b->shape[b->ndim - 1] : 1;
  cb__mm_batch mb;
  cb__mm_batch_init(a, b, &mb);
  const float *ad = a->data, *bd = b->data;
  float *yd = y->data;
  for (int64_t t = 0; t < mb.total; ++t) {
    int64_t oa, ob;
    cb__mm_batch_offsets(&mb, t, &oa, &ob);
    float *yt = yd + (size_t)t * (size_t)m * (size_t)nn;
    if (k == 0) memset(yt, 0, (size_t)m * (size_t)nn * sizeof *yt);
    else if (m > 0 && nn > 0)
      cb_gemm_forward(0, 0, m, nn, k, 1.0f, ad + (size_t)oa * (size_t)m * (size_t)k,
                      bd + (size_t)ob * (size_t)k * (size_t)nn, 0.0f, yt);
  }
}

const cb__op cb__op_gemm = {"Gemm", gemm_prepare, gemm_run, 0};
const cb__op cb__op_matmul = {"MatMul", matmul_prepare, matmul_run, 0};
