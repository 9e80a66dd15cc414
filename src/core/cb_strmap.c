/* cb_strmap.c - see cb_strmap.h. */
#include "cb_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (; *s; ++s) {
    h ^= (unsigned char)*s;
    h *= 0x100000001B3ull;
  }
  return (size_t)(h ^ (h >> 32));
}

/* Slot of key, or of the empty slot where it would go. */
static size_t find(const cb_strmap *m, const char *key) {
  size_t mask = m->cap - 1, i = hash(key) & mask;
  while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0) i = (i + 1) & mask;
  return i;
}

static cb_status grow(cb_strmap *m) {
  size_t cap = m->cap ? 2 * m->cap : 64;
  if (cap > SIZE_MAX / sizeof(char *) / 2) return CB_ERROR(CB_ERR_NOMEM, "name table: too many names");
  cb_strmap bigger = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(int)), cap, 0};
  if (bigger.keys == NULL || bigger.vals == NULL) {
    free(bigger.keys);
    free(bigger.vals);
    return CB_ERROR(CB_ERR_NOMEM, "name table: out of memory");
  }
  for (size_t i = 0; i < m->cap; ++i)
    if (m->keys[i] != NULL) {
      size_t j = find(&bigger, m->keys[i]);
      bigger.keys[j] = m->keys[i];
      bigger.vals[j] = m->vals[i];
      bigger.n++;
    }
  free(m->keys);
  free(m->vals);
  *m = bigger;
  return CB_OK;
}

cb_status cb_strmap_put(cb_strmap *m, const char *key, int val) {
  if (m == NULL || key == NULL) return CB_ERROR(CB_ERR_INTERNAL, "name table: NULL argument");
  if (2 * (m->n + 1) > m->cap) CB_CHECK(grow(m));
  size_t i = find(m, key);
  if (m->keys[i] == NULL) {
    m->keys[i] = key;
    m->n++;
  }
  m->vals[i] = val;
  return CB_OK;
}

int cb_strmap_get(const cb_strmap *m, const char *key) {
  if (m == NULL || key == NULL || m->cap == 0) return -1;
  size_t i = find(m, key);
  return m->keys[i] != NULL ? m->vals[i] : -1;
}

void cb_strmap_free(cb_strmap *m) {
  if (m == NULL) return;
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}
