/* cb_train_data.c - which images a step takes (seeded epoch shuffles) and how an 8-bit image becomes an input. */
#include <stdlib.h>

#include "cb_rng.h"
#include "cb_trainer.h"

cb_status cb_train_order_init(cb_train_order *o, uint64_t seed, int64_t n) {
  if (o == NULL || n <= 0) return CB_ERROR(CB_ERR_ARG, "training order: NULL argument or no images");
  *o = (cb_train_order){.seed = seed, .n = n, .epoch = -1};
  if ((o->perm = malloc((size_t)n * sizeof *o->perm)) == NULL) return CB_ERROR(CB_ERR_NOMEM, "training order: out of memory");
  return CB_OK;
}

void cb_train_order_free(cb_train_order *o) {
  if (o == NULL) return;
  free(o->perm);
  o->perm = NULL;
}

cb_status cb_train_order_at(cb_train_order *o, int64_t p, int64_t *index, int64_t *epoch) {
  if (o == NULL || o->perm == NULL || p < 0) return CB_ERROR(CB_ERR_ARG, "training order: not initialised");
  const int64_t e = p / o->n;
  if (e != o->epoch) { /* Fisher-Yates on stream (seed, epoch) */
    cb_rng r;
    cb_rng_seed_stream(&r, o->seed, (uint64_t)e);
    for (int64_t i = 0; i < o->n; ++i) o->perm[i] = i;
    for (int64_t i = o->n - 1; i > 0; --i) {
      const int64_t j = (int64_t)cb_rng_below(&r, (uint64_t)i + 1), tmp = o->perm[i];
      o->perm[i] = o->perm[j], o->perm[j] = tmp;
    }
    o->epoch = e;
  }
  *index = o->perm[p % o->n];
  if (epoch) *epoch = e;
  return CB_OK;
}

/* splitmix64 finaliser: the flip draw of (seed, epoch, index). */
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void cb_train_images_fill(const cb_train_images *d, int64_t idx, int64_t epoch, float *x) {
  const size_t plane = (size_t)d->h * (size_t)d->w;
  const uint8_t *src = d->pixels + (size_t)idx * (size_t)d->c * plane;
  const int flip = d->flip && epoch >= 0 &&
                   (mix(mix(d->seed ^ 0x9e3779b97f4a7c15ULL) ^ mix((uint64_t)epoch) ^ (uint64_t)idx * 0x2545f4914f6cdd1dULL) & 1);
  const float inv = 1.0f / d->std;
  for (int c = 0; c < d->c; ++c)
    for (int i = 0; i < d->h; ++i)
      for (int j = 0; j < d->w; ++j) {
        const int jj = flip ? d->w - 1 - j : j;
        const float v = (float)src[(size_t)c * plane + (size_t)i * (size_t)d->w + (size_t)jj] / 255.0f;
        x[(size_t)c * plane + (size_t)i * (size_t)d->w + (size_t)j] = (v - d->mean) * inv;
      }
}
