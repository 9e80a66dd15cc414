/* Unit tests for src/input/cb_image: PNG read/write, resize and preprocessing.
 * Reference PNGs and resize/preprocess values come from Pillow via
 * tests/reference/gen_io_image.py. */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_image.h"
#include "cb_status.h"

#define REF_DIR "tests/reference/io"
#define KRIEG_PNG "../shared/data/kriegeskorte2008/stimuli/img001.png"

#define CB_TEST_TMP_NAME "image"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

START_TEST(test_png_roundtrip_gray_rgb) {
  make_tmpdir();
  const int h = 13, w = 17;
  uint8_t gray[13 * 17], rgb[13 * 17 * 3];
  for (int i = 0; i < h * w; ++i) gray[i] = (uint8_t)(i * 37 + 11);
  for (int i = 0; i < h * w * 3; ++i) rgb[i] = (uint8_t)(i * 101 + 7);
  char pg[512], pr[512], pr2[512];
  tmp_path(pg, sizeof pg, "sub/dir/gray.png");
  tmp_path(pr, sizeof pr, "rgb.png");
  tmp_path(pr2, sizeof pr2, "rgb2.png");
  ck_assert_int_eq(cb_image_write_png(pg, gray, h, w, 1), CB_OK);
  ck_assert_int_eq(cb_image_write_png(pr, rgb, h, w, 3), CB_OK);
  ck_assert_int_eq(cb_image_write_png(pr2, rgb, h, w, 3), CB_OK);

  uint8_t *back = NULL;
  int bh = 0, bw = 0;
  ck_assert_int_eq(cb_image_read_png(pg, &back, &bh, &bw), CB_OK);
  ck_assert_int_eq(bh, h);
  ck_assert_int_eq(bw, w);
  for (int i = 0; i < h * w; ++i)
    for (int c = 0; c < 3; ++c) ck_assert_uint_eq(back[i * 3 + c], gray[i]);
  free(back);
  back = NULL;
  ck_assert_int_eq(cb_image_read_png(pr, &back, &bh, &bw), CB_OK);
  ck_assert_int_eq(bh, h);
  ck_assert_int_eq(bw, w);
  ck_assert_int_eq(memcmp(back, rgb, sizeof rgb), 0);
  free(back);

  /* Deterministic bytes. */
  char *a = NULL, *b = NULL;
  size_t na = 0, nb = 0;
  ck_assert_int_eq(cb_file_read_all(pr, &a, &na), CB_OK);
  ck_assert_int_eq(cb_file_read_all(pr2, &b, &nb), CB_OK);
  ck_assert_uint_eq(na, nb);
  ck_assert_int_eq(memcmp(a, b, na), 0);
  ck_assert_ptr_null(strstr(a, "tIME"));
  free(a);
  free(b);

  /* Bad arguments. */
  ck_assert_int_eq(cb_image_write_png(pr, rgb, h, w, 2), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "rgb.png"));
}
END_TEST

static const char *ref_names[] = {"ref_palette", "ref_palette_trns", "ref_rgba", "ref_la", "ref_gray16", "ref_gray1"};

START_TEST(test_png_read_reference_types) {
  for (size_t k = 0; k < sizeof ref_names / sizeof *ref_names; ++k) {
    char png[256], raw[256];
    snprintf(png, sizeof png, "%s/%s.png", REF_DIR, ref_names[k]);
    snprintf(raw, sizeof raw, "%s/%s.rgb", REF_DIR, ref_names[k]);
    uint8_t *px = NULL;
    int h = 0, w = 0;
    ck_assert_msg(cb_image_read_png(png, &px, &h, &w) == CB_OK, "%s: %s", png, cb_error_message());
    char *exp = NULL;
    size_t n = 0;
    ck_assert_int_eq(cb_file_read_all(raw, &exp, &n), CB_OK);
    ck_assert_int_eq(h, 5);
    ck_assert_int_eq(w, 7);
    ck_assert_uint_eq(n, (size_t)h * w * 3);
    ck_assert_msg(memcmp(px, exp, n) == 0, "pixels of %s differ from Pillow", png);
    free(px);
    free(exp);
  }
}
END_TEST

START_TEST(test_png_errors_name_file) {
  make_tmpdir();
  uint8_t *px = NULL;
  int h = 0, w = 0;
  char p[512];
  tmp_path(p, sizeof p, "missing.png");
  ck_assert_int_eq(cb_image_read_png(p, &px, &h, &w), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "missing.png"));

  tmp_path(p, sizeof p, "text.png");
  ck_assert_int_eq(cb_file_write_atomic(p, "hello, not a png", 16), CB_OK);
  ck_assert_int_eq(cb_image_read_png(p, &px, &h, &w), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "text.png"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));

  /* Truncated PNG: valid header, data cut short. */
  uint8_t rgb[32 * 32 * 3];
  for (size_t i = 0; i < sizeof rgb; ++i) rgb[i] = (uint8_t)(i * 7919);
  char full[512];
  tmp_path(full, sizeof full, "full.png");
  ck_assert_int_eq(cb_image_write_png(full, rgb, 32, 32, 3), CB_OK);
  char *bytes = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(full, &bytes, &n), CB_OK);
  tmp_path(p, sizeof p, "cut.png");
  ck_assert_int_eq(cb_file_write_atomic(p, bytes, n / 2), CB_OK);
  free(bytes);
  ck_assert_int_eq(cb_image_read_png(p, &px, &h, &w), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut.png"));
  ck_assert_ptr_null(px);
}
END_TEST

static uint32_t crc32_png(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Strict PNG: a bad CRC (critical or ancillary chunk) is an error, and the
 * size the IHDR declares is checked before decoding. */
START_TEST(test_png_strict) {
  make_tmpdir();
  uint8_t rgb[16 * 16 * 3];
  for (size_t i = 0; i < sizeof rgb; ++i) rgb[i] = (uint8_t)(i * 31);
  char full[512];
  tmp_path(full, sizeof full, "ok.png");
  ck_assert_int_eq(cb_image_write_png(full, rgb, 16, 16, 3), CB_OK);
  char *png = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(full, &png, &n), CB_OK);
  uint8_t *b = (uint8_t *)png, *px = NULL;
  int h = 0, w = 0;
  /* Insert a tEXt chunk with a wrong CRC after IHDR (8 + 25 bytes). */
  static const char txt[] = "tEXtComment\0hello";
  size_t tl = sizeof txt - 1, at = 33, m = n + 12 + (tl - 4);
  uint8_t *c = malloc(m);
  memcpy(c, b, at);
  put_be32(c + at, (uint32_t)(tl - 4));
  memcpy(c + at + 4, txt, tl);
  put_be32(c + at + 4 + tl, crc32_png((const uint8_t *)txt, tl));
  memcpy(c + at + 8 + tl, b + at, n - at);
  ck_assert_int_eq(cb_image_decode(c, m, "text.png", &px, &h, &w), CB_OK); /* correct CRC: fine */
  free(px);
  px = NULL;
  c[at + 4 + tl] ^= 0x55;
  ck_assert_int_eq(cb_image_decode(c, m, "crc.png", &px, &h, &w), CB_ERR_FORMAT);
  ck_assert_str_eq(cb_error_message(), "crc.png: corrupt or unsupported PNG (tEXt: CRC error)");
  ck_assert_ptr_null(px);
  free(c);
  /* IHDR claiming 20000 x 20000 (CRC fixed up). */
  put_be32(b + 16, 20000);
  put_be32(b + 20, 20000);
  put_be32(b + 29, crc32_png(b + 12, 17));
  ck_assert_int_eq(cb_image_decode(b, n, "huge.png", &px, &h, &w), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "huge.png: image of 20000x20000 pixels is too large"));
  ck_assert_ptr_null(px);
  free(png);
}
END_TEST

static int read_ints(FILE *f, int *v, int n) {
  for (int i = 0; i < n; ++i)
    if (fscanf(f, "%d", &v[i]) != 1) return 0;
  return 1;
}

START_TEST(test_resize_matches_pillow) {
  FILE *f = fopen(REF_DIR "/resize.txt", "r");
  ck_assert_ptr_nonnull(f);
  int dims[4], cases = 0;
  while (read_ints(f, dims, 4)) {
    int h = dims[0], w = dims[1], oh = dims[2], ow = dims[3];
    float *in = malloc(sizeof(float) * h * w), *out = malloc(sizeof(float) * oh * ow);
    for (int i = 0; i < h * w; ++i) ck_assert_int_eq(fscanf(f, "%f", &in[i]), 1);
    ck_assert_int_eq(cb_image_resize_f(in, h, w, 1, out, oh, ow), CB_OK);
    for (int i = 0; i < oh * ow; ++i) {
      double e;
      ck_assert_int_eq(fscanf(f, "%lf", &e), 1);
      ck_assert_msg(fabs(out[i] - e) < 5e-4, "case %d (%dx%d->%dx%d) pixel %d: %g vs Pillow %g", cases, h, w, oh, ow,
                    i, out[i], e);
    }
    free(in);
    free(out);
    ++cases;
  }
  fclose(f);
  ck_assert_int_eq(cases, 7);
}
END_TEST

START_TEST(test_preprocess_matches_reference) {
  FILE *f = fopen(REF_DIR "/preprocess.txt", "r");
  ck_assert_ptr_nonnull(f);
  int cases = 0;
  int h, w, oh, ow;
  double sd, md;
  while (fscanf(f, "%d %d %lf %lf %d %d", &h, &w, &sd, &md, &oh, &ow) == 6) {
    cb_preprocess p = {.out_h = oh, .out_w = ow, .model_degrees = md, .stimulus_degrees = sd};
    for (int c = 0; c < 3; ++c) ck_assert_int_eq(fscanf(f, "%f", &p.mean[c]), 1);
    for (int c = 0; c < 3; ++c) ck_assert_int_eq(fscanf(f, "%f", &p.std[c]), 1);
    uint8_t *img = malloc((size_t)h * w * 3);
    for (int i = 0; i < h * w * 3; ++i) {
      int v;
      ck_assert_int_eq(fscanf(f, "%d", &v), 1);
      img[i] = (uint8_t)v;
    }
    float *out = malloc(sizeof(float) * 3 * oh * ow);
    ck_assert_int_eq(cb_image_preprocess(img, h, w, &p, out), CB_OK);
    for (int i = 0; i < 3 * oh * ow; ++i) {
      double e;
      ck_assert_int_eq(fscanf(f, "%lf", &e), 1);
      ck_assert_msg(fabs(out[i] - e) < 1e-5, "case %d value %d: %g vs reference %g", cases, i, out[i], e);
    }
    free(img);
    free(out);
    ++cases;
  }
  fclose(f);
  ck_assert_int_eq(cases, 4);
}
END_TEST

START_TEST(test_preprocess_constant_image) {
  const int h = 23, w = 31;
  uint8_t *img = malloc((size_t)h * w * 3);
  const uint8_t v[3] = {200, 17, 128};
  for (int i = 0; i < h * w; ++i) memcpy(img + i * 3, v, 3);
  double degs[][2] = {{8, 8}, {8, 4}, {8, 6.5}}; /* stimulus, model: equal and crops */
  int sizes[][2] = {{224, 224}, {7, 11}, {50, 3}};
  for (int d = 0; d < 3; ++d)
    for (int s = 0; s < 3; ++s) {
      cb_preprocess p = cb_preprocess_default();
      p.stimulus_degrees = degs[d][0];
      p.model_degrees = degs[d][1];
      p.out_h = sizes[s][0];
      p.out_w = sizes[s][1];
      int n = p.out_h * p.out_w;
      float *out = malloc(sizeof(float) * 3 * n);
      ck_assert_int_eq(cb_image_preprocess(img, h, w, &p, out), CB_OK);
      for (int c = 0; c < 3; ++c) {
        double e = (v[c] / 255.0 - p.mean[c]) / p.std[c];
        for (int i = 0; i < n; ++i) ck_assert_double_eq_tol(out[c * n + i], e, 1e-5);
      }
      free(out);
    }
  free(img);
}
END_TEST

START_TEST(test_preprocess_places_on_grey) {
  /* 10x10 black stimulus of 5 degrees in a 10-degree field -> 20x20 field
   * with the stimulus at rows/cols 5..14; output 20x20 is an identity resize. */
  uint8_t img[10 * 10 * 3];
  memset(img, 0, sizeof img);
  cb_preprocess p = {.out_h = 20, .out_w = 20, .mean = {0, 0, 0}, .std = {1, 1, 1}};
  p.stimulus_degrees = 5;
  p.model_degrees = 10;
  float out[3 * 20 * 20];
  ck_assert_int_eq(cb_image_preprocess(img, 10, 10, &p, out), CB_OK);
  int grey = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 20; ++y)
      for (int x = 0; x < 20; ++x) {
        int inside = y >= 5 && y < 15 && x >= 5 && x < 15;
        double e = inside ? 0.0 : 128.0 / 255.0;
        ck_assert_double_eq_tol(out[(c * 20 + y) * 20 + x], e, 1e-6);
        grey += !inside;
      }
  ck_assert_int_eq(grey, 3 * (400 - 100));

  /* Odd margin: 3x3 stimulus at 3 degrees in 6 degrees -> 6x6, offset 1. */
  uint8_t small[3 * 3 * 3];
  memset(small, 255, sizeof small);
  p.out_h = p.out_w = 6;
  p.stimulus_degrees = 3;
  p.model_degrees = 6;
  float o6[3 * 36];
  ck_assert_int_eq(cb_image_preprocess(small, 3, 3, &p, o6), CB_OK);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 6; ++x) {
      int inside = y >= 1 && y < 4 && x >= 1 && x < 4;
      ck_assert_double_eq_tol(o6[y * 6 + x], inside ? 1.0 : 128.0 / 255.0, 1e-6);
    }
}
END_TEST

START_TEST(test_preprocess_centre_crop) {
  /* 20x20 image with distinct values; model sees half the stimulus -> the
   * central 10x10 (rows/cols 5..14), output 10x10 is an identity resize. */
  uint8_t img[20 * 20 * 3];
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 20; ++x)
      for (int c = 0; c < 3; ++c) img[(y * 20 + x) * 3 + c] = (uint8_t)(y * 12 + x + c * 3);
  cb_preprocess p = {.out_h = 10, .out_w = 10, .mean = {0, 0, 0}, .std = {1, 1, 1}};
  p.stimulus_degrees = 8;
  p.model_degrees = 4;
  float out[3 * 100];
  ck_assert_int_eq(cb_image_preprocess(img, 20, 20, &p, out), CB_OK);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x)
        ck_assert_double_eq_tol(out[(c * 10 + y) * 10 + x] * 255.0, img[((y + 5) * 20 + x + 5) * 3 + c], 1e-4);
}
END_TEST

START_TEST(test_preprocess_checkerboard_antialias) {
  /* A 1-pixel checkerboard of 0/255 halved: every output pixel away from
   * the border is exactly the mean 0.5 (no aliasing to 0 or 1). */
  enum { N = 16 };
  uint8_t img[N * N * 3];
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x) memset(img + (y * N + x) * 3, ((x + y) & 1) ? 255 : 0, 3);
  cb_preprocess p = {.out_h = N / 2, .out_w = N / 2, .mean = {0, 0, 0}, .std = {1, 1, 1}};
  p.stimulus_degrees = p.model_degrees = 8;
  float out[3 * (N / 2) * (N / 2)];
  ck_assert_int_eq(cb_image_preprocess(img, N, N, &p, out), CB_OK);
  double sum = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < N / 2; ++y)
      for (int x = 0; x < N / 2; ++x) {
        double v = out[(c * (N / 2) + y) * (N / 2) + x];
        sum += v;
        if (y > 0 && x > 0 && y < N / 2 - 1 && x < N / 2 - 1) ck_assert_double_eq_tol(v, 0.5, 1e-6);
        ck_assert(v > 0.3 && v < 0.7);
      }
  ck_assert_double_eq_tol(sum / (3 * (N / 2) * (N / 2)), 0.5, 0.02);
}
END_TEST

START_TEST(test_preprocess_shape_and_errors) {
  const int h = 9, w = 14;
  uint8_t img[9 * 14 * 3];
  for (size_t i = 0; i < sizeof img; ++i) img[i] = (uint8_t)(i * 13);
  cb_preprocess p = cb_preprocess_default();
  p.out_h = 5;
  p.out_w = 9;
  p.stimulus_degrees = 10; /* different h/w ratios: crop 6x10 */
  p.model_degrees = 7;
  const int n = 3 * 5 * 9;
  float out[3 * 5 * 9 + 8];
  for (int i = 0; i < n + 8; ++i) out[i] = -999.0f;
  ck_assert_int_eq(cb_image_preprocess(img, h, w, &p, out), CB_OK);
  for (int i = 0; i < n; ++i) ck_assert(out[i] != -999.0f && isfinite(out[i]));
  for (int i = n; i < n + 8; ++i) ck_assert(out[i] == -999.0f);

  cb_preprocess bad = p;
  bad.std[1] = 0.0f;
  ck_assert_int_eq(cb_image_preprocess(img, h, w, &bad, out), CB_ERR_ARG);
  bad = p;
  bad.model_degrees = 0.0;
  ck_assert_int_eq(cb_image_preprocess(img, h, w, &bad, out), CB_ERR_ARG);
  bad = p;
  bad.out_w = 0;
  ck_assert_int_eq(cb_image_preprocess(img, h, w, &bad, out), CB_ERR_ARG);
  ck_assert_int_eq(cb_image_preprocess(img, 0, w, &p, out), CB_ERR_ARG);
}
END_TEST

START_TEST(test_real_kriegeskorte_png) {
  if (access(KRIEG_PNG, R_OK) != 0) {
    fprintf(stderr, "skipping: %s not present\n", KRIEG_PNG);
    return;
  }
  uint8_t *px = NULL;
  int h = 0, w = 0;
  ck_assert_int_eq(cb_image_read_png(KRIEG_PNG, &px, &h, &w), CB_OK);
  ck_assert_int_eq(h, 175);
  ck_assert_int_eq(w, 175);
  int distinct = 0;
  for (int i = 1; i < h * w * 3; ++i) distinct += px[i] != px[0];
  ck_assert_int_gt(distinct, 0);
  cb_preprocess p = cb_preprocess_default();
  float *out = malloc(sizeof(float) * 3 * 224 * 224);
  ck_assert_int_eq(cb_image_preprocess(px, h, w, &p, out), CB_OK);
  for (int i = 0; i < 3 * 224 * 224; ++i) ck_assert(out[i] > -2.2f && out[i] < 2.7f);
  free(out);
  free(px);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_image");
  TCase *tc = tcase_create("image");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_png_roundtrip_gray_rgb);
  tcase_add_test(tc, test_png_read_reference_types);
  tcase_add_test(tc, test_png_errors_name_file);
  tcase_add_test(tc, test_png_strict);
  tcase_add_test(tc, test_resize_matches_pillow);
  tcase_add_test(tc, test_preprocess_matches_reference);
  tcase_add_test(tc, test_preprocess_constant_image);
  tcase_add_test(tc, test_preprocess_places_on_grey);
  tcase_add_test(tc, test_preprocess_centre_crop);
  tcase_add_test(tc, test_preprocess_checkerboard_antialias);
  tcase_add_test(tc, test_preprocess_shape_and_errors);
  tcase_add_test(tc, test_real_kriegeskorte_png);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
