/* cb_splits_group.c - grouped splits: GroupShuffleSplit, GroupKFold and StratifiedGroupKFold semantics. No group
 * (movie, session, augmentations of one image) ever has stimuli on both sides of a split. */
#include "cb_splits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"

typedef struct key_pos {
  double key; /* sort key (descending) */
  int id;     /* secondary key (descending) when by_id, else the position (ascending: a stable sort) */
  int by_id;
} key_pos;

static int cmp_key_pos(const void *a, const void *b) {
  const key_pos *x = a, *y = b;
  if (x->key != y->key) return x->key > y->key ? -1 : 1;
  if (x->by_id) return (x->id < y->id) - (x->id > y->id);
  return (x->id > y->id) - (x->id < y->id);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* out[i] = rank of ids[i] among the distinct ids (ascending); *n_distinct = their number. CB_ERR_ARG on a
 * negative id (`what` names them in the message). */
static cb_status compact(int n, const int *ids, const char *what, int *out /* (n) */, int *n_distinct) {
  int *sorted = malloc(sizeof *sorted * (size_t)(n > 0 ? n : 1));
  if (!sorted) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i)
    if (ids[i] < 0) {
      free(sorted);
      return CB_ERROR(CB_ERR_ARG, "splits: %s id of stimulus %d is negative (%d)", what, i, ids[i]);
    }
  memcpy(sorted, ids, sizeof *sorted * (size_t)n);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_int);
  int m = 0;
  for (int i = 0; i < n; ++i)
    if (i == 0 || sorted[i] != sorted[i - 1]) sorted[m++] = sorted[i];
  for (int i = 0; i < n; ++i) {
    const int *hit = bsearch(&ids[i], sorted, (size_t)m, sizeof *sorted, cmp_int);
    out[i] = (int)(hit - sorted);
  }
  free(sorted);
  *n_distinct = m;
  return CB_OK;
}

/* The splits whose test set k holds the stimuli of the groups g with test_of[k * G + g] != 0. */
static cb_status build(int n, const int *gid /* (n) */, int G, int n_splits,
                       const unsigned char *test_of /* (n_splits, G) */, cb_splits **out) {
  cb_status st = CB_OK;
  cb_splits *s = calloc(1, sizeof *s);
  CB_ALLOC_GOTO(s, st, fail);
  s->n_splits = n_splits;
  s->n = n;
  s->train_size = calloc((size_t)n_splits, sizeof *s->train_size);
  s->test_size = calloc((size_t)n_splits, sizeof *s->test_size);
  CB_ALLOC_GOTO(s->train_size, st, fail);
  CB_ALLOC_GOTO(s->test_size, st, fail);
  for (int k = 0; k < n_splits; ++k) {
    const unsigned char *t = test_of + (size_t)k * G;
    for (int i = 0; i < n; ++i) {
      if (t[gid[i]]) s->test_size[k]++;
      else s->train_size[k]++;
    }
    if (s->test_size[k] > s->n_test) s->n_test = s->test_size[k];
    if (s->train_size[k] > s->n_train) s->n_train = s->train_size[k];
  }
  /* calloc: rows shorter than the stride stay zero (compared and read whole by callers and valgrind) */
  s->train = calloc((size_t)n_splits * (size_t)(s->n_train > 0 ? s->n_train : 1), sizeof *s->train);
  s->test = calloc((size_t)n_splits * (size_t)(s->n_test > 0 ? s->n_test : 1), sizeof *s->test);
  CB_ALLOC_GOTO(s->train, st, fail);
  CB_ALLOC_GOTO(s->test, st, fail);
  for (int k = 0; k < n_splits; ++k) {
    const unsigned char *t = test_of + (size_t)k * G;
    int *tr = s->train + (size_t)k * s->n_train, *te = s->test + (size_t)k * s->n_test;
    int ntr = 0, nte = 0;
    for (int i = 0; i < n; ++i) { /* ascending */
      if (t[gid[i]]) te[nte++] = i;
      else tr[ntr++] = i;
    }
  }
  *out = s;
  return CB_OK;
fail:
  cb_splits_destroy(&s);
  return st;
}

/* glabel (G) [g] = the most frequent class among group g's stimuli (ties: the smallest class id); *C = the number of
 * classes among the group labels. */
static cb_status group_labels(int n, const int *gid /* (n) */, int G, const int *labels /* (n) */,
                              int *glabel /* (G) */, int *C) {
  cb_status st = CB_OK;
  int *cls = malloc(sizeof *cls * (size_t)n);       /* (n) compact class ids */
  int *first = malloc(sizeof *first * (size_t)G);   /* (G) first stimulus of each group, -1 when none */
  int *next = malloc(sizeof *next * (size_t)n);     /* (n) next stimulus of the same group, -1 at the end */
  int *count = NULL;                                /* (C) class counts of one group */
  CB_ALLOC_GOTO(cls, st, done);
  CB_ALLOC_GOTO(first, st, done);
  CB_ALLOC_GOTO(next, st, done);
  CB_CHECK_GOTO(compact(n, labels, "class", cls, C), st, done);
  count = calloc((size_t)*C, sizeof *count);
  CB_ALLOC_GOTO(count, st, done);
  for (int g = 0; g < G; ++g) first[g] = -1;
  for (int i = n - 1; i >= 0; --i) { /* per-group lists of stimuli */
    next[i] = first[gid[i]];
    first[gid[i]] = i;
  }
  for (int g = 0; g < G; ++g) {
    int best = -1;
    for (int i = first[g]; i >= 0; i = next[i]) {
      int c = cls[i];
      ++count[c];
      if (best < 0 || count[c] > count[best] || (count[c] == count[best] && c < best)) best = c;
    }
    glabel[g] = best;
    for (int i = first[g]; i >= 0; i = next[i]) count[cls[i]] = 0;
  }
  /* classes among the group labels */
  for (int g = 0; g < G; ++g) count[glabel[g]] = 1;
  *C = 0;
  for (int g = 0; g < G; ++g)
    if (count[glabel[g]]) {
      count[glabel[g]] = 0;
      ++*C;
    }
done:
  free(count);
  free(next);
  free(first);
  free(cls);
  return st;
}

cb_status cb_splits_group_shuffle(int n, const int *groups, const int *labels, int n_splits, double train_fraction,
                                  uint64_t seed, cb_splits **out) {
  cb_status st = CB_OK;
  int *gid = NULL, *glabel = NULL;
  unsigned char *test_of = NULL;
  cb_splits *gs = NULL;
  if (out == NULL || groups == NULL) return CB_ERROR(CB_ERR_ARG, "grouped splits: NULL argument");
  if (n_splits < 1) return CB_ERROR(CB_ERR_ARG, "splits: number of splits must be >= 1, got %d", n_splits);
  if (!(train_fraction > 0.0 && train_fraction < 1.0))
    return CB_ERROR(CB_ERR_ARG, "splits: train fraction must be in (0, 1), got %g", train_fraction);
  gid = malloc(sizeof *gid * (size_t)(n > 0 ? n : 1));
  CB_ALLOC_GOTO(gid, st, done);
  int G = 0, C = 1;
  CB_CHECK_GOTO(compact(n, groups, "group", gid, &G), st, done);
  if (G < 2) {
    st = CB_ERROR(CB_ERR_NUMERIC, "splits: need at least 2 groups, got %d", G);
    goto done;
  }
  if (G < n_splits) {
    st = CB_ERROR(CB_ERR_NUMERIC, "splits: %d groups are fewer than the %d splits requested", G, n_splits);
    goto done;
  }
  if (labels) {
    glabel = malloc(sizeof *glabel * (size_t)G); /* (G) class of each group */
    CB_ALLOC_GOTO(glabel, st, done);
    CB_CHECK_GOTO(group_labels(n, gid, G, labels, glabel, &C), st, done);
  }
  const int n_test = (int)ceil((1.0 - train_fraction) * G - 1e-9), n_train = G - n_test;
  if (n_train < C || n_test < C) {
    if (labels)
      st = CB_ERROR(CB_ERR_NUMERIC,
                    "splits: %d groups with train fraction %g give %d train / %d test groups, fewer than the %d classes",
                    G, train_fraction, n_train, n_test, C);
    else
      st = CB_ERROR(CB_ERR_NUMERIC, "splits: %d groups with train fraction %g leave no training group", G,
                    train_fraction);
    goto done;
  }
  CB_CHECK_GOTO(cb_splits_stratified_shuffle(G, glabel, n_splits, train_fraction, seed, &gs), st, done);
  test_of = calloc((size_t)n_splits * (size_t)G, 1); /* (n_splits, G) 1: the group is tested in the split */
  CB_ALLOC_GOTO(test_of, st, done);
  for (int k = 0; k < n_splits; ++k)
    for (int j = 0; j < gs->test_size[k]; ++j) test_of[(size_t)k * G + gs->test[(size_t)k * gs->n_test + j]] = 1;
  st = build(n, gid, G, n_splits, test_of, out);
done:
  cb_splits_destroy(&gs);
  free(test_of);
  free(glabel);
  free(gid);
  return st;
}

/* GroupKFold: fold[g] for every group, by descending size onto the lightest fold. */
static cb_status assign_by_size(int n, const int *gid, int G, int k, int shuffle, uint64_t seed, int *fold) {
  long long *fold_n = calloc((size_t)k, sizeof *fold_n);
  int *size = calloc((size_t)G, sizeof *size);
  size_t *order = malloc(sizeof *order * (size_t)G);
  key_pos *kp = malloc(sizeof *kp * (size_t)G);
  if (!fold_n || !size || !order || !kp) {
    free(fold_n);
    free(size);
    free(order);
    free(kp);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < n; ++i) size[gid[i]]++;
  for (int g = 0; g < G; ++g) order[g] = (size_t)g;
  if (shuffle) {
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    cb_rng_shuffle(&rng, order, (size_t)G);
  }
  for (int j = 0; j < G; ++j) { /* unshuffled: ties by descending id (sklearn); shuffled: stable on the shuffle */
    int g = (int)order[j];
    kp[j] = (key_pos){(double)size[g], shuffle ? j : g, !shuffle};
  }
  qsort(kp, (size_t)G, sizeof *kp, cmp_key_pos);
  for (int j = 0; j < G; ++j) {
    int g = shuffle ? (int)order[kp[j].id] : kp[j].id, best = 0;
    for (int f = 1; f < k; ++f)
      if (fold_n[f] < fold_n[best]) best = f;
    fold[g] = best;
    fold_n[best] += size[g];
  }
  free(fold_n);
  free(size);
  free(order);
  free(kp);
  return CB_OK;
}

/* Population standard deviation of x[0], x[stride], ... (m values). */
static double pstd(const double *x, int m, size_t stride) {
  double mean = 0.0, ss = 0.0;
  for (int i = 0; i < m; ++i) mean += x[(size_t)i * stride];
  mean /= m;
  for (int i = 0; i < m; ++i) {
    double d = x[(size_t)i * stride] - mean;
    ss += d * d;
  }
  return sqrt(ss / m);
}

/* StratifiedGroupKFold: fold[g] for every group, balancing each class's share over the folds. */
static cb_status assign_stratified(int n, const int *gid, int G, const int *cls, int C, int k, int shuffle,
                                   uint64_t seed, int *fold) {
  cb_status st = CB_OK;
  double *gc = calloc((size_t)G * C, sizeof *gc);     /* (G, C) class counts per group */
  double *fc = calloc((size_t)k * C, sizeof *fc);     /* (k, C) class counts per fold */
  double *prop = malloc(sizeof *prop * (size_t)k * C); /* (k, C) fc / class totals, with a candidate added */
  double *total = calloc((size_t)C, sizeof *total);   /* (C) stimuli per class */
  double *fold_n = calloc((size_t)k, sizeof *fold_n); /* (k) stimuli per fold */
  size_t *order = malloc(sizeof *order * (size_t)G);
  key_pos *kp = malloc(sizeof *kp * (size_t)G);
  CB_ALLOC_GOTO(gc, st, done);
  CB_ALLOC_GOTO(fc, st, done);
  CB_ALLOC_GOTO(prop, st, done);
  CB_ALLOC_GOTO(total, st, done);
  CB_ALLOC_GOTO(fold_n, st, done);
  CB_ALLOC_GOTO(order, st, done);
  CB_ALLOC_GOTO(kp, st, done);
  for (int i = 0; i < n; ++i) {
    gc[(size_t)gid[i] * C + cls[i]] += 1.0;
    total[cls[i]] += 1.0;
  }
  int any = 0;
  for (int c = 0; c < C; ++c) any |= total[c] >= k;
  if (!any) {
    st = CB_ERROR(CB_ERR_NUMERIC, "splits: every class has fewer stimuli than the %d folds", k);
    goto done;
  }
  for (int g = 0; g < G; ++g) order[g] = (size_t)g;
  if (shuffle) {
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    cb_rng_shuffle(&rng, order, (size_t)G);
  }
  for (int j = 0; j < G; ++j) kp[j] = (key_pos){pstd(gc + order[j] * (size_t)C, C, 1), j, 0};
  qsort(kp, (size_t)G, sizeof *kp, cmp_key_pos); /* descending std, stable */
  for (int j = 0; j < G; ++j) {
    const int g = (int)order[kp[j].id];
    const double *add = gc + (size_t)g * C;
    int best = -1;
    double best_eval = INFINITY, best_n = INFINITY;
    for (int i = 0; i < k; ++i) {
      for (int f = 0; f < k; ++f)
        for (int c = 0; c < C; ++c)
          prop[(size_t)f * C + c] = (fc[(size_t)f * C + c] + (f == i ? add[c] : 0.0)) / total[c];
      double eval = 0.0;
      for (int c = 0; c < C; ++c) eval += pstd(prop + c, k, (size_t)C);
      eval /= C;
      /* scikit-learn's rule: a lower value, or a value numpy.isclose to the best on a fold with fewer stimuli */
      int close = isfinite(best_eval) && fabs(eval - best_eval) <= 1e-8 + 1e-5 * fabs(best_eval);
      if (eval < best_eval || (close && fold_n[i] < best_n)) {
        best = i;
        best_eval = eval;
        best_n = fold_n[i];
      }
    }
    fold[g] = best;
    for (int c = 0; c < C; ++c) fc[(size_t)best * C + c] += add[c];
    for (int c = 0; c < C; ++c) fold_n[best] += add[c];
  }
  for (int f = 0; f < k; ++f)
    if (fold_n[f] == 0) {
      st = CB_ERROR(CB_ERR_NUMERIC, "splits: stratified group k-fold left fold %d of %d empty (%d groups)", f + 1, k,
                    G);
      goto done;
    }
done:
  free(gc);
  free(fc);
  free(prop);
  free(total);
  free(fold_n);
  free(order);
  free(kp);
  return st;
}

cb_status cb_splits_group_kfold(int n, const int *groups, const int *labels, int k, int shuffle, uint64_t seed,
                                cb_splits **out) {
  cb_status st = CB_OK;
  int *gid = NULL, *cls = NULL, *fold = NULL;
  unsigned char *test_of = NULL;
  if (out == NULL || groups == NULL) return CB_ERROR(CB_ERR_ARG, "grouped k-fold: NULL argument");
  if (k < 2) return CB_ERROR(CB_ERR_ARG, "k-fold: number of folds must be >= 2, got %d", k);
  gid = malloc(sizeof *gid * (size_t)(n > 0 ? n : 1));
  CB_ALLOC_GOTO(gid, st, done);
  int G = 0, C = 0;
  CB_CHECK_GOTO(compact(n, groups, "group", gid, &G), st, done);
  if (G < k) {
    st = CB_ERROR(CB_ERR_NUMERIC, "k-fold: %d groups are fewer than the %d folds requested", G, k);
    goto done;
  }
  fold = malloc(sizeof *fold * (size_t)G);
  CB_ALLOC_GOTO(fold, st, done);
  if (labels) {
    cls = malloc(sizeof *cls * (size_t)n);
    CB_ALLOC_GOTO(cls, st, done);
    CB_CHECK_GOTO(compact(n, labels, "class", cls, &C), st, done);
    CB_CHECK_GOTO(assign_stratified(n, gid, G, cls, C, k, shuffle, seed, fold), st, done);
  } else {
    CB_CHECK_GOTO(assign_by_size(n, gid, G, k, shuffle, seed, fold), st, done);
  }
  test_of = calloc((size_t)k * (size_t)G, 1);
  CB_ALLOC_GOTO(test_of, st, done);
  for (int g = 0; g < G; ++g) test_of[(size_t)fold[g] * G + g] = 1;
  st = build(n, gid, G, k, test_of, out);
done:
  free(test_of);
  free(fold);
  free(cls);
  free(gid);
  return st;
}
