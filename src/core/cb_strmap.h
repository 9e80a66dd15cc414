/* cb_strmap.h - a string -> int map (open addressing, FNV-1a, load <= 1/2)
 * for name lookups in constant time: graph values by name, ONNX
 * initializers. Keys are not copied: each must stay valid (and unchanged)
 * while the map holds it. A zeroed struct is an empty map. */
#ifndef CB_STRMAP_H
#define CB_STRMAP_H

#include <stddef.h>

#include "cb_status.h"

typedef struct cb_strmap {
  const char **keys; /* (cap) NULL = empty slot */
  int *vals;         /* (cap) */
  size_t cap, n;     /* cap is 0 or a power of two */
} cb_strmap;

/* Sets key -> val (replacing an earlier value of the same key). */
cb_status cb_strmap_put(cb_strmap *m, const char *key, int val);
/* The value of key, or -1 when absent (or key is NULL). */
int cb_strmap_get(const cb_strmap *m, const char *key);
/* Frees the tables and zeroes the struct (NULL-safe). */
void cb_strmap_free(cb_strmap *m);

#endif
