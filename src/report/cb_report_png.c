/* cb_report_png.c - colours, base64 and in-memory PNG for the HTML report. */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

/* matplotlib's viridis at t = k / 32, k = 0..32 (CC0 colour map); linear
 * interpolation stays within 3/255 of matplotlib's 256-entry table. */
static const unsigned char viridis33[33][3] = {
    {68, 1, 84},    {71, 13, 96},   {72, 24, 106},  {72, 35, 116},  {71, 45, 123},  {69, 55, 129},
    {66, 64, 134},  {62, 73, 137},  {59, 82, 139},  {55, 91, 141},  {51, 99, 141},  {47, 107, 142},
    {44, 114, 142}, {41, 122, 142}, {38, 130, 142}, {35, 137, 142}, {33, 145, 140}, {31, 152, 139},
    {31, 160, 136}, {34, 167, 133}, {40, 174, 128}, {50, 182, 122}, {63, 188, 115}, {78, 195, 107},
    {94, 201, 98},  {112, 207, 87}, {132, 212, 75}, {152, 216, 62}, {173, 220, 48}, {194, 223, 35},
    {216, 226, 25}, {236, 229, 27}, {253, 231, 37}};

void cb__viridis(double t, unsigned char rgb[3]) {
  if (isnan(t)) {
    rgb[0] = rgb[1] = rgb[2] = 160;
    return;
  }
  t = t < 0 ? 0 : (t > 1 ? 1 : t);
  double x = t * 32;
  int k = (int)x;
  if (k > 31) k = 31;
  double f = x - k;
  for (int c = 0; c < 3; ++c) rgb[c] = (unsigned char)lround(viridis33[k][c] * (1 - f) + viridis33[k + 1][c] * f);
}

const char *cb__palette(int k) {
  static const char *tab10[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return tab10[(k % 10 + 10) % 10];
}

cb_status cb__base64(cb_strbuf *o, const unsigned char *d, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t out_len = 4 * ((n + 2) / 3);
  char *buf = malloc(out_len + 1);
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  size_t j = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
    buf[j++] = A[v >> 18 & 63];
    buf[j++] = A[v >> 12 & 63];
    buf[j++] = i + 1 < n ? A[v >> 6 & 63] : '=';
    buf[j++] = i + 2 < n ? A[v & 63] : '=';
  }
  buf[j] = '\0';
  cb_status st = cb_strbuf_append(o, buf);
  free(buf);
  return st;
}

cb_status cb__png_encode_rgb(const unsigned char *rgb, int w, int h, unsigned char **png, size_t *n) {
  if (w <= 0 || h <= 0) return CB_ERROR(CB_ERR_ARG, "png: empty image (%d x %d)", w, h);
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = (png_uint_32)w;
  img.height = (png_uint_32)h;
  img.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&img, NULL, &size, 0, rgb, 0, NULL))
    return CB_ERROR(CB_ERR_INTERNAL, "png: cannot size the image: %s", img.message);
  unsigned char *buf = malloc(size);
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (!png_image_write_to_memory(&img, buf, &size, 0, rgb, 0, NULL)) {
    free(buf);
    return CB_ERROR(CB_ERR_INTERNAL, "png: cannot encode the image: %s", img.message);
  }
  *png = buf;
  *n = (size_t)size;
  return CB_OK;
}

cb_status cb__rdm_image(const double *D, int n, int max_side, unsigned char **rgb_out, int *side_out) {
  if (n <= 0 || max_side <= 0) return CB_ERROR(CB_ERR_ARG, "rdm image: empty matrix (n = %d)", n);
  int f = (n + max_side - 1) / max_side; /* block size */
  int side = (n + f - 1) / f;
  double lo = INFINITY, hi = -INFINITY;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double v = D[(size_t)i * n + j];
      if (i == j || !isfinite(v)) continue;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  if (!(hi >= lo)) lo = hi = 0; /* no finite off-diagonal value */
  unsigned char *rgb = malloc((size_t)side * side * 3);
  if (!rgb) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int bi = 0; bi < side; ++bi)
    for (int bj = 0; bj < side; ++bj) {
      double sum = 0;
      int cnt = 0;
      for (int i = bi * f; i < (bi + 1) * f && i < n; ++i)
        for (int j = bj * f; j < (bj + 1) * f && j < n; ++j) {
          double v = i == j ? lo : D[(size_t)i * n + j];
          if (isfinite(v)) {
            sum += v;
            ++cnt;
          }
        }
      double t = cnt ? (hi > lo ? (sum / cnt - lo) / (hi - lo) : 0.0) : NAN;
      cb__viridis(t, &rgb[((size_t)bi * side + bj) * 3]);
    }
  *rgb_out = rgb;
  *side_out = side;
  return CB_OK;
}
