/* cb_grad_eltwise.c - elementwise pieces of training: ReLU's backward and Dropout's seeded mask. */
#include "cb_train_ops.h"

void cb_relu_backward(const float *x, const float *dy, size_t n, float *dx) {
  for (size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
}

#define GOLDEN 0x9E3779B97F4A7C15ull

/* splitmix64's output function */
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t cb_dropout_salt(const char *name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char *s = (const unsigned char *)(name ? name : ""); *s; ++s) h = (h ^ *s) * 0x100000001b3ull;
  return h;
}

void cb_dropout_mask(uint64_t seed, uint64_t step, uint64_t salt, float ratio, size_t n, float *scale) {
  const uint64_t k = mix(mix(seed + GOLDEN * (step + 1)) + GOLDEN * (salt + 1));
  const double r = ratio < 0.0f ? 0.0 : ratio > 1.0f ? 1.0 : (double)ratio;
  const uint64_t threshold = (uint64_t)(r * 16777216.0); /* 2^24 */
  const float keep = r < 1.0 ? 1.0f / (1.0f - (float)r) : 0.0f;
  for (size_t i = 0; i < n; ++i) scale[i] = (mix(k + GOLDEN * ((uint64_t)i + 1)) >> 40) >= threshold ? keep : 0.0f;
}
