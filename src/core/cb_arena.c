#include "cb_arena.h"

#include <stdlib.h>
#include <string.h>

struct cb_arena {
  unsigned char *base; /* (capacity) bytes, 64-byte aligned */
  size_t capacity;
  size_t used;
  size_t high_water;
};

cb_status cb_arena_create(size_t capacity_bytes, cb_arena **out) {
  cb_arena *a = calloc(1, sizeof *a);
  if (!a) return CB_ERROR(CB_ERR_NOMEM, "out of memory for an arena");
  size_t cap = (capacity_bytes + 63) & ~(size_t)63;
  if (cap == 0) cap = 64;
  a->base = aligned_alloc(64, cap);
  if (!a->base) {
    free(a);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory for an arena of %zu bytes", cap);
  }
  a->capacity = cap;
  *out = a;
  return CB_OK;
}

void cb_arena_destroy(cb_arena **a) {
  if (!a || !*a) return;
  free((*a)->base);
  free(*a);
  *a = NULL;
}

void *cb_arena_alloc(cb_arena *a, size_t bytes) {
  size_t need = (bytes + 63) & ~(size_t)63;
  if (need < bytes || a->capacity - a->used < need) return NULL;
  void *p = a->base + a->used;
  a->used += need;
  if (a->used > a->high_water) a->high_water = a->used;
  memset(p, 0, bytes);
  return p;
}

void cb_arena_reset(cb_arena *a) { a->used = 0; }
size_t cb_arena_used(const cb_arena *a) { return a->used; }
size_t cb_arena_high_water(const cb_arena *a) { return a->high_water; }
