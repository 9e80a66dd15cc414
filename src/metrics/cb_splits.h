/* cb_splits.h - train/test splits of stimuli for cross-validation. */
#ifndef CB_SPLITS_H
#define CB_SPLITS_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_splits {
  int n_splits, n;
  int n_train, n_test; /* largest train / test size over the splits = row strides of train / test */
  int *train_size;     /* (n_splits) train stimuli of each split (== n_train for shuffle splits) */
  int *test_size;      /* (n_splits) test stimuli of each split (== n_test for shuffle splits) */
  int *train;          /* (n_splits, n_train) stimulus indices, ascending; split k uses train_size[k] */
  int *test;           /* (n_splits, n_test) stimulus indices, ascending; split k uses test_size[k] */
} cb_splits;

/* Stratified shuffle splits with the semantics of scikit-learn's StratifiedShuffleSplit (not its RNG):
 * n_test = ceil((1 - train_fraction) n) (1e-9 slack against rounding), n_train = n - n_test; each class
 * contributes floor or ceil of its proportional share to train (ties of the remainders broken at random),
 * the rest of its stimuli to test. labels == NULL: plain shuffle splits (a single class).
 * Pure function of (n, labels, n_splits, train_fraction, seed). CB_ERR_NUMERIC when n < 2, when n_train or
 * n_test would be smaller than the number of classes, or when n < n_splits; CB_ERR_ARG on other bad input. */
cb_status cb_splits_stratified_shuffle(int n, const int *labels /* (n) class ids >= 0 or NULL */, int n_splits,
                                       double train_fraction, uint64_t seed, cb_splits **out);
/* Plain shuffle splits (scikit-learn ShuffleSplit sizes): the stratified splitter with a single class. */
cb_status cb_splits_shuffle(int n, int n_splits, double train_fraction, uint64_t seed, cb_splits **out);
/* K-fold with scikit-learn KFold semantics: fold f is the test set of split f; the first n % k folds have
 * n / k + 1 stimuli, the others n / k. shuffle == 0: folds are consecutive blocks of 0..n-1 (seed unused);
 * shuffle != 0: blocks of a permutation of 0..n-1 drawn from cb_rng seeded with `seed`. Train = the rest.
 * CB_ERR_ARG if k < 2; CB_ERR_NUMERIC "fewer stimuli than splits" if n < k. */
cb_status cb_splits_kfold(int n, int k, int shuffle, uint64_t seed, cb_splits **out);
void cb_splits_destroy(cb_splits **s);

#endif
