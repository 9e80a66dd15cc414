/* cb_sgemm.h - the engine's own single-precision GEMM, bitwise reproducible
 * by construction: every element of C is one fused multiply-add chain over
 * k = 0, 1, ..., K-1 in that order (acc = fmaf(A(i,k), B(k,j), acc) from 0),
 * followed by a fixed epilogue. The value of C(i,j) therefore depends only on
 * row i of A and column j of B: not on M, N, the element's position in its
 * tile, the cache blocking, the number of threads or the instruction set
 * (AVX-512, AVX2 and the portable fmaf loop give the same bits). This is what
 * lets the executor batch images into one GEMM while an image's activations
 * stay independent of its batch neighbours (OpenBLAS gives no such
 * guarantee: its small-matrix and edge-tile paths change the last bits).
 *
 * Epilogue: v = acc; v = alpha*v (alpha != 1); v = v + beta*C (beta != 0;
 * v + C when beta == 1); v = v + bias[i] (bias given); v = max(v, 0) with NaN
 * kept (relu). Threads: columns (or rows, when there are few columns) are
 * split between `threads` pthreads. */
#ifndef CB_SGEMM_H
#define CB_SGEMM_H

#include <stddef.h>

/* Columns per packed B panel (cb_sgemm_args.b_pack). */
#define CB_SGEMM_NR 48

/* Writes B rows [p0, p0 + kc) x columns [j0, j1) in CB_SGEMM_NR-column panels of kc rows:
 * bp[((j - j0) / NR * kc + p - p0) * NR + (j - j0) % NR] = B(p, j), NR = CB_SGEMM_NR; j0 is a multiple of NR and
 * the columns j1.. up to the end of the last panel are written as zeros. Called concurrently from the GEMM's
 * threads with disjoint bp: ctx must only be read. */
typedef void (*cb_sgemm_pack_fn)(const void *ctx, int p0, int kc, int j0, int j1, float *bp);

typedef struct cb_sgemm_args {
  int m, n, k;
  const float *a;            /* A(i,p) = a[i*a_rs + p*a_cs], A (m, k) */
  ptrdiff_t a_rs, a_cs;
  const float *b;            /* B(p,j) = b[p*b_rs + j*b_cs], B (k, n) ... */
  ptrdiff_t b_rs, b_cs;
  const float *const *b_cols; /* ... or, when not NULL, B(p,j) = b_cols[j][p*b_rs] ... */
  cb_sgemm_pack_fn b_pack;   /* ... or, when not NULL, B is whatever b_pack(b_ctx, ...) packs: an implicit B
                              * (the conv path packs im2col blocks straight from the images, in the threads) */
  const void *b_ctx;
  float *c;                  /* C(i,j) = c[i*c_rs + j*c_cs], C (m, n) ... */
  ptrdiff_t c_rs, c_cs;
  float *const *c_blocks;    /* ... or, when not NULL, C(i,j) = c_blocks[j / c_block][i*c_rs + j % c_block] */
  int c_block;               /* columns per block (an image's pixels, or 1) */
  float alpha, beta;
  const float *bias;         /* (m) added per row, or NULL */
  int relu;
  int threads;               /* <= 1: the calling thread only */
} cb_sgemm_args;

/* C = epilogue(A B). m, n, k >= 0 (k == 0: acc = 0). Never fails: scratch
 * lives on the stack and in small per-thread buffers; on allocation failure
 * it falls back to the portable loop. */
void cb_sgemm(const cb_sgemm_args *args);
/* Name of the kernel in use: "avx512", "avx2" or "portable" (the best the CPU runs, or a slower one named
 * by the environment variable CB_SGEMM_KERNEL=avx2|portable: for tests and benchmarks). */
const char *cb_sgemm_kernel(void);
/* Threads the engine uses for its GEMMs (OpenBLAS's thread count, so that
 * the per-rank setting of src/par applies to both). */
int cb_sgemm_default_threads(void);

#endif
