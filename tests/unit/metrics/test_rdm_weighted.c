/* test_rdm_weighted.c - comparisons over weighted pair multisets equal the
 * comparisons of the expanded vectors (each entry repeated w times). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "cb_rdm.h"
#include "cb_rdm_weighted.h"
#include "cb_rng.h"
#include "cb_test_main.h"

/* a, b (m) with ties (values on a coarse grid) and integer weights 0..3. */
static void make(cb_rng *g, size_t m, double *a, double *b, double *w) {
  for (size_t i = 0; i < m; ++i) {
    a[i] = floor(cb_rng_uniform(g) * 20) / 4;
    b[i] = a[i] * 0.5 + cb_rng_uniform(g);
    w[i] = (double)cb_rng_below(g, 4);
  }
}

START_TEST(test_weighted_equals_expanded) {
  const cb_rdm_compare_kind kinds[] = {CB_RDM_CMP_SPEARMAN, CB_RDM_CMP_PEARSON, CB_RDM_CMP_COSINE};
  cb_rng g;
  cb_rng_seed_stream(&g, 7, 0);
  for (int trial = 0; trial < 20; ++trial) {
    const size_t m = 5 + (size_t)trial * 13;
    double *a = malloc(sizeof *a * m), *b = malloc(sizeof *b * m), *w = malloc(sizeof *w * m);
    double *ra = malloc(sizeof *ra * m), *rb = malloc(sizeof *rb * m);
    size_t *oa = malloc(sizeof *oa * m), *ob = malloc(sizeof *ob * m);
    double *ea = malloc(sizeof *ea * 3 * m), *eb = malloc(sizeof *eb * 3 * m); /* expanded, <= 3 copies each */
    make(&g, m, a, b, w);
    w[0] = 2; /* at least two copies in all */
    ck_assert_int_eq(cb_rank_order(a, m, oa), CB_OK);
    ck_assert_int_eq(cb_rank_order(b, m, ob), CB_OK);
    size_t k = 0;
    for (size_t i = 0; i < m; ++i)
      for (int c = 0; c < (int)w[i]; ++c) ea[k] = a[i], eb[k] = b[i], ++k;
    for (int j = 0; j < 3; ++j) {
      double got, want;
      ck_assert_int_eq(cb_rdm_compare_weighted(a, oa, b, ob, w, m, kinds[j], ra, rb, &got), CB_OK);
      ck_assert_int_eq(cb_rdm_compare_vec(ea, eb, k, kinds[j], &want), CB_OK);
      ck_assert_msg(fabs(got - want) <= 1e-12, "kind %d m %zu: weighted %.17g expanded %.17g", j, m, got, want);
    }
    double tau;
    ck_assert_int_eq(cb_rdm_compare_weighted(a, oa, b, ob, w, m, CB_RDM_CMP_KENDALL_TAU_A, ra, rb, &tau),
                     CB_ERR_UNSUPPORTED);
    free(a), free(b), free(w), free(ra), free(rb), free(oa), free(ob), free(ea), free(eb);
  }
}
END_TEST

START_TEST(test_weighted_ranks_and_edges) {
  /* values 1 1 2 3 with weights 2 1 0 3: multiset 1 1 1 3 3 3 -> ranks 2 (the ones), 5 (the threes) */
  const double v[] = {1, 1, 2, 3}, w[] = {2, 1, 0, 3};
  size_t ord[4];
  double r[4] = {0, 0, -1, 0};
  ck_assert_int_eq(cb_rank_order(v, 4, ord), CB_OK);
  cb_rank_weighted(v, ord, w, 4, r);
  ck_assert(r[0] == 2 && r[1] == 2 && r[2] == -1 && r[3] == 5);
  const double zero[] = {0, 0, 0, 0}, c[] = {1, 1, 1, 1};
  ck_assert(isnan(cb_pearson_weighted(v, v, zero, 4)));
  ck_assert(isnan(cb_pearson_weighted(c, v, w, 4)));
  const double nan_v[] = {1, NAN};
  ck_assert_int_eq(cb_rank_order(nan_v, 2, ord), CB_ERR_NUMERIC);
}
END_TEST

static Suite *weighted_suite(void) {
  Suite *s = suite_create("rdm_weighted");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_weighted_equals_expanded);
  tcase_add_test(tc, test_weighted_ranks_and_edges);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return cb_test_run(weighted_suite()); }
