#!/usr/bin/python3
"""scikit-learn's grouped k-fold splits, for tests/unit/metrics/test_splits_group.c.

Regenerate (from the repository root, with the Debian Python that sees python3-sklearn):
    /usr/bin/python3 tests/reference/make_group_split_goldens.py
Writes tests/reference/fixtures/group_kfold.txt (written with scikit-learn 1.2.1, numpy 1.24).

cb_splits_group_kfold(shuffle = 0) follows GroupKFold and StratifiedGroupKFold (shuffle=False) step by step, so
their folds must be equal. Two limits on what can be compared, and how the cases avoid them:
- GroupKFold orders groups with np.argsort(sizes)[::-1]; numpy's default sort is stable only below 17 elements
  (insertion sort), so groups of equal size have sklearn's order (descending id) only there: cases with tied
  sizes have at most 16 groups; the larger cases have distinct sizes.
- StratifiedGroupKFold's `fold_eval < min_eval` decides exact ties (values equal in exact arithmetic) by rounding,
  which depends on the order of numpy's sums; cb_splits sums in fold order. The stratified cases are drawn at
  random and kept as written: the test fails if one differs.

Format (whitespace separated, '#' lines are comments): "ncases", then per case
"kind n k" (kind 0 = GroupKFold, 1 = StratifiedGroupKFold), the n group ids, for kind 1 the n class labels,
then k lines "size" + the fold's test indices (ascending).
"""
import os

import numpy as np
import sklearn
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "group_kfold.txt")


def cases():
    rng = np.random.default_rng(17)
    out = []
    # GroupKFold, tied sizes, <= 16 groups
    out.append((0, rng.integers(0, 10, 40), None, 3))
    out.append((0, np.repeat(np.arange(12), 5), None, 4))                   # 12 "movies" x 5 frames
    out.append((0, np.repeat(np.arange(16), 3)[rng.permutation(48)], None, 5))
    # GroupKFold, distinct sizes, sparse ids, more groups than insertion sort covers
    sizes = rng.permutation(np.arange(1, 26))
    g = np.repeat(np.arange(25) * 1000 + 7, sizes)[rng.permutation(sizes.sum())]
    out.append((0, g, None, 6))
    # StratifiedGroupKFold
    for n, G, C, k in ((60, 12, 3, 3), (90, 18, 2, 5), (120, 30, 4, 4), (48, 16, 3, 4)):
        g = rng.integers(0, G, n)
        y = rng.integers(0, C, n)
        out.append((1, g, y, k))
    movie = np.repeat(np.arange(20), 12)                                     # class-pure groups
    out.append((1, movie, (movie * 7) % 4, 5))
    return out


def main():
    cs = cases()
    with open(OUT, "w") as f:
        f.write("# GroupKFold / StratifiedGroupKFold(shuffle=False) test folds, scikit-learn %s, numpy %s\n"
                % (sklearn.__version__, np.__version__))
        f.write("%d\n" % len(cs))
        for kind, g, y, k in cs:
            n = len(g)
            f.write("%d %d %d\n" % (kind, n, k))
            f.write(" ".join(str(int(v)) for v in g) + "\n")
            if kind == 1:
                f.write(" ".join(str(int(v)) for v in y) + "\n")
                folds = [te for _, te in StratifiedGroupKFold(k).split(np.zeros(n), y, g)]
            else:
                folds = [te for _, te in GroupKFold(k).split(np.zeros(n), None, g)]
            for te in folds:
                te = sorted(int(i) for i in te)
                f.write("%d " % len(te) + " ".join(str(i) for i in te) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
