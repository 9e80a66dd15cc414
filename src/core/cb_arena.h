/* cb_arena.h - bump allocator for scratch memory that lives as long as one
 * stage (a batch, a split). Allocations are 64-byte aligned and zeroed. */
#ifndef CB_ARENA_H
#define CB_ARENA_H

#include <stddef.h>

#include "cb_status.h"

typedef struct cb_arena cb_arena;

cb_status cb_arena_create(size_t capacity_bytes, cb_arena **out);
void cb_arena_destroy(cb_arena **a);
/* NULL when the arena is exhausted (the caller reports the error). */
void *cb_arena_alloc(cb_arena *a, size_t bytes);
/* Forget every allocation (memory is reused, not freed). */
void cb_arena_reset(cb_arena *a);
size_t cb_arena_used(const cb_arena *a);
size_t cb_arena_high_water(const cb_arena *a);

#endif
