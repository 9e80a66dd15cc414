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

/* Grouped splits (cb_splits_group.c): groups (n) ids >= 0; the stimuli sharing an id form a group (a movie, a
 * session, the augmentations of one image) that is never split: in every split each group is wholly in train or
 * wholly in test. Group and class ids may be sparse; they are compacted in ascending order. Train and test sizes
 * vary per split when groups differ in size (train_size, test_size). Pure functions of their arguments. */

/* scikit-learn GroupShuffleSplit semantics (not its RNG): the shuffle splits above drawn over the G groups:
 * ceil((1 - train_fraction) G) test groups, the other groups train. labels != NULL: the stratified shuffle splits
 * over groups, each group labelled by the class most of its stimuli have (ties: the smallest class id), so each
 * class's groups are shared between train and test in proportion. CB_ERR_NUMERIC when G < 2, G < n_splits
 * ("groups are fewer than the N splits requested") or the train or test groups would be fewer than the classes;
 * CB_ERR_ARG on a negative id or a train fraction outside (0, 1). */
cb_status cb_splits_group_shuffle(int n, const int *groups /* (n) */, const int *labels /* (n) or NULL */,
                                  int n_splits, double train_fraction, uint64_t seed, cb_splits **out);

/* K-fold over groups; fold f is the test set of split f, train = the rest; every stimulus is tested exactly once.
 * labels == NULL: scikit-learn GroupKFold: groups in descending order of size, each added to the fold with the
 * fewest stimuli so far (ties: the lowest fold), so fold sizes differ by at most the largest group. shuffle == 0
 * orders groups of equal size by descending id, which is scikit-learn's order (np.argsort(sizes)[::-1] when that
 * sort is stable): the same folds. shuffle != 0: equal-size groups in a random order drawn from cb_rng(seed).
 * labels != NULL: scikit-learn StratifiedGroupKFold: groups in descending order of the standard deviation of their
 * class counts (stable), each added to the fold that minimises the mean over classes of the standard deviation
 * over folds of (fold's class count / class total) (a lower value wins; a value numpy.isclose to the best wins
 * when its fold has fewer stimuli: scikit-learn's rule); shuffle == 0 gives scikit-learn's folds (up to rounding
 * in exact ties), shuffle != 0 shuffles the groups (cb_rng(seed)) before the stable sort.
 * CB_ERR_NUMERIC when G < k ("groups are fewer than the k folds") or a stratified assignment leaves a fold empty;
 * CB_ERR_ARG if k < 2 or an id is negative. */
cb_status cb_splits_group_kfold(int n, const int *groups /* (n) */, const int *labels /* (n) or NULL */, int k,
                                int shuffle, uint64_t seed, cb_splits **out);

void cb_splits_destroy(cb_splits **s);

#endif
