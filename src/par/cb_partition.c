#include "cb_partition.h"

#include <stdlib.h>

typedef struct item {
  double cost;
  int index;
} item;

static int by_cost_desc(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->cost != y->cost) return x->cost > y->cost ? -1 : 1;
  return x->index - y->index;
}

void cb_partition_lpt(const double *cost, int n, int size, int *owner) {
  item *items = malloc((size_t)(n > 0 ? n : 1) * sizeof *items);
  double *load = calloc((size_t)(size > 0 ? size : 1), sizeof *load);
  if (!items || !load) { /* fall back to round robin: still deterministic */
    for (int i = 0; i < n; ++i) owner[i] = i % size;
    free(items);
    free(load);
    return;
  }
  for (int i = 0; i < n; ++i) items[i] = (item){cost[i], i};
  qsort(items, (size_t)n, sizeof *items, by_cost_desc);
  for (int k = 0; k < n; ++k) {
    int best = 0;
    for (int r = 1; r < size; ++r)
      if (load[r] < load[best]) best = r;
    owner[items[k].index] = best;
    load[best] += items[k].cost;
  }
  free(items);
  free(load);
}
