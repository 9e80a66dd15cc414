/* Unit tests for the Brain-Score-style leaderboard tree
 * (src/bench/cb_leaderboard.c) against fixtures written by an independent
 * Python implementation (make_fixtures.py): region/neural/overall means
 * with missing = 0, decimal half-up rounding, competition ranking; the
 * JSON tree; and `--compare` (src/report/cb_compare.c). */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_compare.h"
#include "cb_leaderboard.h"
#include "cb_test_main.h"

#define FIX "tests/unit/report/fixtures/"

START_TEST(test_rounding_fixture) {
  FILE *f = fopen(FIX "round_half_up.txt", "r");
  ck_assert_ptr_nonnull(f);
  double x;
  int want, n = 0;
  while (fscanf(f, "%lf %d", &x, &want) == 2) {
    int got = cb_leaderboard_hundredths(x);
    if (got != want) ck_abort_msg("hundredths(%.17g) = %d, expected %d", x, got, want);
    ++n;
  }
  fclose(f);
  ck_assert_int_gt(n, 2000);
  ck_assert_int_eq(cb_leaderboard_hundredths(NAN), -1);
}
END_TEST

START_TEST(test_infer_region) {
  char r[64];
  cb_leaderboard_infer_region("gratings-v1.V1-pls", r, sizeof r);
  ck_assert_str_eq(r, "V1");
  cb_leaderboard_infer_region("MajajHong2015public.IT", r, sizeof r);
  ck_assert_str_eq(r, "IT");
  cb_leaderboard_infer_region("plainbench", r, sizeof r);
  ck_assert_str_eq(r, "plainbench");
}
END_TEST

typedef struct fixture {
  cb_score *s;
  int n;
  char bench[16][64], region[16][32];
  int n_bench;
  cb_lb_region reg[16];
} fixture;

static void load_scores(fixture *fx) {
  FILE *f = fopen(FIX "tree_scores.csv", "r");
  ck_assert_ptr_nonnull(f);
  char line[512];
  fx->s = calloc(512, sizeof *fx->s);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
  while (fgets(line, sizeof line, f)) {
    cb_score *s = &fx->s[fx->n++];
    char *m = strtok(line, ","), *l = strtok(NULL, ","), *b = strtok(NULL, ","), *r = strtok(NULL, ","),
         *v = strtok(NULL, ",\n");
    snprintf(s->model, sizeof s->model, "%s", m);
    snprintf(s->layer, sizeof s->layer, "%s", l);
    snprintf(s->benchmark, sizeof s->benchmark, "%s", b);
    s->score = !strcmp(v, "nan") ? NAN : strtod(v, NULL);
    s->raw = s->ceiling = s->error = NAN;
    int k = 0;
    while (k < fx->n_bench && strcmp(fx->bench[k], b)) ++k;
    if (k == fx->n_bench) {
      snprintf(fx->bench[k], sizeof fx->bench[k], "%s", b);
      snprintf(fx->region[k], sizeof fx->region[k], "%s", r);
      fx->reg[k].benchmark = fx->bench[k];
      fx->reg[k].region = fx->region[k];
      fx->n_bench++;
    }
  }
  fclose(f);
}

static cb_leaderboard *build_fixture(fixture *fx) {
  load_scores(fx);
  const char *models[] = {"vgg16", "void", "tie-b", "tie-a", "resnet50", "pixels", "cornet-s", "alexnet"};
  const char *benches[16];
  for (int b = 0; b < fx->n_bench; ++b) benches[b] = fx->bench[b];
  cb_lb_options opt = {.models = models, .n_models = 8, .benchmarks = benches, .n_bench = fx->n_bench,
                       .regions = fx->reg, .n_regions = fx->n_bench, .layer_mode = CB_LB_PER_BENCHMARK};
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build_opts(fx->s, fx->n, &opt, &lb), CB_OK);
  return lb;
}

static double num(const char *v) { return !strcmp(v, "nan") ? NAN : strtod(v, NULL); }

static void assert_close(double got, double want, const char *what, const char *model) {
  if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= 1e-12))
    ck_abort_msg("%s of %s: %.17g, expected %.17g", what, model, got, want);
}

START_TEST(test_tree_against_python) {
  fixture fx;
  memset(&fx, 0, sizeof fx);
  cb_leaderboard *lb = build_fixture(&fx);
  ck_assert_int_eq(lb->n_regions, 4);
  ck_assert_str_eq(lb->region[0], "V1");
  ck_assert_str_eq(lb->region[3], "auditory");
  FILE *f = fopen(FIX "tree_expected.csv", "r");
  ck_assert_ptr_nonnull(f);
  char line[1024];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  int m = 0;
  while (fgets(line, sizeof line, f)) {
    char *tok[16];
    int n = 0;
    for (char *t = strtok(line, ",\n"); t && n < 16; t = strtok(NULL, ",\n")) tok[n++] = t;
    ck_assert_int_eq(n, 4 + lb->n_regions);
    const cb_lb_row *r = &lb->rows[m++];
    ck_assert_str_eq(r->model, tok[1]);
    ck_assert_int_eq(r->rank, atoi(tok[0]));
    ck_assert_int_eq(r->rank_value, atoi(tok[2]));
    assert_close(r->average, num(tok[3]), "overall", r->model);
    assert_close(r->neural, num(tok[3]), "neural", r->model);
    for (int k = 0; k < lb->n_regions; ++k) assert_close(r->region[k], num(tok[4 + k]), lb->region[k], r->model);
  }
  fclose(f);
  ck_assert_int_eq(m, lb->n_models);
  /* Every layer kept, in the order given; NaN layers are never chosen. */
  for (int i = 0; i < lb->n_models; ++i)
    if (!strcmp(lb->rows[i].model, "vgg16")) {
      ck_assert_int_eq(lb->rows[i].cell[0].n_layers, 3);
      ck_assert_str_eq(lb->rows[i].cell[0].layers[1].layer, "l2");
      ck_assert_int_ne(lb->rows[i].cell[0].best, 1);
    }

  /* JSON: the full tree, deterministic, NaN as null. */
  cb_strbuf a = {0}, b = {0};
  ck_assert_int_eq(cb_leaderboard_json(lb, &a), CB_OK);
  ck_assert_int_eq(cb_leaderboard_json(lb, &b), CB_OK);
  ck_assert_str_eq(a.data, b.data);
  json_error_t err;
  json_t *root = json_loads(a.data, 0, &err);
  ck_assert_ptr_nonnull(root);
  json_t *models = json_object_get(root, "models");
  ck_assert_int_eq((int)json_array_size(models), 8);
  json_t *top = json_array_get(models, 0);
  ck_assert_str_eq(json_string_value(json_object_get(top, "model")), "resnet50");
  ck_assert_str_eq(json_string_value(json_object_get(top, "rank_value")), "0.98");
  json_t *it = json_object_get(json_object_get(top, "regions"), "IT");
  json_t *cell = json_object_get(json_object_get(it, "benchmarks"), "it-b.IT-rdm");
  ck_assert_int_eq((int)json_array_size(json_object_get(cell, "layers")), 3);
  ck_assert_ptr_nonnull(json_string_value(json_object_get(cell, "layer")));
  json_t *last = json_array_get(models, 7);
  ck_assert_str_eq(json_string_value(json_object_get(last, "model")), "void");
  ck_assert(json_is_null(json_object_get(last, "overall")));
  ck_assert(json_is_null(json_object_get(last, "rank_value")));
  json_decref(root);
  cb_strbuf_free(&a);
  cb_strbuf_free(&b);

  /* Markdown shows region columns (4 regions < 6 benchmarks), missing as -. */
  cb_strbuf md = {0};
  ck_assert_int_eq(cb_leaderboard_markdown(lb, &md), CB_OK);
  ck_assert_ptr_nonnull(strstr(md.data, "| rank | model | average | V1 | V4 | IT | auditory |"));
  ck_assert_ptr_nonnull(strstr(md.data, "| 8 | void | - | - | - | - | - |"));
  cb_strbuf_free(&md);
  cb_leaderboard_destroy(&lb);
  free(fx.s);
}
END_TEST

START_TEST(test_compare) {
  fixture fx;
  memset(&fx, 0, sizeof fx);
  cb_leaderboard *lb = build_fixture(&fx);
  char path[] = "/tmp/cb_compare_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  /* An older leaderboard: minimal columns plus one benchmark (unclipped best
   * layer scores as in our CSV: resnet50 1.0744, vgg16 1.0131), a quoted
   * name, a model that left and no row for some current models. */
  const char *old = "rank,model,average,v4.V4-pls,extra\r\n"
                    "1,vgg16,0.9000,0.5000,x\r\n"
                    "2,\"resnet50\",0.9900,1.0000,y\r\n"
                    "3,\"old, model\",0.5000,,z\r\n"
                    "4,pixels,,0.7909,\r\n";
  ck_assert_int_eq((int)write(fd, old, strlen(old)), (int)strlen(old));
  close(fd);
  cb_strbuf out = {0};
  ck_assert_int_eq(cb_leaderboard_compare(lb, path, &out), CB_OK);
  ck_assert_ptr_nonnull(strstr(out.data, "| model | rank | change | average | delta | delta v4.V4-pls |"));
  ck_assert_ptr_nonnull(strstr(out.data, "| resnet50 | 2 -> 1 | +1 | 0.9844 | -0.0056 | +0.0744 |"));
  ck_assert_ptr_nonnull(strstr(out.data, "| vgg16 | 1 -> 2 | -1 | 0.9552 | +0.0552 | +0.5131 |"));
  ck_assert_ptr_nonnull(strstr(out.data, "| pixels | 4 -> 6 | -2 | 0.6319 | | +0.0000 |"));
  ck_assert_ptr_nonnull(strstr(out.data, "| alexnet | new -> 3 | new | 0.8537 | | |"));
  ck_assert_ptr_nonnull(strstr(out.data, "removed: old, model (was rank 3, average 0.5000)"));
  cb_strbuf_free(&out);
  /* Not a leaderboard. */
  FILE *f = fopen(path, "w");
  fputs("a,b\n1,2\n", f);
  fclose(f);
  ck_assert_int_eq(cb_leaderboard_compare(lb, path, &out), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "rank, model and average"));
  ck_assert_int_eq(cb_leaderboard_compare(lb, "/nonexistent/x.csv", &out), CB_ERR_IO);
  cb_strbuf_free(&out);
  unlink(path);
  cb_leaderboard_destroy(&lb);
  free(fx.s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("leaderboard_tree");
  TCase *tc = tcase_create("tree");
  tcase_add_test(tc, test_rounding_fixture);
  tcase_add_test(tc, test_infer_region);
  tcase_add_test(tc, test_tree_against_python);
  tcase_add_test(tc, test_compare);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
