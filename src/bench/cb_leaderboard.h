/* cb_leaderboard.h - from per-layer scores to a ranked table.
 *
 * For each (model, benchmark) the best-scoring layer is kept (ties: the
 * first layer in the order scores were given). Leaf scores are clipped to
 * [0, 1]; a model's average is the unweighted mean over the benchmarks, a
 * missing benchmark counting as 0. Ranking value = average rounded to 2
 * decimals (half up); competition ranking (1, 2, 2, 4); ties listed by
 * model name. */
#ifndef CB_LEADERBOARD_H
#define CB_LEADERBOARD_H

#include "cb_score.h"
#include "cb_status.h"
#include "cb_strbuf.h"

typedef struct cb_lb_row {
  char *model;
  int rank;
  double average;     /* mean of clipped benchmark scores, missing = 0 */
  double *score;      /* (n_bench) ceiled score of the chosen layer, NaN if missing */
  char **layer;       /* (n_bench) chosen layer, NULL if missing */
} cb_lb_row;

typedef struct cb_leaderboard {
  int n_models, n_bench;
  char **bench;       /* (n_bench) */
  cb_lb_row *rows;    /* (n_models) in rank order */
} cb_leaderboard;

/* models/benchmarks: order of columns (NULL: sorted names found in scores). */
cb_status cb_leaderboard_build(const cb_score *scores, int n_scores, const char *const *models, int n_models,
                               const char *const *benchmarks, int n_bench, cb_leaderboard **out);
void cb_leaderboard_destroy(cb_leaderboard **lb);
/* Writes <dir>/leaderboard.csv and <dir>/leaderboard.md atomically. */
cb_status cb_leaderboard_write(const cb_leaderboard *lb, const char *dir);
/* Markdown table (also what the terminal shows). */
cb_status cb_leaderboard_markdown(const cb_leaderboard *lb, cb_strbuf *out);
cb_status cb_leaderboard_csv(const cb_leaderboard *lb, cb_strbuf *out);

#endif
