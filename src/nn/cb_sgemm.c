/* cb_sgemm.c - packed, cache-blocked GEMM with one fixed FMA chain per
 * element (see cb_sgemm.h). Blocking (GotoBLAS style): rows in blocks of MC,
 * columns in blocks of NC, k in blocks of KC. A is packed once per call into
 * MR-row micro-panels spanning all of k (shared by the threads); B is packed
 * per block into NR-column micro-panels (zero padded), by a caller's packing
 * function when B is implicit (b_pack: the conv path's im2col). A
 * micro-kernel updates an MR x NR tile held in registers. Across k blocks
 * the accumulators are stored to and reloaded from a tile buffer (the
 * (MC, NC) block's tiles fit in L2), which continues the same chain: the
 * blocking never changes the order of the additions. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "cb_threads.h"
#include "cb_sgemm.h"

/* 8 x 48 tiles (24 zmm accumulators): channel counts are multiples of 8, so no tile rows are wasted; a KC x NR
 * panel of B (36 KB) stays in L1 while it meets the block's A panels */
#define MR 8
#define NR CB_SGEMM_NR
#define KC 192
#define MC 512 /* multiple of MR; covers the output channels of most conv layers in one block */
#define NC 144 /* multiple of NR */
/* A is packed once per call (shared by the threads) when it has at most this many floats (128 MB) */
#define APACK_MAX ((size_t)1 << 25)

typedef void (*ukernel)(int kc, const float *ap, const float *bp, float *ct, int load);

/* Portable micro-kernel: ct (MR, NR) = (load ? ct : 0) + sum_p ap[p][r] * bp[p][c], one fmaf chain. */
static void ukr_portable(int kc, const float *ap, const float *bp, float *ct, int load) {
  float acc[MR * NR];
  if (load) memcpy(acc, ct, sizeof acc);
  else memset(acc, 0, sizeof acc);
  for (int p = 0; p < kc; ++p, ap += MR, bp += NR)
    for (int r = 0; r < MR; ++r)
      for (int c = 0; c < NR; ++c) acc[r * NR + c] = fmaf(ap[r], bp[c], acc[r * NR + c]);
  memcpy(ct, acc, sizeof acc);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define NV (NR / 16) /* zmm vectors per tile row */
__attribute__((target("avx512f"))) static void ukr_avx512(int kc, const float *ap, const float *bp, float *ct,
                                                           int load) {
  __m512 c[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) c[r][v] = load ? _mm512_load_ps(ct + r * NR + 16 * v) : _mm512_setzero_ps();
  for (int p = 0; p < kc; ++p, ap += MR, bp += NR) {
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(bp + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(ap[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) c[r][v] = _mm512_fmadd_ps(a, b[v], c[r][v]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_store_ps(ct + r * NR + 16 * v, c[r][v]);
}

/* AVX2: the MR x NR tile in passes of A2R rows x A2C columns (12 ymm accumulators when A2C is 24). */
#define A2R 4
#define A2C (NR % 24 == 0 ? 24 : 16)
#define A2V (A2C / 8)
__attribute__((target("avx2,fma"))) static void ukr_avx2(int kc, const float *ap0, const float *bp0, float *ct,
                                                         int load) {
  for (int rh = 0; rh < MR; rh += A2R)
    for (int ch = 0; ch < NR; ch += A2C) {
      __m256 c[A2R][A2V];
#pragma GCC unroll 4
      for (int r = 0; r < A2R; ++r)
#pragma GCC unroll 3
        for (int v = 0; v < A2V; ++v)
          c[r][v] = load ? _mm256_load_ps(ct + (rh + r) * NR + ch + 8 * v) : _mm256_setzero_ps();
      const float *ap = ap0 + rh, *bp = bp0 + ch;
      for (int p = 0; p < kc; ++p, ap += MR, bp += NR) {
        __m256 b[A2V];
#pragma GCC unroll 3
        for (int v = 0; v < A2V; ++v) b[v] = _mm256_loadu_ps(bp + 8 * v);
#pragma GCC unroll 4
        for (int r = 0; r < A2R; ++r) {
          const __m256 a = _mm256_broadcast_ss(ap + r);
#pragma GCC unroll 3
          for (int v = 0; v < A2V; ++v) c[r][v] = _mm256_fmadd_ps(a, b[v], c[r][v]);
        }
      }
#pragma GCC unroll 4
      for (int r = 0; r < A2R; ++r)
#pragma GCC unroll 3
        for (int v = 0; v < A2V; ++v) _mm256_store_ps(ct + (rh + r) * NR + ch + 8 * v, c[r][v]);
    }
}
#endif

/* The best kernel the CPU runs, or a slower one named by CB_SGEMM_KERNEL ("avx2", "portable"; for tests and
 * benchmarks: every kernel gives the same bits). */
static ukernel pick_kernel(const char **name) {
  const char *want = getenv("CB_SGEMM_KERNEL");
  const int cap = want == NULL ? 2 : strcmp(want, "portable") == 0 ? 0 : strcmp(want, "avx2") == 0 ? 1 : 2;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (cap >= 2 && __builtin_cpu_supports("avx512f")) {
    if (name) *name = "avx512";
    return ukr_avx512;
  }
  if (cap >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    if (name) *name = "avx2";
    return ukr_avx2;
  }
#else
  (void)cap;
#endif
  if (name) *name = "portable";
  return ukr_portable;
}

const char *cb_sgemm_kernel(void) {
  const char *name = "portable";
  (void)pick_kernel(&name);
  return name;
}

int cb_sgemm_default_threads(void) {
  int t = openblas_get_num_threads();
  return t > 0 ? t : 1;
}

static inline float a_at(const cb_sgemm_args *x, int i, int p) { return x->a[i * x->a_rs + p * x->a_cs]; }
static inline float b_at(const cb_sgemm_args *x, int p, int j) {
  if (x->b_pack) {
    float panel[NR]; /* the reference path only: one value through the caller's packing */
    x->b_pack(x->b_ctx, p, 1, j / NR * NR, j / NR * NR + NR < x->n ? j / NR * NR + NR : x->n, panel);
    return panel[j % NR];
  }
  return x->b_cols ? x->b_cols[j][p * x->b_rs] : x->b[p * x->b_rs + j * x->b_cs];
}
static inline float *c_ptr(const cb_sgemm_args *x, int i, int j) {
  return x->c_blocks ? x->c_blocks[j / x->c_block] + i * x->c_rs + j % x->c_block : x->c + i * x->c_rs + j * x->c_cs;
}

/* The epilogue, shared by every path (one definition: the same rounding). */
static inline float epilogue(const cb_sgemm_args *x, int i, float acc, float old) {
  float v = acc;
  if (x->alpha != 1.0f) v = x->alpha * v;
  if (x->beta == 1.0f) v = v + old;
  else if (x->beta != 0.0f) v = v + x->beta * old;
  if (x->bias) v = v + x->bias[i];
  if (x->relu && !(v > 0.0f) && v == v) v = 0.0f;
  return v;
}

/* Ap in MR-row panels of kc steps: Ap[(ip*ld + p)*MR + r] = A(i0 + ip*MR + r, p0 + p), 0 past row i1;
 * ld >= kc is the panel length in k steps (kc for one k block, K for all of A). */
static void pack_a(const cb_sgemm_args *x, int i0, int i1, int p0, int kc, size_t ld, float *ap) {
  for (int ib = i0; ib < i1; ib += MR) {
    const int rows = i1 - ib < MR ? i1 - ib : MR;
    if (x->a_cs == 1 && rows == MR) {
      const float *src = x->a + ib * x->a_rs + p0;
      for (int p = 0; p < kc; ++p)
        for (int r = 0; r < MR; ++r) ap[p * MR + r] = src[r * x->a_rs + p];
    } else {
      for (int r = 0; r < rows; ++r)
        for (int p = 0; p < kc; ++p) ap[p * MR + r] = a_at(x, ib + r, p0 + p);
      for (int r = rows; r < MR; ++r)
        for (int p = 0; p < kc; ++p) ap[p * MR + r] = 0.0f;
    }
    ap += ld * MR;
  }
}

/* Bp (kc, npan*NR) in NR-column panels: Bp[(jp*kc + p)*NR + c] = B(p0 + p, j0 + jp*NR + c), 0 past column j1. */
static void pack_b(const cb_sgemm_args *x, int j0, int j1, int p0, int kc, float *bp) {
  if (x->b_pack) {
    x->b_pack(x->b_ctx, p0, kc, j0, j1, bp);
    return;
  }
  for (int jb = j0; jb < j1; jb += NR) {
    const int cols = j1 - jb < NR ? j1 - jb : NR;
    if (x->b_cols == NULL && x->b_cs == 1) {
      const float *src = x->b + p0 * x->b_rs + jb;
      if (cols == NR) /* fixed-length copies (a variable memcpy of 128 bytes is slow) */
        for (int p = 0; p < kc; ++p, src += x->b_rs)
          for (int c = 0; c < NR; ++c) bp[p * NR + c] = src[c];
      else
        for (int p = 0; p < kc; ++p, src += x->b_rs) {
          for (int c = 0; c < cols; ++c) bp[p * NR + c] = src[c];
          for (int c = cols; c < NR; ++c) bp[p * NR + c] = 0.0f;
        }
    } else {
      for (int c = 0; c < cols; ++c)
        for (int p = 0; p < kc; ++p) bp[p * NR + c] = b_at(x, p0 + p, jb + c);
      for (int c = cols; c < NR; ++c)
        for (int p = 0; p < kc; ++p) bp[p * NR + c] = 0.0f;
    }
    bp += (size_t)kc * NR;
  }
}

/* Reference path, no scratch: the same chain element by element. */
static void range_portable(const cb_sgemm_args *x, int i0, int i1, int j0, int j1) {
  for (int i = i0; i < i1; ++i)
    for (int j = j0; j < j1; ++j) {
      float acc = 0.0f;
      for (int p = 0; p < x->k; ++p) acc = fmaf(a_at(x, i, p), b_at(x, p, j), acc);
      float *c = c_ptr(x, i, j);
      *c = epilogue(x, i, acc, x->beta != 0.0f ? *c : 0.0f);
    }
}

/* Scratch of one thread: packed B (KC, NC), tiles (MC, NC), packed A block (MC, KC) when A is not packed whole. */
#define SCRATCH_FLOATS ((size_t)KC * NC + (size_t)MC * NC + (size_t)MC * KC)

/* Writes tile t (rows x cols of an MR x NR tile) to C at (ib, jb) through the epilogue. */
static void store_tile(const cb_sgemm_args *x, const float *t, int ib, int jb, int rows, int cols) {
  const int simple = (x->c_blocks != NULL || x->c_cs == 1) && x->alpha == 1.0f && x->beta == 0.0f;
  for (int r = 0; r < rows; ++r) {
    const float *tr = t + r * NR;
    if (simple) {
      const float bias = x->bias ? x->bias[ib + r] : 0.0f;
      for (int c0 = 0; c0 < cols;) {
        /* a run of columns contiguous in C: up to the end of a block */
        int len = cols - c0;
        if (x->c_blocks != NULL) {
          const int left = x->c_block - (jb + c0) % x->c_block;
          if (left < len) len = left;
        }
        float *cp = c_ptr(x, ib + r, jb + c0);
        const float *tp = tr + c0;
        if (x->bias == NULL && !x->relu) memcpy(cp, tp, (size_t)len * sizeof *cp);
        else if (!x->relu)
          for (int c = 0; c < len; ++c) cp[c] = tp[c] + bias;
        else
          for (int c = 0; c < len; ++c) {
            const float v = x->bias ? tp[c] + bias : tp[c];
            cp[c] = v > 0.0f || v != v ? v : 0.0f;
          }
        c0 += len;
      }
      continue;
    }
    for (int c = 0; c < cols; ++c) {
      float *cp = c_ptr(x, ib + r, jb + c);
      *cp = epilogue(x, ib + r, tr[c], x->beta != 0.0f ? *cp : 0.0f);
    }
  }
}

/* C rows [i0, i1) x columns [j0, j1); scratch (SCRATCH_FLOATS) or NULL to allocate; apf: all of A packed
 * (pack_a with ld = k, from row 0; i0 a multiple of MR) or NULL to pack A block by block. Loops: row blocks
 * of MC, column blocks of NC, k blocks of KC; B is packed once per (row block, column block, k block), each
 * NR-column panel stays in L1 while it meets every MR-row panel of A; the tiles of the (MC, NC) block
 * carry the accumulators from one k block to the next (the same chain, continued). */
static void range_blocked(const cb_sgemm_args *x, int i0, int i1, int j0, int j1, float *scratch,
                          const float *apf) {
  ukernel ukr = pick_kernel(NULL);
  float *own = NULL;
  if (scratch == NULL) scratch = own = aligned_alloc(64, SCRATCH_FLOATS * sizeof(float));
  if (scratch == NULL) {
    range_portable(x, i0, i1, j0, j1);
    return;
  }
  float *bp = scratch, *ct = bp + (size_t)KC * NC, *ablk = ct + (size_t)MC * NC;
  for (int ic = i0; ic < i1; ic += MC) {
    const int ic1 = i1 - ic < MC ? i1 : ic + MC, mpan = (ic1 - ic + MR - 1) / MR;
    for (int jc = j0; jc < j1; jc += NC) {
      const int jc1 = j1 - jc < NC ? j1 : jc + NC, npan = (jc1 - jc + NR - 1) / NR;
      if (x->k == 0) memset(ct, 0, (size_t)mpan * npan * MR * NR * sizeof *ct);
      for (int pc = 0; pc < x->k; pc += KC) {
        const int kc = x->k - pc < KC ? x->k - pc : KC;
        const float *abase;
        size_t astride; /* floats from one MR-row panel to the next */
        if (apf != NULL) {
          abase = apf + ((size_t)(ic / MR) * (size_t)x->k + (size_t)pc) * MR;
          astride = (size_t)x->k * MR;
        } else {
          pack_a(x, ic, ic1, pc, kc, (size_t)kc, ablk);
          abase = ablk;
          astride = (size_t)kc * MR;
        }
        pack_b(x, jc, jc1, pc, kc, bp);
        for (int jp = 0; jp < npan; ++jp)
          for (int ip = 0; ip < mpan; ++ip)
            ukr(kc, abase + (size_t)ip * astride, bp + (size_t)jp * kc * NR,
                ct + ((size_t)jp * mpan + ip) * MR * NR, pc > 0);
      }
      for (int jp = 0; jp < npan; ++jp)
        for (int ip = 0; ip < mpan; ++ip) {
          const int ib = ic + ip * MR, jb = jc + jp * NR;
          store_tile(x, ct + ((size_t)jp * mpan + ip) * MR * NR, ib, jb, ic1 - ib < MR ? ic1 - ib : MR,
                     jc1 - jb < NR ? jc1 - jb : NR);
        }
    }
  }
  free(own);
}

typedef struct job {
  const cb_sgemm_args *x;
  int i0, i1, j0, j1;
  float *scratch;   /* (SCRATCH_FLOATS) or NULL */
  const float *apf; /* all of A packed, or NULL */
} job;

/* cb_threads_fn over the jobs [u0, u1) (one per thread). */
static void jobs_run(void *arg, size_t u0, size_t u1) {
  const job *jobs = arg;
  for (size_t u = u0; u < u1; ++u) {
    const job *j = &jobs[u];
    if (j->i1 > j->i0 && j->j1 > j->j0) range_blocked(j->x, j->i0, j->i1, j->j0, j->j1, j->scratch, j->apf);
  }
}

#define MAX_THREADS CB_THREADS_MAX

/* Scratch kept between calls (page faults on fresh buffers cost as much as a
 * small GEMM); used by one cb_sgemm at a time, others allocate their own.
 * Process lifetime (still reachable at exit). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static float *cache[MAX_THREADS];
static float *cache_a;       /* (cache_a_floats) packed A, grown on demand */
static size_t cache_a_floats;

/* Scratch for t threads from the cache (1, lock held) or 0 (all NULL). */
static int cache_take(int t, float **slots) {
  if (pthread_mutex_trylock(&cache_lock) != 0) {
    for (int i = 0; i < t; ++i) slots[i] = NULL;
    return 0;
  }
  for (int i = 0; i < t; ++i) {
    if (cache[i] == NULL) cache[i] = aligned_alloc(64, SCRATCH_FLOATS * sizeof(float));
    slots[i] = cache[i];
  }
  return 1;
}

/* A buffer of `floats` for packed A: the cached one (locked) or a new one (*own), NULL when none. */
static float *apack_buffer(int locked, size_t floats, float **own) {
  *own = NULL;
  if (locked) {
    if (cache_a_floats < floats) {
      free(cache_a);
      cache_a = aligned_alloc(64, (floats + 15) / 16 * 16 * sizeof(float));
      cache_a_floats = cache_a != NULL ? floats : 0;
    }
    return cache_a;
  }
  return *own = aligned_alloc(64, (floats + 15) / 16 * 16 * sizeof(float));
}

void cb_sgemm(const cb_sgemm_args *x) {
  if (x == NULL || x->m <= 0 || x->n <= 0) return;
  int t = x->threads < 1 ? 1 : x->threads > MAX_THREADS ? MAX_THREADS : x->threads;
  /* small products are not worth a thread */
  if ((double)x->m * x->n * (x->k > 0 ? x->k : 1) < 4e5) t = 1;
  const int mpan = (x->m + MR - 1) / MR, npan = (x->n + NR - 1) / NR;
  const int split_n = npan >= mpan, units = split_n ? npan : mpan;
  if (t > units) t = units;
  float *slots[MAX_THREADS];
  const int locked = cache_take(t, slots);
  /* A packed once for all threads and column blocks (it is re-read n / NC times) */
  float *apf = NULL, *apf_own = NULL;
  const size_t apf_floats = (size_t)mpan * MR * (size_t)x->k;
  if (x->k > 0 && apf_floats <= APACK_MAX && (x->n > NC || t > 1)) {
    apf = apack_buffer(locked, apf_floats, &apf_own);
    if (apf != NULL) pack_a(x, 0, x->m, 0, x->k, (size_t)x->k, apf);
  }
  if (t <= 1) {
    range_blocked(x, 0, x->m, 0, x->n, slots[0], apf);
  } else {
    job jobs[MAX_THREADS];
    for (int i = 0; i < t; ++i) {
      const int u0 = (int)((long)units * i / t), u1 = (int)((long)units * (i + 1) / t);
      jobs[i] = (job){x, 0, x->m, 0, x->n, slots[i], apf};
      if (split_n) {
        jobs[i].j0 = u0 * NR;
        jobs[i].j1 = u1 * NR < x->n ? u1 * NR : x->n;
      } else {
        jobs[i].i0 = u0 * MR;
        jobs[i].i1 = u1 * MR < x->m ? u1 * MR : x->m;
      }
    }
    cb_threads_for(t, (size_t)t, 1, jobs_run, jobs); /* one job per thread; a thread that cannot start: the caller */
  }
  free(apf_own);
  if (locked) pthread_mutex_unlock(&cache_lock);
}
