/* test_splits_group.c - grouped splits (cb_splits_group_shuffle, cb_splits_group_kfold): no group on both sides of
 * a split, every stimulus tested once in k-fold, balanced folds, class balance with stratification, scikit-learn's
 * GroupKFold / StratifiedGroupKFold folds (fixture by tests/reference/make_group_split_goldens.py), errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_splits.h"
#include "cb_status.h"
#include "cb_test_fixture.h"
#include "cb_test_main.h"

#define FIXDIR "tests/reference/fixtures/"

/* Every split: train and test ascending, disjoint, union = all stimuli; no group has stimuli on both sides.
 * (Violations are counted and asserted once per split: a Check assertion per element is slow under valgrind.) */
static void check_no_straddle(const cb_splits *s, const int *groups) {
  int n = s->n, gmax = 0;
  for (int i = 0; i < n; ++i) gmax = groups[i] > gmax ? groups[i] : gmax;
  int *side = malloc(sizeof *side * (size_t)(gmax + 1)), *seen = malloc(sizeof *seen * (size_t)n);
  for (int k = 0; k < s->n_splits; ++k) {
    const int *tr = s->train + (size_t)k * s->n_train, *te = s->test + (size_t)k * s->n_test;
    ck_assert_int_gt(s->test_size[k], 0);
    ck_assert_int_gt(s->train_size[k], 0);
    ck_assert_int_eq(s->train_size[k] + s->test_size[k], n);
    for (int g = 0; g <= gmax; ++g) side[g] = -1;
    memset(seen, 0, sizeof *seen * (size_t)n);
    int unsorted = 0, straddle = 0, once = 0;
    for (int i = 0; i < s->train_size[k]; ++i) {
      unsorted += i > 0 && tr[i - 1] >= tr[i];
      seen[tr[i]]++;
      straddle += side[groups[tr[i]]] == 1;
      side[groups[tr[i]]] = 0;
    }
    for (int i = 0; i < s->test_size[k]; ++i) {
      unsorted += i > 0 && te[i - 1] >= te[i];
      seen[te[i]]++;
      straddle += side[groups[te[i]]] == 0;
      side[groups[te[i]]] = 1;
    }
    for (int i = 0; i < n; ++i) once += seen[i] == 1;
    ck_assert_msg(straddle == 0, "split %d: %d stimuli of groups on both sides", k, straddle);
    ck_assert_msg(unsorted == 0 && once == n, "split %d: not an ascending partition", k);
  }
  free(side);
  free(seen);
}

/* k-fold: each stimulus in exactly one test fold. */
static void check_tested_once(const cb_splits *s) {
  int *cnt = calloc((size_t)s->n, sizeof *cnt), once = 0;
  for (int k = 0; k < s->n_splits; ++k)
    for (int i = 0; i < s->test_size[k]; ++i) cnt[s->test[(size_t)k * s->n_test + i]]++;
  for (int i = 0; i < s->n; ++i) once += cnt[i] == 1;
  ck_assert_int_eq(once, s->n);
  free(cnt);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Distinct values among groups[idx[0..m-1]] (idx NULL: groups[0..m-1]); *largest = the most repeated one's count. */
static int distinct(const int *groups, const int *idx, int m, int *largest) {
  int *v = malloc(sizeof *v * (size_t)(m > 0 ? m : 1)), d = 0, run = 0, big = 0;
  for (int i = 0; i < m; ++i) v[i] = groups[idx ? idx[i] : i];
  qsort(v, (size_t)m, sizeof *v, cmp_int);
  for (int i = 0; i < m; ++i) {
    run = (i > 0 && v[i] == v[i - 1]) ? run + 1 : 1;
    d += run == 1;
    big = run > big ? run : big;
  }
  free(v);
  if (largest) *largest = big;
  return d;
}

/* Mean over classes of the standard deviation over folds of (fold's class count / class total). */
static double class_imbalance(const cb_splits *s, const int *labels, int n_cls) {
  double acc = 0.0;
  for (int c = 0; c < n_cls; ++c) {
    double tot = 0, m = 0, ss = 0, *p = calloc((size_t)s->n_splits, sizeof *p);
    for (int i = 0; i < s->n; ++i) tot += labels[i] == c;
    for (int k = 0; k < s->n_splits; ++k) {
      for (int i = 0; i < s->test_size[k]; ++i) p[k] += labels[s->test[(size_t)k * s->n_test + i]] == c;
      p[k] /= tot;
      m += p[k];
    }
    m /= s->n_splits;
    for (int k = 0; k < s->n_splits; ++k) ss += (p[k] - m) * (p[k] - m);
    acc += sqrt(ss / s->n_splits);
    free(p);
  }
  return acc / n_cls;
}

START_TEST(test_group_kfold_sklearn) {
  reader r;
  reader_open(&r, FIXDIR "group_kfold.txt");
  int ncases = (int)strtol(next_token(&r), NULL, 10);
  for (int c = 0; c < ncases; ++c) {
    int kind = (int)strtol(next_token(&r), NULL, 10), n = (int)strtol(next_token(&r), NULL, 10),
        k = (int)strtol(next_token(&r), NULL, 10);
    int *g = malloc(sizeof *g * (size_t)n), *y = malloc(sizeof *y * (size_t)n);
    for (int i = 0; i < n; ++i) g[i] = (int)strtol(next_token(&r), NULL, 10);
    if (kind == 1)
      for (int i = 0; i < n; ++i) y[i] = (int)strtol(next_token(&r), NULL, 10);
    cb_splits *s = NULL;
    ck_assert_int_eq(cb_splits_group_kfold(n, g, kind == 1 ? y : NULL, k, 0, 0, &s), CB_OK);
    ck_assert_int_eq(s->n_splits, k);
    for (int f = 0; f < k; ++f) {
      int size = (int)strtol(next_token(&r), NULL, 10);
      ck_assert_msg(s->test_size[f] == size, "case %d fold %d: %d stimuli, sklearn %d", c, f, s->test_size[f], size);
      for (int i = 0; i < size; ++i) ck_assert_int_eq(s->test[(size_t)f * s->n_test + i], strtol(next_token(&r), NULL, 10));
    }
    check_no_straddle(s, g);
    check_tested_once(s);
    cb_splits_destroy(&s);
    free(g);
    free(y);
  }
  free(r.text);
}
END_TEST

/* Group layouts: equal-size movies in order, shuffled, uneven sizes, singletons, sparse ids. */
static void make_groups(int layout, int n, int *g, unsigned seed) {
  for (int i = 0; i < n; ++i) {
    switch (layout) {
    case 0: g[i] = i / 12; break;                          /* movies of 12 frames, consecutive */
    case 1: g[i] = (int)((i * 7u + seed) % 17u); break;    /* interleaved */
    case 2: g[i] = (int)sqrt((double)i * 3.0); break;      /* growing sizes */
    case 3: g[i] = i; break;                               /* one stimulus per group */
    default: g[i] = (i / 5) * 1000 + 3; break;             /* sparse ids */
    }
  }
}

START_TEST(test_group_kfold_properties) {
  const int ns[] = {60, 97, 240};
  for (int a = 0; a < 3; ++a)
    for (int layout = 0; layout < 5; ++layout)
      for (int k = 2; k <= 5; ++k)
        for (int shuffle = 0; shuffle < 2; ++shuffle) {
          const int n = ns[a];
          int *g = malloc(sizeof *g * (size_t)n);
          make_groups(layout, n, g, 3u);
          cb_splits *s = NULL, *t = NULL;
          ck_assert_int_eq(cb_splits_group_kfold(n, g, NULL, k, shuffle, 11, &s), CB_OK);
          check_no_straddle(s, g);
          check_tested_once(s);
          /* balance: folds differ by at most the largest group's size (greedy onto the lightest fold) */
          int big = 0, lo = n, hi = 0;
          distinct(g, NULL, n, &big);
          for (int f = 0; f < k; ++f) {
            lo = s->test_size[f] < lo ? s->test_size[f] : lo;
            hi = s->test_size[f] > hi ? s->test_size[f] : hi;
          }
          ck_assert_int_le(hi - lo, big);
          if (layout == 0 && n % 12 == 0) /* equal groups: fold sizes differ by at most one group */
            ck_assert_int_le(hi - lo, 12);
          /* deterministic */
          ck_assert_int_eq(cb_splits_group_kfold(n, g, NULL, k, shuffle, 11, &t), CB_OK);
          ck_assert_int_eq(memcmp(s->test, t->test, sizeof *s->test * (size_t)k * s->n_test), 0);
          cb_splits_destroy(&t);
          cb_splits_destroy(&s);
          free(g);
        }
  /* shuffle: the seed decides which equal-size groups share a fold */
  int g[240];
  make_groups(0, 240, g, 0);
  cb_splits *a = NULL, *b = NULL;
  ck_assert_int_eq(cb_splits_group_kfold(240, g, NULL, 5, 1, 1, &a), CB_OK);
  ck_assert_int_eq(cb_splits_group_kfold(240, g, NULL, 5, 1, 2, &b), CB_OK);
  ck_assert_int_eq(a->n_test, 48);
  ck_assert_int_ne(memcmp(a->test, b->test, sizeof *a->test * 5 * 48), 0);
  cb_splits_destroy(&a);
  cb_splits_destroy(&b);
}
END_TEST

START_TEST(test_stratified_group_kfold_balance) {
  /* 20 class-pure movies of 12 frames, 4 classes of 5 movies, 5 folds: each fold holds one movie of each class */
  int g[240], y[240];
  for (int i = 0; i < 240; ++i) {
    g[i] = i / 12;
    y[i] = (g[i] * 7) % 4;
  }
  for (int shuffle = 0; shuffle < 2; ++shuffle)
    for (unsigned seed = 1; seed < 4; ++seed) {
      cb_splits *s = NULL;
      ck_assert_int_eq(cb_splits_group_kfold(240, g, y, 5, shuffle, seed, &s), CB_OK);
      check_no_straddle(s, g);
      check_tested_once(s);
      for (int f = 0; f < 5; ++f) {
        int per[4] = {0};
        ck_assert_int_eq(s->test_size[f], 48);
        for (int i = 0; i < 48; ++i) per[y[s->test[f * s->n_test + i]]]++;
        for (int c = 0; c < 4; ++c) ck_assert_int_eq(per[c], 12);
      }
      cb_splits_destroy(&s);
    }
  /* mixed groups (30 groups, 3 classes, 8 draws): the classes' shares spread over the folds less than with
   * GroupKFold (mean over draws of the mean over classes of the std over folds of each fold's share of the class:
   * 0.026 vs 0.063 when written; asserted < 0.6 x) */
  double strat = 0.0, plain = 0.0;
  for (unsigned seed = 0; seed < 8; ++seed) {
    enum { N = 150, C = 3 };
    int gg[N], yy[N];
    unsigned x = 12345u + seed;
    for (int i = 0; i < N; ++i) {
      x = x * 1103515245u + 12345u;
      gg[i] = (int)((x >> 16) % 30u);
      x = x * 1103515245u + 12345u;
      yy[i] = (int)((x >> 16) % (unsigned)C);
      if (gg[i] < 10) yy[i] = 0; /* some class-pure groups */
    }
    cb_splits *s = NULL, *u = NULL;
    ck_assert_int_eq(cb_splits_group_kfold(N, gg, yy, 4, 1, seed, &s), CB_OK);
    ck_assert_int_eq(cb_splits_group_kfold(N, gg, NULL, 4, 1, seed, &u), CB_OK);
    check_no_straddle(s, gg);
    check_tested_once(s);
    strat += class_imbalance(s, yy, C) / 8;
    plain += class_imbalance(u, yy, C) / 8;
    cb_splits_destroy(&s);
    cb_splits_destroy(&u);
  }
  ck_assert_double_lt(strat, 0.6 * plain);
}
END_TEST

START_TEST(test_group_shuffle_properties) {
  const int ns[] = {60, 97, 240};
  const double fr[] = {0.9, 0.8, 0.5};
  for (int a = 0; a < 3; ++a)
    for (int layout = 0; layout < 5; ++layout)
      for (int f = 0; f < 3; ++f) {
        const int n = ns[a];
        int *g = malloc(sizeof *g * (size_t)n), *y = malloc(sizeof *y * (size_t)n);
        make_groups(layout, n, g, 5u);
        for (int i = 0; i < n; ++i) y[i] = (g[i] / 7) % 2; /* a class per group */
        const int G = distinct(g, NULL, n, NULL);
        cb_splits *s = NULL, *t = NULL;
        ck_assert_int_eq(cb_splits_group_shuffle(n, g, NULL, 5, fr[f], 21, &s), CB_OK);
        check_no_straddle(s, g);
        int want = (int)ceil((1.0 - fr[f]) * G - 1e-9);
        for (int k = 0; k < 5; ++k) /* test groups = ceil((1 - f) G), as GroupShuffleSplit */
          ck_assert_int_eq(distinct(g, s->test + (size_t)k * s->n_test, s->test_size[k], NULL), want);
        ck_assert_int_eq(cb_splits_group_shuffle(n, g, NULL, 5, fr[f], 21, &t), CB_OK);
        ck_assert_int_eq(memcmp(s->test, t->test, sizeof *s->test * 5 * (size_t)s->n_test), 0);
        cb_splits_destroy(&t);
        cb_splits_destroy(&s);
        /* stratified over groups: each class's test groups within one of its proportional share */
        if (cb_splits_group_shuffle(n, g, y, 5, fr[f], 21, &s) == CB_OK) {
          check_no_straddle(s, g);
          /* y is constant within a group: groups of class c = distinct groups among its stimuli */
          int *of[2] = {malloc(sizeof(int) * (size_t)n), malloc(sizeof(int) * (size_t)n)}, m[2] = {0, 0}, Gc[2];
          for (int i = 0; i < n; ++i) of[y[i]][m[y[i]]++] = i;
          for (int c = 0; c < 2; ++c) Gc[c] = distinct(g, of[c], m[c], NULL);
          for (int k = 0; k < 5; ++k) {
            int tm[2] = {0, 0};
            const int *te = s->test + (size_t)k * s->n_test;
            for (int i = 0; i < s->test_size[k]; ++i) of[y[te[i]]][tm[y[te[i]]]++] = te[i];
            for (int c = 0; c < 2; ++c)
              ck_assert_double_le(fabs(distinct(g, of[c], tm[c], NULL) - (double)want * Gc[c] / G), 1.0);
          }
          free(of[0]);
          free(of[1]);
          cb_splits_destroy(&s);
        } else {
          ck_assert_ptr_nonnull(strstr(cb_error_message(), "classes"));
        }
        free(g);
        free(y);
      }
  /* one stimulus per group (ids in stimulus order): the ungrouped splits, stimulus for stimulus */
  int g[100], y[100];
  for (int i = 0; i < 100; ++i) {
    g[i] = i;
    y[i] = (i * 7) % 3;
  }
  cb_splits *a = NULL, *b = NULL;
  ck_assert_int_eq(cb_splits_group_shuffle(100, g, y, 10, 0.9, 5, &a), CB_OK);
  ck_assert_int_eq(cb_splits_stratified_shuffle(100, y, 10, 0.9, 5, &b), CB_OK);
  ck_assert_int_eq(a->n_test, b->n_test);
  ck_assert_int_eq(memcmp(a->test, b->test, sizeof *a->test * 10 * (size_t)a->n_test), 0);
  ck_assert_int_eq(memcmp(a->train, b->train, sizeof *a->train * 10 * (size_t)a->n_train), 0);
  cb_splits_destroy(&a);
  cb_splits_destroy(&b);
}
END_TEST

START_TEST(test_group_errors) {
  int g[12], y[12];
  for (int i = 0; i < 12; ++i) {
    g[i] = i / 4; /* 3 groups */
    y[i] = i % 2;
  }
  cb_splits *s = NULL;
  ck_assert_int_eq(cb_splits_group_kfold(12, g, NULL, 5, 1, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "3 groups are fewer than the 5 folds"));
  ck_assert_int_eq(cb_splits_group_kfold(12, g, y, 5, 1, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "3 groups are fewer than the 5 folds"));
  ck_assert_int_eq(cb_splits_group_shuffle(12, g, NULL, 10, 0.9, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "3 groups are fewer than the 10 splits"));
  ck_assert_int_eq(cb_splits_group_kfold(12, g, NULL, 1, 1, 1, &s), CB_ERR_ARG);
  /* 3 groups of 2 classes (labels 0, 1, 0 by majority), 90 % train: 1 test group < 2 classes */
  int yg[12];
  for (int i = 0; i < 12; ++i) yg[i] = g[i] == 1;
  ck_assert_int_eq(cb_splits_group_shuffle(12, g, yg, 2, 0.9, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "fewer than the 2 classes"));
  int one[12] = {0};
  ck_assert_int_eq(cb_splits_group_shuffle(12, one, NULL, 1, 0.5, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "at least 2 groups"));
  ck_assert_int_eq(cb_splits_group_shuffle(12, g, NULL, 2, 1.0, 1, &s), CB_ERR_ARG);
  ck_assert_int_eq(cb_splits_group_shuffle(12, g, NULL, 2, 0.1, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "no training group"));
  /* StratifiedGroupKFold's check: every class smaller than the folds */
  int g6[6] = {0, 1, 2, 3, 4, 5}, y6[6] = {0, 0, 1, 1, 2, 2};
  ck_assert_int_eq(cb_splits_group_kfold(6, g6, y6, 3, 0, 0, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "every class has fewer stimuli than the 3 folds"));
  g[3] = -2;
  ck_assert_int_eq(cb_splits_group_kfold(12, g, NULL, 2, 1, 1, &s), CB_ERR_ARG);
  ck_assert_int_eq(cb_splits_group_shuffle(12, g, NULL, 2, 0.5, 1, &s), CB_ERR_ARG);
  ck_assert_int_eq(cb_splits_group_kfold(12, NULL, NULL, 2, 1, 1, &s), CB_ERR_ARG);
  ck_assert_ptr_null(s);
}
END_TEST

static Suite *splits_group_suite(void) {
  Suite *s = suite_create("splits_group");
  TCase *tc = tcase_create("splits_group");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_group_kfold_sklearn);
  tcase_add_test(tc, test_group_kfold_properties);
  tcase_add_test(tc, test_stratified_group_kfold_balance);
  tcase_add_test(tc, test_group_shuffle_properties);
  tcase_add_test(tc, test_group_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return cb_test_run(splits_group_suite()); }
