/* cb_train_gradpool.c - gradient buffers of runtime values, held only while backward needs them: a value's
 * buffer is taken (zeroed) when the first of its consumers (in reverse node order) adds to it, and given back
 * after its producer's backward has read it. Freed buffers wait in a pool and are reused best-fit, so after the
 * first step a training loop allocates nothing and its peak is the largest set of gradients alive at once, not
 * the sum over the graph. The arithmetic is unchanged: each buffer starts at 0 and receives the same additions
 * in the same order. */
#include <stdlib.h>
#include <string.h>

#include "cb_train_impl.h"

/* Takes a buffer of at least numel floats from the pool (the smallest that fits) or allocates one. */
static float *pool_take(cb_train *t, size_t numel, size_t *cap) {
  int best = -1;
  for (int i = 0; i < t->pool_n; ++i)
    if (t->pool_cap[i] >= numel && (best < 0 || t->pool_cap[i] < t->pool_cap[best])) best = i;
  if (best >= 0) {
    float *b = t->pool[best];
    *cap = t->pool_cap[best];
    t->pool[best] = t->pool[t->pool_n - 1];
    t->pool_cap[best] = t->pool_cap[t->pool_n - 1];
    t->pool_n -= 1;
    return b;
  }
  *cap = numel > 0 ? numel : 1;
  return malloc(*cap * sizeof(float));
}

cb_status cb__train_grad_take(cb_train *t, int id) {
  if (t->grad[id] != NULL) return CB_OK;
  const size_t numel = (size_t)cb__numel(&t->g->values[id]);
  float *b = pool_take(t, numel, &t->grad_cap[id]);
  if (b == NULL) {
    t->nomem = 1;
    return CB_ERROR(CB_ERR_NOMEM, "training backward: out of memory (gradient of '%s')", t->g->values[id].name);
  }
  memset(b, 0, numel * sizeof(float));
  t->grad[id] = b;
  return CB_OK;
}

void cb__train_grad_give(cb_train *t, int id) {
  if (t->grad[id] == NULL || t->g->values[id].kind != CB__V_RUNTIME) return;
  if (t->pool_n == t->g->n_values) { /* cannot happen: at most one buffer per value exists */
    free(t->grad[id]);
  } else {
    t->pool[t->pool_n] = t->grad[id];
    t->pool_cap[t->pool_n] = t->grad_cap[id];
    t->pool_n += 1;
  }
  t->grad[id] = NULL;
}

void cb__train_grad_pool_free(cb_train *t) {
  for (int i = 0; i < t->pool_n; ++i) free(t->pool[i]);
  t->pool_n = 0;
}
