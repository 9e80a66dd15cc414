/* cb_leaderboard.h - from per-layer scores to a ranked table, aggregated
 * like Brain-Score's leaderboard.
 *
 * Tree: benchmark -> region (V1, V2, V4, IT, auditory, ...) -> neural
 * average -> overall average (overall = neural for now; behavioural
 * benchmarks would be a sibling of "neural").
 *  - leaf: for each (model, benchmark) the best-scoring layer is kept (ties:
 *    the first layer in the order scores were given; NaN scores skipped);
 *    its ceiled score is clipped to [0, 1];
 *  - every parent is the unweighted mean of its direct children, a missing
 *    child counting as 0; a parent whose children are all missing is
 *    missing (NaN);
 *  - ranking value = overall rounded to 2 decimals, half up, decimally:
 *    the double is first printed with 10 decimals (glibc prints the exact
 *    binary value correctly rounded), then the third decimal decides (>= 5
 *    rounds up). So 0.445 (stored as 0.44500000000000000611) and 0.4455
 *    (stored as 0.44549999999999995) both give 0.45: what the reader sees is
 *    what is rounded, not the binary representation error;
 *  - competition ranking (1, 2, 2, 4) on the ranking value; ties listed by
 *    model name (strcmp); models whose overall is missing come last, tied.
 * A benchmark's region comes from the caller (cb_lb_region pairs, e.g. the
 * config's [benchmark] region); without one it is inferred from a
 * Brain-Score-style id "<dataset>.<REGION>-<metric>" (gratings-v1.V1-pls ->
 * V1), and otherwise the benchmark is a region of its own. */
#ifndef CB_LEADERBOARD_H
#define CB_LEADERBOARD_H

#include "cb_score.h"
#include "cb_status.h"
#include "cb_strbuf.h"

/* One per-layer score of a (model, benchmark). */
typedef struct cb_lb_layer {
  char *layer;
  double raw, ceiling, score, error; /* as in the score file (score not clipped) */
  double ci_low, ci_high;            /* bootstrap interval of score; NaN when none */
  int voxel;                         /* 1: score file has ceiling_method "voxel" (score = noise-corrected r^2) */
  double ceiling_lower;              /* ceiling_method "nili": lower bound of the noise ceiling; NaN otherwise */
  int pca_components;                /* > 0: scored on PCA-projected activations (layer selection) */
} cb_lb_layer;

/* One (model, benchmark): every layer scored, and the chosen one. */
typedef struct cb_lb_cell {
  int best;            /* index into layers of the chosen layer; -1: missing */
  int n_layers;
  cb_lb_layer *layers; /* (n_layers) in the order the scores were given */
} cb_lb_cell;

typedef struct cb_lb_row {
  char *model;
  int rank;
  int rank_value;  /* overall rounded to hundredths, half up (43 = 0.43); -1 when missing */
  double average;  /* overall average (= neural for now); NaN when missing */
  double neural;   /* mean over regions, missing region = 0; NaN when all missing */
  double *region;  /* (n_regions) mean of clipped benchmark scores, missing = 0; NaN when all missing */
  double *score;   /* (n_bench) ceiled score of the chosen layer (not clipped), NaN if missing */
  char **layer;    /* (n_bench) chosen layer, NULL if missing */
  cb_lb_cell *cell; /* (n_bench) */
} cb_lb_row;

typedef struct cb_leaderboard {
  int n_models, n_bench, n_regions;
  char **bench;      /* (n_bench) */
  int *bench_region; /* (n_bench) index into region */
  char **region;     /* (n_regions) in order of first appearance over bench */
  cb_lb_row *rows;   /* (n_models) in rank order */
  int skip_missing;  /* 1: averages over present children only (cb_lb_options.skip_missing) */
} cb_leaderboard;

/* A benchmark's region (e.g. {"majajhong2015.IT-pls", "IT"}). */
typedef struct cb_lb_region {
  const char *benchmark;
  const char *region; /* NULL or "": inferred from the id */
} cb_lb_region;

/* A fixed layer for (model, region): a published region->layer map. */
typedef struct cb_lb_commit {
  const char *model, *region, *layer;
} cb_lb_commit;

typedef enum cb_lb_layer_mode {
  CB_LB_PER_REGION = 0, /* Brain-Score's layer commitment: one layer per (model, region), chosen on the region's
                           selection benchmark (best ceiled score, ties: first layer), used on all its benchmarks */
  CB_LB_PER_BENCHMARK   /* the best layer of each benchmark separately (optimistic) */
} cb_lb_layer_mode;

typedef struct cb_lb_options {
  const char *const *models;     /* (n_models) row set; NULL: sorted names found in scores */
  int n_models;
  const char *const *benchmarks; /* (n_bench) column order; NULL: sorted names found in scores */
  int n_bench;
  const cb_lb_region *regions;   /* (n_regions) may be NULL; the first pair naming a benchmark wins */
  int n_regions;
  cb_lb_layer_mode layer_mode;   /* default (0): per region */
  const char *const *selection;  /* (n_selection) benchmarks that choose their region's layer; a region
                                    without one uses its first benchmark (column order) */
  int n_selection;
  const cb_lb_commit *fixed;     /* (n_fixed) explicit (model, region) -> layer, overriding the selection */
  int n_fixed;
  int skip_missing;              /* 0 (default): a missing child counts as 0; 1: region, neural and overall are
                                    the mean of the children present (models of other modalities, RDM-only
                                    models) */
} cb_lb_options;

/* opt may be NULL (everything from the scores, regions inferred). */
cb_status cb_leaderboard_build_opts(const cb_score *scores, int n_scores, const cb_lb_options *opt,
                                    cb_leaderboard **out);
/* Same with regions inferred from the benchmark ids. */
cb_status cb_leaderboard_build(const cb_score *scores, int n_scores, const char *const *models, int n_models,
                               const char *const *benchmarks, int n_bench, cb_leaderboard **out);
void cb_leaderboard_destroy(cb_leaderboard **lb);
/* One warning (cb_log) per model without a score on some benchmarks, naming them and whether the averages count
 * them as 0 or leave them out; callers emit it once the leaderboard is written. */
void cb_leaderboard_warn_missing(const cb_leaderboard *lb);

/* Region inferred from an id: text between the first '.' and the next '-'
 * (or the end); the id itself when there is no '.'. Writes at most n bytes. */
void cb_leaderboard_infer_region(const char *benchmark, char *out, size_t n);
/* x rounded to hundredths, half up, decimally (see above); -1 for NaN.
 * Meant for x in [0, 1]; negative x rounds half away from zero. */
int cb_leaderboard_hundredths(double x);

/* Writes <dir>/leaderboard.csv, <dir>/leaderboard.json and <dir>/leaderboard.md
 * atomically (none contains timings or host names). */
cb_status cb_leaderboard_write(const cb_leaderboard *lb, const char *dir);
/* Markdown table (also what the terminal shows). */
cb_status cb_leaderboard_markdown(const cb_leaderboard *lb, cb_strbuf *out);
/* rank,model,average,<benchmarks...>,<benchmark>.layer... */
cb_status cb_leaderboard_csv(const cb_leaderboard *lb, cb_strbuf *out);
/* The full tree (docs/report.md): jansson, keys in a fixed order, reals
 * with 17 significant digits, NaN as null, 2-space indent. */
cb_status cb_leaderboard_json(const cb_leaderboard *lb, cb_strbuf *out);

#endif
