/* Unit tests for src/input/cb_jpeg and the PNG/JPEG dispatch of cb_image:
 * decodings compared with Pillow's (tests/reference/gen_io_media.py). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_image.h"
#include "cb_jpeg.h"
#include "cb_status.h"
#include "cb_test_main.h"

#define REF_DIR "tests/reference/io"

static void read_ref(const char *name, char **data, size_t *n) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", REF_DIR, name);
  ck_assert_msg(cb_file_read_all(p, data, n) == CB_OK, "%s", cb_error_message());
}

/* Largest per-channel difference; Pillow links the same libjpeg-turbo with
 * the same (ISLOW) IDCT, so the bound asserted is 0. */
static int max_diff(const uint8_t *a, const char *b, size_t n) {
  int m = 0;
  for (size_t k = 0; k < n; ++k) {
    int d = abs((int)a[k] - (int)(uint8_t)b[k]);
    if (d > m) m = d;
  }
  return m;
}

START_TEST(test_jpeg_matches_pillow) {
  const char *names[] = {"jpeg_gray", "jpeg_prog"};
  for (int k = 0; k < 2; ++k) {
    char jn[64], rn[64];
    snprintf(jn, sizeof jn, "%s.jpg", names[k]);
    snprintf(rn, sizeof rn, "%s.rgb", names[k]);
    char *jpg = NULL, *exp = NULL;
    size_t nj = 0, ne = 0;
    read_ref(jn, &jpg, &nj);
    read_ref(rn, &exp, &ne);
    uint8_t *rgb = NULL;
    int h = 0, w = 0;
    ck_assert(cb_jpeg_sniff((const uint8_t *)jpg, nj));
    ck_assert_msg(cb_jpeg_decode((const uint8_t *)jpg, nj, jn, &rgb, &h, &w) == CB_OK, "%s", cb_error_message());
    ck_assert_int_eq(h, 24);
    ck_assert_int_eq(w, 31);
    ck_assert_uint_eq(ne, (size_t)h * w * 3);
    ck_assert_int_eq(max_diff(rgb, exp, ne), 0);
    free(rgb);
    /* Through the content dispatcher, from a file. */
    char p[256];
    snprintf(p, sizeof p, "%s/%s", REF_DIR, jn);
    rgb = NULL;
    ck_assert_int_eq(cb_image_read(p, &rgb, &h, &w), CB_OK);
    ck_assert_int_eq(max_diff(rgb, exp, ne), 0);
    free(rgb);
    free(jpg);
    free(exp);
  }
  /* PNGs go through the same entry point. */
  uint8_t *rgb = NULL;
  int h = 0, w = 0;
  char *exp = NULL;
  size_t ne = 0;
  ck_assert_int_eq(cb_image_read(REF_DIR "/ref_rgba.png", &rgb, &h, &w), CB_OK);
  read_ref("ref_rgba.rgb", &exp, &ne);
  ck_assert_int_eq(max_diff(rgb, exp, ne), 0);
  free(rgb);
  free(exp);
}
END_TEST

START_TEST(test_jpeg_errors) {
  char *jpg = NULL;
  size_t n = 0;
  uint8_t *rgb = NULL;
  int h = 0, w = 0;
  read_ref("jpeg_cmyk.jpg", &jpg, &n);
  ck_assert_int_eq(cb_jpeg_decode((const uint8_t *)jpg, n, "cmyk.jpg", &rgb, &h, &w), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cmyk.jpg"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "CMYK"));
  ck_assert_ptr_null(rgb);
  free(jpg);

  read_ref("jpeg_prog.jpg", &jpg, &n);
  /* Truncated: premature end of data is an error, not grey pixels. */
  ck_assert_int_eq(cb_jpeg_decode((const uint8_t *)jpg, n / 2, "cut.jpg", &rgb, &h, &w), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut.jpg"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  ck_assert_ptr_null(rgb);
  /* Only the header. */
  ck_assert_int_eq(cb_jpeg_decode((const uint8_t *)jpg, 20, "head.jpg", &rgb, &h, &w), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "head.jpg"));
  free(jpg);
  /* Not a JPEG. */
  const uint8_t txt[] = "GIF89a nope";
  ck_assert_int_eq(cb_jpeg_decode(txt, sizeof txt, "x.gif", &rgb, &h, &w), CB_ERR_FORMAT);
  ck_assert_int_eq(cb_image_decode(txt, sizeof txt, "x.gif", &rgb, &h, &w), CB_ERR_UNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "x.gif"));
}
END_TEST

/* Index of the first SOFn marker (FF C0..C2), or 0. */
static size_t find_sof(const unsigned char *b, size_t n) {
  for (size_t i = 2; i + 9 < n; ++i)
    if (b[i] == 0xFF && b[i + 1] >= 0xC0 && b[i + 1] <= 0xC2) return i;
  return 0;
}

/* Strict decoding: damage that libjpeg only warns about is an error, and
 * the declared size is checked before decoding. */
START_TEST(test_jpeg_strict) {
  const char *names[] = {"jpeg_gray.jpg", "jpeg_prog.jpg"};
  for (int k = 0; k < 2; ++k) {
    char *jpg = NULL;
    size_t n = 0;
    uint8_t *rgb = NULL;
    int h = 0, w = 0;
    read_ref(names[k], &jpg, &n);
    /* Cut in the middle of the entropy-coded data, EOI put back: libjpeg
     * alone would return grey filler and success. */
    size_t sos = 0;
    for (size_t i = 0; i + 1 < n; ++i)
      if ((unsigned char)jpg[i] == 0xFF && (unsigned char)jpg[i + 1] == 0xDA) sos = i;
    ck_assert_uint_gt(sos, 0);
    size_t cut = sos + (n - sos) / 2;
    jpg[cut] = (char)0xFF;
    jpg[cut + 1] = (char)0xD9;
    ck_assert_int_eq(cb_jpeg_decode((const uint8_t *)jpg, cut + 2, "cut_eoi.jpg", &rgb, &h, &w), CB_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut_eoi.jpg: corrupt JPEG ("));
    ck_assert_ptr_null(rgb);
    free(jpg);
    /* The header claims 16000 x 16000: refused before any pixel memory. */
    read_ref(names[k], &jpg, &n);
    size_t sof = find_sof((const unsigned char *)jpg, n);
    ck_assert_uint_gt(sof, 0);
    unsigned char *hw = (unsigned char *)jpg + sof + 5;
    hw[0] = 16000 >> 8, hw[1] = 16000 & 255, hw[2] = 16000 >> 8, hw[3] = 16000 & 255;
    ck_assert_int_eq(cb_image_decode((const uint8_t *)jpg, n, "huge.jpg", &rgb, &h, &w), CB_ERR_UNSUPPORTED);
    ck_assert_str_eq(cb_error_message(), "huge.jpg: image of 16000x16000 pixels is too large (the limit is 16384 "
                                         "pixels per side and 67108864 pixels)");
    /* One side over 16384 with few pixels is refused too. */
    hw[0] = 1 >> 8, hw[1] = 1, hw[2] = 20000 >> 8, hw[3] = 20000 & 255;
    ck_assert_int_eq(cb_jpeg_decode((const uint8_t *)jpg, n, "wide.jpg", &rgb, &h, &w), CB_ERR_UNSUPPORTED);
    ck_assert_ptr_null(rgb);
    free(jpg);
  }
  ck_assert_int_eq(cb_image_check_size("x", 8192, 8192), CB_OK);
  ck_assert_int_eq(cb_image_check_size("x", 8192, 8193), CB_ERR_UNSUPPORTED);
  ck_assert_int_eq(cb_image_check_size("x", 0, 10), CB_ERR_FORMAT);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_jpeg");
  TCase *tc = tcase_create("jpeg");
  tcase_add_test(tc, test_jpeg_matches_pillow);
  tcase_add_test(tc, test_jpeg_errors);
  tcase_add_test(tc, test_jpeg_strict);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
