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

/* splitmix64 finaliser: the flip and crop draws of (seed, epoch, index). */
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The draw of (seed, epoch, index) for an augmentation named by salt (independent draws per salt). */
static uint64_t draw(const cb_train_images *d, uint64_t salt, int64_t idx, int64_t epoch) {
  return mix(mix(d->seed ^ salt) ^ mix((uint64_t)epoch) ^ (uint64_t)idx * 0x2545f4914f6cdd1dULL);
}

void cb_train_images_fill(const cb_train_images *d, int64_t idx, int64_t epoch, float *x) {
  const size_t plane = (size_t)d->h * (size_t)d->w;
  const uint8_t *src = d->pixels + (size_t)idx * (size_t)d->c * plane;
  const int flip = d->flip && epoch >= 0 && (draw(d, 0x9e3779b97f4a7c15ULL, idx, epoch) & 1);
  int oy = 0, ox = 0; /* source pixel of output (i, j) before the mirror: (i + oy, j + ox) */
  if (d->crop_padding > 0 && epoch >= 0) {
    const uint64_t r = draw(d, 0xc2b2ae3d27d4eb4fULL, idx, epoch), span = 2 * (uint64_t)d->crop_padding + 1;
    oy = (int)((r >> 32) % span) - d->crop_padding;
    ox = (int)((r & 0xffffffffULL) % span) - d->crop_padding;
  }
  const float inv = 1.0f / d->std;
  for (int c = 0; c < d->c; ++c)
    for (int i = 0; i < d->h; ++i)
      for (int j = 0; j < d->w; ++j) {
        const int si = i + oy, sj = (flip ? d->w - 1 - j : j) + ox;
        const float v = si >= 0 && si < d->h && sj >= 0 && sj < d->w
                            ? (float)src[(size_t)c * plane + (size_t)si * (size_t)d->w + (size_t)sj] / 255.0f
                            : 0.0f;
        x[(size_t)c * plane + (size_t)i * (size_t)d->w + (size_t)j] = (v - d->mean) * inv;
      }
}
