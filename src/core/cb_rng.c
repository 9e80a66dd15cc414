#include "cb_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void cb_rng_seed(cb_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; ++i) r->s[i] = splitmix64(&x);
}

void cb_rng_seed_stream(cb_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ 0x5851F42D4C957F2Dull;
  uint64_t a = splitmix64(&x);
  uint64_t y = stream + 0x2545F4914F6CDD1Dull;
  uint64_t b = splitmix64(&y);
  cb_rng_seed(r, a ^ rotl(b, 17));
}

uint64_t cb_rng_u64(cb_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double cb_rng_uniform(cb_rng *r) { return (double)(cb_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t cb_rng_below(cb_rng *r, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = cb_rng_u64(r);
  while (x >= limit);
  return x % n;
}

double cb_rng_normal(cb_rng *r) {
  double u1 = cb_rng_uniform(r), u2 = cb_rng_uniform(r);
  if (u1 < 1e-300) u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Knuth's multiplication method for small means; for large means the PTRS
 * transformed-rejection sampler of Hormann (1993). */
uint64_t cb_rng_poisson(cb_rng *r, double lambda) {
  if (!(lambda > 0.0)) return 0;
  if (lambda < 30.0) {
    double L = exp(-lambda), p = 1.0;
    uint64_t k = 0;
    for (;;) {
      p *= cb_rng_uniform(r);
      if (p <= L) return k;
      ++k;
    }
  }
  double slam = sqrt(lambda), loglam = log(lambda);
  double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double U = cb_rng_uniform(r) - 0.5, V = cb_rng_uniform(r);
    double us = 0.5 - fabs(U);
    double k = floor((2.0 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return (uint64_t)k;
    if (k < 0.0 || (us < 0.013 && V > us)) continue;
    if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1.0))
      return (uint64_t)k;
  }
}

void cb_rng_shuffle(cb_rng *r, size_t *idx, size_t n) {
  for (size_t i = n; i > 1; --i) {
    size_t j = (size_t)cb_rng_below(r, i);
    size_t t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
}
