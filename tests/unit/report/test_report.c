/* Unit tests for the HTML report (src/report): base64 (RFC 4648 vectors),
 * the viridis colour map (matplotlib values, make_fixtures.py), PNG
 * encoding (decoded back with libpng), RDM images, and the page itself:
 * stable ids, escaping, self-contained, atomic write. */
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_report.h"
#include "cb_report_impl.h"
#include "cb_test_main.h"

START_TEST(test_base64_rfc4648) {
  const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    cb_strbuf o = {0};
    ck_assert_int_eq(cb_strbuf_append(&o, ""), CB_OK);
    ck_assert_int_eq(cb__base64(&o, (const unsigned char *)in[i], strlen(in[i])), CB_OK);
    ck_assert_str_eq(o.data, want[i]);
    cb_strbuf_free(&o);
  }
}
END_TEST

START_TEST(test_viridis_matches_matplotlib) {
  FILE *f = fopen("tests/unit/report/fixtures/viridis.txt", "r");
  ck_assert_ptr_nonnull(f);
  double t;
  int r, g, b, n = 0;
  while (fscanf(f, "%lf %d %d %d", &t, &r, &g, &b) == 4) {
    unsigned char c[3];
    cb__viridis(t, c);
    /* 33 anchors interpolated linearly vs matplotlib's 256-entry table. */
    if (abs(c[0] - r) > 3 || abs(c[1] - g) > 3 || abs(c[2] - b) > 3)
      ck_abort_msg("viridis(%g) = %d %d %d, matplotlib %d %d %d", t, c[0], c[1], c[2], r, g, b);
    ++n;
  }
  fclose(f);
  ck_assert_int_eq(n, 101);
  unsigned char c[3];
  cb__viridis(NAN, c);
  ck_assert_int_eq(c[0], 160);
  cb__viridis(-1, c);
  ck_assert_int_eq(c[0], 68);
}
END_TEST

/* Decodes a PNG from memory into RGB with libpng. */
static unsigned char *decode(const unsigned char *png, size_t n, int *w, int *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  ck_assert(png_image_begin_read_from_memory(&img, png, n));
  img.format = PNG_FORMAT_RGB;
  unsigned char *buf = malloc(PNG_IMAGE_SIZE(img));
  ck_assert(png_image_finish_read(&img, NULL, buf, 0, NULL));
  *w = (int)img.width;
  *h = (int)img.height;
  return buf;
}

START_TEST(test_png_roundtrip) {
  unsigned char rgb[2 * 3 * 3]; /* (2, 3, 3) */
  for (int i = 0; i < 18; ++i) rgb[i] = (unsigned char)(i * 14 + 1);
  unsigned char *png = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb__png_encode_rgb(rgb, 3, 2, &png, &n), CB_OK);
  ck_assert_int_gt((int)n, 8);
  ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
  int w, h;
  unsigned char *back = decode(png, n, &w, &h);
  ck_assert_int_eq(w, 3);
  ck_assert_int_eq(h, 2);
  ck_assert_int_eq(memcmp(back, rgb, sizeof rgb), 0);
  /* Same input, same bytes. */
  unsigned char *png2 = NULL;
  size_t n2 = 0;
  ck_assert_int_eq(cb__png_encode_rgb(rgb, 3, 2, &png2, &n2), CB_OK);
  ck_assert(n == n2 && !memcmp(png, png2, n));
  ck_assert_int_eq(cb__png_encode_rgb(rgb, 0, 2, &png2, &n2) == CB_OK, 0);
  free(back);
  free(png);
  free(png2);
}
END_TEST

START_TEST(test_rdm_image) {
  /* 3 x 3: off-diagonal 1, 2, 3 -> t = 0, 0.5, 1; diagonal drawn as the minimum. */
  double D[9] = {0, 1, 2, 1, 0, 3, 2, 3, 0};
  unsigned char *rgb = NULL, c[3];
  int side = 0;
  ck_assert_int_eq(cb__rdm_image(D, 3, 256, &rgb, &side), CB_OK);
  ck_assert_int_eq(side, 3);
  cb__viridis(0.5, c);
  ck_assert_int_eq(memcmp(&rgb[(0 * 3 + 2) * 3], c, 3), 0);
  cb__viridis(1.0, c);
  ck_assert_int_eq(memcmp(&rgb[(1 * 3 + 2) * 3], c, 3), 0);
  cb__viridis(0.0, c);
  ck_assert_int_eq(memcmp(&rgb[(1 * 3 + 1) * 3], c, 3), 0);
  free(rgb);
  /* 5 x 5 into at most 2 pixels a side: blocks of 3 -> 2 x 2. */
  double E[25];
  for (int i = 0; i < 25; ++i) E[i] = (i / 5 == i % 5) ? 0 : (double)(i / 5 + i % 5);
  ck_assert_int_eq(cb__rdm_image(E, 5, 2, &rgb, &side), CB_OK);
  ck_assert_int_eq(side, 2);
  free(rgb);
}
END_TEST

static cb_score mk(const char *model, const char *layer, const char *bench, double score) {
  cb_score s;
  memset(&s, 0, sizeof s);
  snprintf(s.model, sizeof s.model, "%s", model);
  snprintf(s.layer, sizeof s.layer, "%s", layer);
  snprintf(s.benchmark, sizeof s.benchmark, "%s", bench);
  s.score = score;
  s.raw = score > 0 ? sqrt(score) : 0.1;
  s.ceiling = 0.9;
  s.error = 0.01;
  return s;
}

START_TEST(test_html_page) {
  cb_score s[] = {mk("a&b", "conv1", "x.V1-pls", 0.2), mk("a&b", "conv2", "x.V1-pls", 0.5),
                  mk("a&b", "conv1", "y.IT-pls", 1.002), mk("<z>", "p", "x.V1-pls", 0.1)};
  s[1].n_bootstrap = 100;
  s[1].ci_low = 0.45;
  s[1].ci_high = 0.55;
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build(s, 4, NULL, 0, NULL, 0, &lb), CB_OK);
  cb_report *r = NULL;
  ck_assert_int_eq(cb_report_create("suite \"t\"", &r), CB_OK);
  ck_assert_int_eq(cb_report_set_leaderboard(r, lb), CB_OK);
  double D[16] = {0, 1, 2, 3, 1, 0, 4, 5, 2, 4, 0, 6, 3, 5, 6, 0};
  ck_assert_int_eq(cb_report_add_rdm_in(r, "x.V1-rsa", "V1 (neural)", D, 4), CB_OK);
  ck_assert_int_eq(cb_report_add_rdm_in(r, "x.V1-rsa", "a&b conv2", D, 4), CB_OK);
  ck_assert_int_eq(cb_report_add_rdm(r, "other", D, 4), CB_OK);
  ck_assert_int_ne(cb_report_add_rdm(r, "bad", D, 0), CB_OK);
  ck_assert_int_eq(cb_report_add_meta(r, "OpenBLAS core", "SkylakeX"), CB_OK);
  cb_strbuf h = {0};
  ck_assert_int_eq(cb_report_html(r, &h), CB_OK);
  const char *must[] = {"<table id=\"leaderboard\">", "<tr class=\"model-row\" id=\"model-1\" data-model=\"a&amp;b\">",
                        "data-model=\"&lt;z&gt;\"", "id=\"fig-bars-0\"", "id=\"fig-bars-1\"", "id=\"fig-heatmap\"",
                        "id=\"fig-profile-0\"", "id=\"fig-profile-1\"", "id=\"fig-rdm-0\" data-file=\"rdm-0-x.V1-rsa\"",
                        "data-group=\"x.V1-rsa\"", "id=\"fig-rdm-1\" data-file=\"rdm-1-RDMs\"",
                        "<img class=\"rdm\" data-name=\"a&amp;b conv2\"", "src=\"data:image/png;base64,iVBORw0KGgo",
                        "id=\"metadata\"", "SkylakeX", "suite &quot;t&quot;", "<script>", "id=\"layers-1\"",
                        "[0.4500, 0.5500]", "1.002&#160;&#9650;", "href=\"figures/bars-0-x.V1-pls.svg\"",
                        "href=\"figures/bars-1-y.IT-pls.png\"", "href=\"figures/rdm-0-x.V1-rsa.png\""};
  for (size_t i = 0; i < sizeof must / sizeof *must; ++i)
    if (!strstr(h.data, must[i])) ck_abort_msg("page lacks %s", must[i]);
  /* A ceiling band on each of the 4 score plots (2 benchmarks, 2 regions); the 1.002 marked with its value in the
   * table, on the bars and on the heatmap, and marked on the IT profile. */
  int bands = 0, marks = 0;
  for (const char *p = h.data; (p = strstr(p, "<g class=\"ceiling\"")); ++p) ++bands;
  for (const char *p = h.data; (p = strstr(p, "above the noise ceiling (ceiled 1.0020")); ++p) ++marks;
  marks += strstr(h.data, "conv1: 1.0000 (above the noise ceiling on a benchmark") != NULL;
  ck_assert_msg(bands == 4 && marks == 4, "%d ceiling bands (want 4), %d above-ceiling marks (want 4)", bands, marks);
  /* Self-contained: nothing fetched from the network (the SVG namespace names are not fetched). */
  ck_assert_ptr_null(strstr(h.data, "src=\"http"));
  ck_assert_ptr_null(strstr(h.data, "href=\"http"));
  ck_assert_ptr_null(strstr(h.data, "url(http"));
  ck_assert_ptr_null(strstr(h.data, "<z>"));

  char dir[] = "/tmp/cb_report_XXXXXX", path[CB_PATH_MAX];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/sub/leaderboard.html", dir);
  ck_assert_int_eq(cb_report_write_html(r, path), CB_OK);
  char *text = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(path, &text, &n), CB_OK);
  ck_assert_int_eq((int)n, (int)h.len);
  ck_assert_int_eq(memcmp(text, h.data, n), 0);
  free(text);
  unlink(path);
  /* One SVG and one PNG per figure; the PNG is a PNG of the figure's size (2 pixels per SVG pixel). */
  const char *figs[] = {"bars-0-x.V1-pls", "bars-1-y.IT-pls", "heatmap-0", "profile-0-V1", "profile-1-IT",
                        "rdm-0-x.V1-rsa", "rdm-1-RDMs"};
  int bad_files = 0;
  for (size_t i = 0; i < sizeof figs / sizeof *figs; ++i) {
    snprintf(path, sizeof path, "%s/sub/figures/%s.svg", dir, figs[i]);
    ck_assert_int_eq(cb_file_read_all(path, &text, &n), CB_OK);
    const char *head = "<svg xmlns=\"http://www.w3.org/2000/svg\"";
    /* Drawn figures are inline in the page too; the RDM figures show there as <img>s. */
    bad_files += strncmp(text, head, strlen(head)) != 0 || (strncmp(figs[i], "rdm", 3) && !strstr(h.data, text));
    free(text);
    unlink(path);
    snprintf(path, sizeof path, "%s/sub/figures/%s.png", dir, figs[i]);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    bad_files += !png_image_begin_read_from_file(&img, path) || img.width < 600 || img.height < 100;
    png_image_free(&img);
    unlink(path);
  }
  ck_assert_msg(bad_files == 0, "%d figure files missing, not embedded in the page, or not PNG", bad_files);
  snprintf(path, sizeof path, "%s/sub/figures", dir);
  rmdir(path);
  snprintf(path, sizeof path, "%s/sub", dir);
  rmdir(path);
  rmdir(dir);

  cb_strbuf_free(&h);
  cb_report_destroy(&r);
  ck_assert_ptr_null(r);
  cb_report_destroy(&r);
  cb_leaderboard_destroy(&lb);
}
END_TEST

/* Task accuracy against region score: one figure per region, one point per model with an accuracy, Pearson's r
 * in the title (3 models on a line of slope 0.5: r = 1; on V1 the third model has no score: 2 points, r = 1). */
START_TEST(test_task_figure) {
  cb_score s[] = {mk("m0", "l", "x.V1-pls", 0.2), mk("m1", "l", "x.V1-pls", 0.3), mk("m0", "l", "y.IT-pls", 0.1),
                  mk("m1", "l", "y.IT-pls", 0.2), mk("m2", "l", "y.IT-pls", 0.3), mk("other", "l", "y.IT-pls", 0.9)};
  cb_leaderboard *lb = NULL;
  ck_assert_int_eq(cb_leaderboard_build(s, 6, NULL, 0, NULL, 0, &lb), CB_OK);
  cb_report *r = NULL;
  ck_assert_int_eq(cb_report_create("t", &r), CB_OK);
  ck_assert_int_eq(cb_report_set_leaderboard(r, lb), CB_OK);
  cb_strbuf h = {0};
  ck_assert_int_eq(cb_report_add_task(r, "m0", 0.2), CB_OK);
  ck_assert_int_eq(cb_report_html(r, &h), CB_OK);
  ck_assert_ptr_null(strstr(h.data, "id=\"task\"")); /* one model: no plot */
  cb_strbuf_free(&h);
  ck_assert_int_eq(cb_report_add_task(r, "m1", 0.4), CB_OK);
  ck_assert_int_eq(cb_report_add_task(r, "m2", 0.6), CB_OK);
  ck_assert_int_ne(cb_report_add_task(r, "m3", 1.5), CB_OK);
  ck_assert_int_eq(cb_report_html(r, &h), CB_OK);
  const char *must[] = {"<section id=\"task\">", "id=\"fig-task-0\" data-file=\"task-0-V1\" data-region=\"V1\"",
                        "id=\"fig-task-1\" data-file=\"task-1-IT\" data-region=\"IT\"",
                        "V1: Pearson r = 1.000 over 2 models", "IT: Pearson r = 1.000 over 3 models",
                        "m2: accuracy 0.6000, score 0.3000"};
  for (size_t i = 0; i < sizeof must / sizeof *must; ++i)
    if (!strstr(h.data, must[i])) ck_abort_msg("page lacks %s", must[i]);
  int points = 0;
  for (const char *p = h.data; (p = strstr(p, "<circle class=\"task-point\"")); ++p) ++points;
  ck_assert_int_eq(points, 5);
  ck_assert_ptr_null(strstr(h.data, "other: accuracy"));
  cb_strbuf_free(&h);
  cb_report_destroy(&r);
  cb_leaderboard_destroy(&lb);
}
END_TEST

int main(void) {
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("report");
  tcase_add_test(tc, test_base64_rfc4648);
  tcase_add_test(tc, test_viridis_matches_matplotlib);
  tcase_add_test(tc, test_png_roundtrip);
  tcase_add_test(tc, test_rdm_image);
  tcase_add_test(tc, test_html_page);
  tcase_add_test(tc, test_task_figure);
  tcase_set_timeout(tc, 120); /* librsvg renders 7 figures: slow under valgrind */
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
