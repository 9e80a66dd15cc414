/* Unit tests for the leaderboard (src/bench/cb_leaderboard.c): best layer
 * per benchmark, clipping, missing = 0, rounding half up, competition
 * ranking with ties listed by name, CSV/Markdown output. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_leaderboard.h"
#include "cb_test_main.h"

static cb_score mk(const char *model, const char *layer, const char *bench, double score) {
  cb_score s;
  memset(&s, 0, sizeof s);
  snprintf(s.model, sizeof s.model, "%s", model);
  snprintf(s.layer, sizeof s.layer, "%s", layer);
  snprintf(s.benchmark, sizeof s.benchmark, "%s", bench);
  snprintf(s.metric, sizeof s.metric, "pls");
  s.score = score;
  return s;
}

static const cb_lb_row *row(const cb_leaderboard *lb, const char *model) {
  for (int i = 0; i < lb->n_models; ++i)
    if (!strcmp(lb->rows[i].model, model)) return &lb->rows[i];
  return NULL;
}

START_TEST(test_aggregation_and_ranking) {
  cb_score s[] = {
      mk("a", "l1", "B1", 0.50), mk("a", "l2", "B1", 0.70), mk("a", "l3", "B1", 0.70), /* tie: first layer kept */
      mk("a", "l1", "B2", 1.30),                                                       /* clipped to 1 */
      mk("b", "x", "B1", 0.90), mk("b", "x", "B2", -0.2),                              /* clipped to 0 */
      mk("c", "x", "B1", 0.80),                                                        /* B2 missing = 0 */
      mk("d", "x", "B1", NAN), mk("d", "y", "B1", 0.849), mk("d", "y", "B2", 0.0),
      mk("e", "x", "B1", 0.451), mk("e", "x", "B2", 0.44),
  };
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build(s, (int)(sizeof s / sizeof *s), NULL, 0, NULL, 0, &lb), CB_OK);
  ck_assert_int_eq(lb->n_models, 5);
  ck_assert_int_eq(lb->n_bench, 2);
  ck_assert_str_eq(lb->bench[0], "B1");
  const cb_lb_row *a = row(lb, "a"), *b = row(lb, "b"), *c = row(lb, "c"), *d = row(lb, "d"), *e = row(lb, "e");
  ck_assert_str_eq(a->layer[0], "l2");
  ck_assert_double_eq_tol(a->average, (0.70 + 1.0) / 2, 1e-12);
  ck_assert_double_eq_tol(b->average, 0.45, 1e-12);
  ck_assert_double_eq_tol(c->average, 0.40, 1e-12);
  ck_assert(isnan(c->score[1]));
  ck_assert_ptr_null(c->layer[1]);
  ck_assert_str_eq(d->layer[0], "y"); /* NaN layer skipped */
  ck_assert_double_eq_tol(d->average, 0.4245, 1e-12);
  ck_assert_double_eq_tol(e->average, 0.4455, 1e-12);
  /* Rounded: a 0.85, b 0.45, e 0.45 (0.4455 half up), d 0.42, c 0.40 -> ranks 1, 2, 2, 4, 5. */
  ck_assert_str_eq(lb->rows[0].model, "a");
  ck_assert_int_eq(lb->rows[0].rank, 1);
  ck_assert_str_eq(lb->rows[1].model, "b");
  ck_assert_str_eq(lb->rows[2].model, "e");
  ck_assert_int_eq(lb->rows[1].rank, 2);
  ck_assert_int_eq(lb->rows[2].rank, 2);
  ck_assert_str_eq(lb->rows[3].model, "d");
  ck_assert_int_eq(lb->rows[3].rank, 4);
  ck_assert_int_eq(lb->rows[4].rank, 5);

  cb_strbuf csv = {0}, md = {0};
  ck_assert_int_eq(cb_leaderboard_csv(lb, &csv), CB_OK);
  ck_assert(strncmp(csv.data, "rank,model,average,B1,B2,B1.layer,B2.layer\n1,a,0.8500,0.7000,1.3000,l2,l1\n",
                    74) == 0);
  ck_assert_ptr_nonnull(strstr(csv.data, "\n5,c,0.4000,0.8000,,x,\n"));
  ck_assert_int_eq(cb_leaderboard_markdown(lb, &md), CB_OK);
  ck_assert_ptr_nonnull(strstr(md.data, "| 1 | a | 0.85 | 0.700 (l2) | 1.300 (l1) |"));
  ck_assert_ptr_nonnull(strstr(md.data, "| 5 | c | 0.40 | 0.800 (x) | - |"));
  cb_strbuf_free(&csv);
  cb_strbuf_free(&md);
  cb_leaderboard_destroy(&lb);
  ck_assert_ptr_null(lb);
  cb_leaderboard_destroy(&lb);
}
END_TEST

START_TEST(test_given_order_and_missing_model) {
  cb_score s[] = {mk("z", "x", "B", 0.3), mk("y", "x", "B", 0.3)};
  const char *models[] = {"z", "y", "absent"};
  const char *benches[] = {"B"};
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build(s, 2, models, 3, benches, 1, &lb), CB_OK);
  /* Tie listed by name; a model without scores is missing (all children missing) and ranks last. */
  ck_assert_str_eq(lb->rows[0].model, "y");
  ck_assert_str_eq(lb->rows[1].model, "z");
  ck_assert_int_eq(lb->rows[1].rank, 1);
  ck_assert_str_eq(lb->rows[2].model, "absent");
  ck_assert(isnan(lb->rows[2].average));
  ck_assert_int_eq(lb->rows[2].rank_value, -1);
  ck_assert_int_eq(lb->rows[2].rank, 3);
  cb_leaderboard_destroy(&lb);
}
END_TEST

/* Layer commitment: the region's selection benchmark picks the layer, every
 * benchmark of the region uses it; a fixed map overrides the selection. */
START_TEST(test_layer_commitment) {
  cb_score s[] = {
      mk("a", "l1", "IT-pls", 0.6), mk("a", "l2", "IT-pls", 0.5), /* selection: l1 */
      mk("a", "l1", "IT-rdm", 0.2), mk("a", "l2", "IT-rdm", 0.9), /* evaluation uses l1 */
      mk("a", "l1", "V1-pls", 0.3), mk("a", "l2", "V1-pls", 0.4),
      mk("b", "x", "IT-pls", 0.5), mk("b", "y", "IT-pls", 0.5),   /* tie: first layer */
      mk("b", "x", "IT-rdm", 0.1), mk("b", "y", "IT-rdm", 0.7),
      mk("b", "x", "V1-pls", 0.2),
  };
  const char *models[] = {"a", "b"}, *benches[] = {"IT-pls", "IT-rdm", "V1-pls"};
  cb_lb_region regions[] = {{"IT-pls", "IT"}, {"IT-rdm", "IT"}, {"V1-pls", "V1"}};
  cb_lb_options opt = {.models = models, .n_models = 2, .benchmarks = benches, .n_bench = 3, .regions = regions,
                       .n_regions = 3};
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build_opts(s, 11, &opt, &lb), CB_OK);
  const cb_lb_row *a = row(lb, "a"), *b = row(lb, "b");
  ck_assert_str_eq(a->layer[0], "l1");
  ck_assert_str_eq(a->layer[1], "l1");
  ck_assert_double_eq(a->score[1], 0.2);
  ck_assert_str_eq(a->layer[2], "l2"); /* V1 selects on its own benchmark */
  ck_assert_str_eq(b->layer[1], "x");
  ck_assert_double_eq(b->score[1], 0.1);
  ck_assert_double_eq_tol(a->average, ((0.6 + 0.2) / 2 + 0.4) / 2, 1e-12);
  cb_leaderboard_destroy(&lb);
  /* A selection benchmark given explicitly, and a fixed map for model b. */
  const char *sel[] = {"IT-rdm"};
  cb_lb_commit fixed[] = {{"b", "IT", "y"}};
  opt.selection = sel;
  opt.n_selection = 1;
  opt.fixed = fixed;
  opt.n_fixed = 1;
  ck_assert_int_eq(cb_leaderboard_build_opts(s, 11, &opt, &lb), CB_OK);
  ck_assert_str_eq(row(lb, "a")->layer[0], "l2");
  ck_assert_double_eq(row(lb, "a")->score[0], 0.5);
  ck_assert_str_eq(row(lb, "b")->layer[0], "y");
  ck_assert_str_eq(row(lb, "b")->layer[1], "y");
  cb_leaderboard_destroy(&lb);
  /* Per benchmark: each benchmark's own best layer. */
  opt.layer_mode = CB_LB_PER_BENCHMARK;
  opt.n_selection = opt.n_fixed = 0;
  ck_assert_int_eq(cb_leaderboard_build_opts(s, 11, &opt, &lb), CB_OK);
  ck_assert_str_eq(row(lb, "a")->layer[1], "l2");
  cb_leaderboard_destroy(&lb);
}
END_TEST

int main(void) {
  Suite *s = suite_create("leaderboard");
  TCase *tc = tcase_create("leaderboard");
  tcase_add_test(tc, test_aggregation_and_ranking);
  tcase_add_test(tc, test_given_order_and_missing_model);
  tcase_add_test(tc, test_layer_commitment);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
