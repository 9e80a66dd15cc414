/* cb_splits.c - stratified shuffle splits (StratifiedShuffleSplit semantics), shuffle splits, K-fold. */
#include "cb_splits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Share `total` among classes in proportion to counts: floor of each share, then one more to the classes
 * with the largest remainders (ties in random order). take: (n_cls) output. order: (n_cls) scratch. */
static void approximate_mode(const int *counts /* (n_cls) */, int n_cls, int n, int total, cb_rng *rng,
                             int *take /* (n_cls) */, size_t *order /* (n_cls) */, double *rem /* (n_cls) */) {
  int assigned = 0;
  for (int c = 0; c < n_cls; ++c) {
    double share = (double)total * counts[c] / n;
    take[c] = (int)floor(share);
    rem[c] = share - take[c];
    assigned += take[c];
    order[c] = (size_t)c;
  }
  cb_rng_shuffle(rng, order, (size_t)n_cls);
  /* stable insertion sort of the shuffled order by remainder, descending */
  for (int i = 1; i < n_cls; ++i) {
    size_t o = order[i];
    int j = i - 1;
    while (j >= 0 && rem[order[j]] < rem[o]) {
      order[j + 1] = order[j];
      --j;
    }
    order[j + 1] = o;
  }
  for (int i = 0; assigned < total && i < n_cls; ++i) {
    int c = (int)order[i];
    if (take[c] < counts[c]) {
      take[c]++;
      assigned++;
    }
  }
}

cb_status cb_splits_stratified_shuffle(int n, const int *labels, int n_splits, double train_fraction,
                                       uint64_t seed, cb_splits **out) {
  cb_status st = CB_OK;
  cb_splits *s = NULL;
  int *cls = NULL, *sorted = NULL, *counts = NULL, *start = NULL, *take = NULL, *members = NULL;
  size_t *order = NULL, *perm = NULL;
  double *rem = NULL;

  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "splits: output pointer is NULL");
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "splits: need at least 2 stimuli, got %d", n);
  if (n_splits < 1) return CB_ERROR(CB_ERR_ARG, "splits: number of splits must be >= 1, got %d", n_splits);
  if (n < n_splits)
    return CB_ERROR(CB_ERR_NUMERIC, "splits: %d stimuli are fewer than the %d splits requested", n, n_splits);
  if (!(train_fraction > 0.0 && train_fraction < 1.0))
    return CB_ERROR(CB_ERR_ARG, "splits: train fraction must be in (0, 1), got %g", train_fraction);
  if (labels != NULL)
    for (int i = 0; i < n; ++i)
      if (labels[i] < 0)
        return CB_ERROR(CB_ERR_ARG, "splits: class label of stimulus %d is negative (%d)", i, labels[i]);

  int n_test = (int)ceil((1.0 - train_fraction) * n - 1e-9);
  int n_train = n - n_test;

  /* compact class ids 0..n_cls-1 */
  cls = malloc(sizeof *cls * (size_t)n);
  sorted = malloc(sizeof *sorted * (size_t)n);
  CB_ALLOC_GOTO(cls, st, done);
  CB_ALLOC_GOTO(sorted, st, done);
  int n_cls = 1;
  if (labels == NULL) {
    memset(cls, 0, sizeof *cls * (size_t)n);
  } else {
    memcpy(sorted, labels, sizeof *sorted * (size_t)n);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_int);
    n_cls = 0;
    for (int i = 0; i < n; ++i)
      if (i == 0 || sorted[i] != sorted[i - 1]) sorted[n_cls++] = sorted[i];
    for (int i = 0; i < n; ++i) {
      const int *hit = bsearch(&labels[i], sorted, (size_t)n_cls, sizeof *sorted, cmp_int);
      cls[i] = (int)(hit - sorted);
    }
  }
  if (n_train < n_cls || n_test < n_cls) {
    st = CB_ERROR(CB_ERR_NUMERIC,
                  "splits: %d stimuli with train fraction %g give %d train / %d test stimuli, "
                  "fewer than the %d classes",
                  n, train_fraction, n_train, n_test, n_cls);
    goto done;
  }

  counts = calloc((size_t)n_cls, sizeof *counts);
  start = calloc((size_t)n_cls + 1, sizeof *start);
  take = calloc((size_t)n_cls, sizeof *take);
  members = malloc(sizeof *members * (size_t)n);
  order = malloc(sizeof *order * (size_t)n_cls);
  perm = malloc(sizeof *perm * (size_t)n);
  rem = malloc(sizeof *rem * (size_t)n_cls);
  CB_ALLOC_GOTO(counts, st, done);
  CB_ALLOC_GOTO(start, st, done);
  CB_ALLOC_GOTO(take, st, done);
  CB_ALLOC_GOTO(members, st, done);
  CB_ALLOC_GOTO(order, st, done);
  CB_ALLOC_GOTO(perm, st, done);
  CB_ALLOC_GOTO(rem, st, done);
  for (int i = 0; i < n; ++i) counts[cls[i]]++;
  for (int c = 0; c < n_cls; ++c) start[c + 1] = start[c] + counts[c];
  {
    int *fill = sorted; /* reuse as per-class fill pointer */
    for (int c = 0; c < n_cls; ++c) fill[c] = start[c];
    for (int i = 0; i < n; ++i) members[fill[cls[i]]++] = i; /* members grouped by class, ascending */
  }

  s = calloc(1, sizeof *s);
  CB_ALLOC_GOTO(s, st, done);
  s->n_splits = n_splits;
  s->n = n;
  s->n_train = n_train;
  s->n_test = n_test;
  s->train = malloc(sizeof *s->train * (size_t)n_splits * (size_t)n_train);
  s->test = malloc(sizeof *s->test * (size_t)n_splits * (size_t)n_test);
  s->train_size = malloc(sizeof *s->train_size * (size_t)n_splits);
  s->test_size = malloc(sizeof *s->test_size * (size_t)n_splits);
  CB_ALLOC_GOTO(s->train, st, done);
  CB_ALLOC_GOTO(s->test, st, done);
  CB_ALLOC_GOTO(s->train_size, st, done);
  CB_ALLOC_GOTO(s->test_size, st, done);
  for (int k = 0; k < n_splits; ++k) {
    s->train_size[k] = n_train;
    s->test_size[k] = n_test;
  }

  cb_rng rng;
  cb_rng_seed(&rng, seed);
  for (int k = 0; k < n_splits; ++k) {
    int *tr = s->train + (size_t)k * n_train, *te = s->test + (size_t)k * n_test;
    int ntr = 0, nte = 0;
    approximate_mode(counts, n_cls, n, n_train, &rng, take, order, rem);
    for (int c = 0; c < n_cls; ++c) {
      size_t m = (size_t)counts[c];
      for (size_t j = 0; j < m; ++j) perm[j] = j;
      cb_rng_shuffle(&rng, perm, m);
      for (size_t j = 0; j < m; ++j) {
        int idx = members[start[c] + (int)perm[j]];
        if ((int)j < take[c])
          tr[ntr++] = idx;
        else
          te[nte++] = idx;
      }
    }
    if (ntr != n_train || nte != n_test) {
      st = CB_ERROR(CB_ERR_INTERNAL, "splits: split %d has %d/%d stimuli, expected %d/%d", k, ntr, nte,
                    n_train, n_test);
      goto done;
    }
    qsort(tr, (size_t)n_train, sizeof *tr, cmp_int);
    qsort(te, (size_t)n_test, sizeof *te, cmp_int);
  }
  *out = s;
  s = NULL;

done:
  cb_splits_destroy(&s);
  free(rem);
  free(perm);
  free(order);
  free(members);
  free(take);
  free(start);
  free(counts);
  free(sorted);
  free(cls);
  return st;
}

cb_status cb_splits_shuffle(int n, int n_splits, double train_fraction, uint64_t seed, cb_splits **out) {
  return cb_splits_stratified_shuffle(n, NULL, n_splits, train_fraction, seed, out);
}

cb_status cb_splits_kfold(int n, int k, int shuffle, uint64_t seed, cb_splits **out) {
  cb_status st = CB_OK;
  cb_splits *s = NULL;
  size_t *perm = NULL;
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "k-fold: output pointer is NULL");
  if (k < 2) return CB_ERROR(CB_ERR_ARG, "k-fold: number of folds must be >= 2, got %d", k);
  if (n < k) return CB_ERROR(CB_ERR_NUMERIC, "k-fold: %d stimuli are fewer than the %d splits requested", n, k);
  const int big = n / k + (n % k != 0), n_train_max = n - n / k;
  perm = malloc(sizeof *perm * (size_t)n);
  s = calloc(1, sizeof *s);
  CB_ALLOC_GOTO(perm, st, done);
  CB_ALLOC_GOTO(s, st, done);
  s->n_splits = k;
  s->n = n;
  s->n_train = n_train_max;
  s->n_test = big;
  s->train = malloc(sizeof *s->train * (size_t)k * (size_t)n_train_max);
  s->test = malloc(sizeof *s->test * (size_t)k * (size_t)big);
  s->train_size = malloc(sizeof *s->train_size * (size_t)k);
  s->test_size = malloc(sizeof *s->test_size * (size_t)k);
  CB_ALLOC_GOTO(s->train, st, done);
  CB_ALLOC_GOTO(s->test, st, done);
  CB_ALLOC_GOTO(s->train_size, st, done);
  CB_ALLOC_GOTO(s->test_size, st, done);
  for (int i = 0; i < n; ++i) perm[i] = (size_t)i;
  if (shuffle) {
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    cb_rng_shuffle(&rng, perm, (size_t)n);
  }
  int start = 0;
  for (int f = 0; f < k; ++f) {
    int size = n / k + (f < n % k);
    int *te = s->test + (size_t)f * big, *tr = s->train + (size_t)f * n_train_max;
    for (int j = 0; j < size; ++j) te[j] = (int)perm[start + j];
    qsort(te, (size_t)size, sizeof *te, cmp_int);
    int ntr = 0, jt = 0;
    for (int i = 0; i < n; ++i) {
      if (jt < size && te[jt] == i)
        ++jt;
      else
        tr[ntr++] = i;
    }
    s->test_size[f] = size;
    s->train_size[f] = ntr;
    start += size;
  }
  *out = s;
  s = NULL;
done:
  cb_splits_destroy(&s);
  free(perm);
  return st;
}

void cb_splits_destroy(cb_splits **s) {
  if (s == NULL || *s == NULL) return;
  free((*s)->train);
  free((*s)->test);
  free((*s)->train_size);
  free((*s)->test_size);
  free(*s);
  *s = NULL;
}
