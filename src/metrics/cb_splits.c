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

/* Checks the arguments of cb_splits_stratified_shuffle (the first error wins). */
static cb_status strat_check_args(int n, const int *labels, int n_splits, double train_fraction, cb_splits **out) {
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
  return CB_OK;
}

/* Stratified shuffle splits under construction: the classes and every workspace (shapes in the comments). */
typedef struct strat {
  int n, n_cls, n_train, n_test;
  int *cls;       /* (n) compact class id of each stimulus */
  int *sorted;    /* (n) distinct labels ascending, then the per-class fill pointers */
  int *counts;    /* (n_cls) stimuli of each class */
  int *start;     /* (n_cls + 1) first position of each class in members */
  int *take;      /* (n_cls) training stimuli of each class in one split */
  int *members;   /* (n) stimuli grouped by class, ascending within a class */
  size_t *order;  /* (n_cls) approximate_mode workspace */
  size_t *perm;   /* (n) permutation of one class's stimuli */
  double *rem;    /* (n_cls) approximate_mode workspace */
} strat;

static void strat_free(strat *t) {
  free(t->rem);
  free(t->perm);
  free(t->order);
  free(t->members);
  free(t->take);
  free(t->start);
  free(t->counts);
  free(t->sorted);
  free(t->cls);
}

/* Class ids compacted to 0..n_cls-1 in ascending order of the labels (one class when labels is NULL). */
static cb_status strat_classes(strat *t, const int *labels) {
  const int n = t->n;
  t->cls = malloc(sizeof *t->cls * (size_t)n);
  t->sorted = malloc(sizeof *t->sorted * (size_t)n);
  if (t->cls == NULL || t->sorted == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  t->n_cls = 1;
  if (labels == NULL) {
    memset(t->cls, 0, sizeof *t->cls * (size_t)n);
    return CB_OK;
  }
  int *sorted = t->sorted;
  memcpy(sorted, labels, sizeof *sorted * (size_t)n);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_int);
  t->n_cls = 0;
  for (int i = 0; i < n; ++i)
    if (i == 0 || sorted[i] != sorted[i - 1]) sorted[t->n_cls++] = sorted[i];
  for (int i = 0; i < n; ++i) {
    const int *hit = bsearch(&labels[i], sorted, (size_t)t->n_cls, sizeof *sorted, cmp_int);
    t->cls[i] = (int)(hit - sorted);
  }
  return CB_OK;
}

/* The class workspaces, the class sizes and the stimuli grouped by class. */
static cb_status strat_members(strat *t) {
  const int n = t->n, n_cls = t->n_cls;
  t->counts = calloc((size_t)n_cls, sizeof *t->counts);
  t->start = calloc((size_t)n_cls + 1, sizeof *t->start);
  t->take = calloc((size_t)n_cls, sizeof *t->take);
  t->members = malloc(sizeof *t->members * (size_t)n);
  t->order = malloc(sizeof *t->order * (size_t)n_cls);
  t->perm = malloc(sizeof *t->perm * (size_t)n);
  t->rem = malloc(sizeof *t->rem * (size_t)n_cls);
  if (!t->counts || !t->start || !t->take || !t->members || !t->order || !t->perm || !t->rem)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i) t->counts[t->cls[i]]++;
  for (int c = 0; c < n_cls; ++c) t->start[c + 1] = t->start[c] + t->counts[c];
  int *fill = t->sorted; /* reuse as per-class fill pointer */
  for (int c = 0; c < n_cls; ++c) fill[c] = t->start[c];
  for (int i = 0; i < n; ++i) t->members[fill[t->cls[i]]++] = i; /* members grouped by class, ascending */
  return CB_OK;
}

/* Splits of n stimuli, every one with n_train / n_test stimuli (indices not filled). */
static cb_status splits_new_uniform(int n, int n_splits, int n_train, int n_test, cb_splits **out) {
  cb_splits *s = calloc(1, sizeof *s);
  *out = s;
  if (s == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  s->n_splits = n_splits;
  s->n = n;
  s->n_train = n_train;
  s->n_test = n_test;
  s->train = malloc(sizeof *s->train * (size_t)n_splits * (size_t)n_train);
  s->test = malloc(sizeof *s->test * (size_t)n_splits * (size_t)n_test);
  s->train_size = malloc(sizeof *s->train_size * (size_t)n_splits);
  s->test_size = malloc(sizeof *s->test_size * (size_t)n_splits);
  if (!s->train || !s->test || !s->train_size || !s->test_size) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int k = 0; k < n_splits; ++k) {
    s->train_size[k] = n_train;
    s->test_size[k] = n_test;
  }
  return CB_OK;
}

/* Split k: each class's share of the training set (approximate_mode), its stimuli shuffled, the first take[c] to
 * train and the rest to test; both sides sorted. */
static cb_status strat_draw(strat *t, cb_rng *rng, int k, cb_splits *s) {
  const int n_train = t->n_train, n_test = t->n_test;
  int *tr = s->train + (size_t)k * n_train, *te = s->test + (size_t)k * n_test;
  int ntr = 0, nte = 0;
  approximate_mode(t->counts, t->n_cls, t->n, n_train, rng, t->take, t->order, t->rem);
  for (int c = 0; c < t->n_cls; ++c) {
    size_t m = (size_t)t->counts[c];
    for (size_t j = 0; j < m; ++j) t->perm[j] = j;
    cb_rng_shuffle(rng, t->perm, m);
    for (size_t j = 0; j < m; ++j) {
      int idx = t->members[t->start[c] + (int)t->perm[j]];
      if ((int)j < t->take[c])
        tr[ntr++] = idx;
      else
        te[nte++] = idx;
    }
  }
  if (ntr != n_train || nte != n_test)
    return CB_ERROR(CB_ERR_INTERNAL, "splits: split %d has %d/%d stimuli, expected %d/%d", k, ntr, nte, n_train,
                    n_test);
  qsort(tr, (size_t)n_train, sizeof *tr, cmp_int);
  qsort(te, (size_t)n_test, sizeof *te, cmp_int);
  return CB_OK;
}

cb_status cb_splits_stratified_shuffle(int n, const int *labels, int n_splits, double train_fraction,
                                       uint64_t seed, cb_splits **out) {
  CB_CHECK(strat_check_args(n, labels, n_splits, train_fraction, out));
  cb_status st = CB_OK;
  cb_splits *s = NULL;
  strat t = {0};
  t.n = n;
  t.n_test = (int)ceil((1.0 - train_fraction) * n - 1e-9);
  t.n_train = n - t.n_test;
  CB_CHECK_GOTO(strat_classes(&t, labels), st, done);
  if (t.n_train < t.n_cls || t.n_test < t.n_cls) {
    st = CB_ERROR(CB_ERR_NUMERIC,
                  "splits: %d stimuli with train fraction %g give %d train / %d test stimuli, "
                  "fewer than the %d classes",
                  n, train_fraction, t.n_train, t.n_test, t.n_cls);
    goto done;
  }
  CB_CHECK_GOTO(strat_members(&t), st, done);
  CB_CHECK_GOTO(splits_new_uniform(n, n_splits, t.n_train, t.n_test, &s), st, done);
  cb_rng rng;
  cb_rng_seed(&rng, seed);
  for (int k = 0; k < n_splits; ++k) CB_CHECK_GOTO(strat_draw(&t, &rng, k, s), st, done);
  *out = s;
  s = NULL;

done:
  cb_splits_destroy(&s);
  strat_free(&t);
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
