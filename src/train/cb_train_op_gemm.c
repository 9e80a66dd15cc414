/* cb_train_op_gemm.c - backward of Gemm (alpha, beta, transA, transB, C broadcast) and MatMul (batch
 * dimensions broadcast, 1-D operands) on the engine's GEMM; the transposes are strides, not copies. */
#include "cb_sgemm.h"
#include "cb_train_impl.h"

/* C (m, n) += alpha A (m, k) B (k, n), every operand given by its strides. */
static void gemm_acc(const cb_train *t, int m, int n, int k, float alpha, const float *a, ptrdiff_t a_rs,
                     ptrdiff_t a_cs, const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs, float *c, ptrdiff_t c_rs,
                     ptrdiff_t c_cs) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  cb_sgemm_args x = {.m = m, .n = n, .k = k, .a = a, .a_rs = a_rs, .a_cs = a_cs, .b = b, .b_rs = b_rs, .b_cs = b_cs,
                     .c = c, .c_rs = c_rs, .c_cs = c_cs, .alpha = alpha, .beta = 1.0f, .threads = t->threads};
  cb_sgemm(&x);
}

/* dC += beta * dY (m, nn) summed over C's broadcast dims (C is (cm, cn), cm in {1, m}, cn in {1, nn}). */
static void gemm_bias(const cb__value *c, const float *dy, int m, int nn, float beta, float *dc) {
  const int cm = c->ndim == 2 ? (int)c->shape[0] : 1, cn = c->ndim >= 1 ? (int)c->shape[c->ndim - 1] : 1;
  for (int i = 0; i < cm; ++i)
    for (int j = 0; j < cn; ++j) {
      double s = 0.0;
      for (int r = cm == 1 ? 0 : i; r < (cm == 1 ? m : i + 1); ++r)
        for (int q = cn == 1 ? 0 : j; q < (cn == 1 ? nn : j + 1); ++q) s += dy[(size_t)r * (size_t)nn + (size_t)q];
      dc[(size_t)i * (size_t)cn + (size_t)j] += (float)(beta * s);
    }
}

void cb__bwd_gemm(cb_train *t, const cb__node *n) {
  const cb__value *av = cb__in(t->g, n, 0), *yv = cb__out(t->g, n, 0);
  const int m = (int)yv->shape[0], nn = (int)yv->shape[1], k = (int)(n->p.trans_a ? av->shape[0] : av->shape[1]);
  const int ta = n->p.trans_a, tb = n->p.trans_b;
  const float alpha = n->p.f[0], *a = cb__tval(t, n->in[0]), *b = cb__tval(t, n->in[1]), *dy = t->grad[n->out[0]];
  float *da = cb__tgrad_in(t, n, 0), *db = cb__tgrad_in(t, n, 1), *dc = cb__tgrad_in(t, n, 2);
  /* op(A) (m, k) = ta ? A^T : A; op(B) (k, nn) = tb ? B^T : B; Y = alpha op(A) op(B) + beta C */
  if (da) /* d op(A) (m, k) = alpha dY (m, nn) op(B)^T (nn, k), written into A's layout */
    gemm_acc(t, m, k, nn, alpha, dy, nn, 1, b, tb ? k : 1, tb ? 1 : nn, da, ta ? 1 : k, ta ? m : 1);
  if (db) /* d op(B) (k, nn) = alpha op(A)^T (k, m) dY (m, nn), written into B's layout */
    gemm_acc(t, k, nn, m, alpha, a, ta ? m : 1, ta ? 1 : k, dy, nn, 1, db, tb ? 1 : nn, tb ? k : 1);
  if (dc && n->p.f[1] != 0.0f) gemm_bias(cb__in(t->g, n, 2), dy, m, nn, n->p.f[1], dc);
}

void cb__bwd_matmul(cb_train *t, const cb__node *n) {
  const cb__value *av = cb__in(t->g, n, 0), *bv = cb__in(t->g, n, 1);
  const int m = av->ndim >= 2 ? (int)av->shape[av->ndim - 2] : 1, k = (int)av->shape[av->ndim - 1];
  const int nn = bv->ndim >= 2 ? (int)bv->shape[bv->ndim - 1] : 1;
  cb__mm_batch mb; /* broadcast batch dims, as the forward */
  cb__mm_batch_init(av, bv, &mb);
  const float *a = cb__tval(t, n->in[0]), *b = cb__tval(t, n->in[1]), *dy = t->grad[n->out[0]];
  float *ga = cb__tgrad_in(t, n, 0), *gb = cb__tgrad_in(t, n, 1);
  for (int64_t q = 0; q < mb.total; ++q) {
    int64_t oa, ob;
    cb__mm_batch_offsets(&mb, q, &oa, &ob);
    const size_t ao = (size_t)oa * (size_t)m * (size_t)k, bo = (size_t)ob * (size_t)k * (size_t)nn;
    const float *dyq = dy + (size_t)q * (size_t)m * (size_t)nn;
    if (ga) gemm_acc(t, m, k, nn, 1.0f, dyq, nn, 1, b + bo, 1, nn, ga + ao, k, 1); /* dA += dY B^T */
    if (gb) gemm_acc(t, k, nn, m, 1.0f, a + ao, 1, k, dyq, nn, 1, gb + bo, nn, 1); /* dB += A^T dY */
  }
}
