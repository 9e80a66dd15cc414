/* cb_image.c - PNG via libpng (JPEG dispatched to cb_jpeg), visual-degree placement, antialiased resize. */
#include "cb_image.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_jpeg.h"
#include "cb_stimuli.h"

/* Largest image written or preprocessed (pixels), to keep size arithmetic in
 * range; decoding stops at CB_IMAGE_MAX_PIXELS. */
#define MAX_PIXELS ((size_t)1 << 28)

cb_status cb_image_check_size(const char *name, uint64_t h, uint64_t w) {
  if (h == 0 || w == 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: image of %llux%llu pixels is empty", name, (unsigned long long)h,
                    (unsigned long long)w);
  if (h > CB_IMAGE_MAX_SIDE || w > CB_IMAGE_MAX_SIDE || h * w > CB_IMAGE_MAX_PIXELS)
    return CB_ERROR(CB_ERR_UNSUPPORTED,
                    "%s: image of %llux%llu pixels is too large (the limit is %d pixels per side and %llu pixels)",
                    name, (unsigned long long)h, (unsigned long long)w, CB_IMAGE_MAX_SIDE,
                    (unsigned long long)CB_IMAGE_MAX_PIXELS);
  return CB_OK;
}

/* ---- libpng error plumbing ---------------------------------------------- */

typedef struct png_err {
  char msg[256];
  int strict; /* warnings are errors */
} png_err;

static void on_png_error(png_structp png, png_const_charp msg) {
  png_err *e = png_get_error_ptr(png);
  if (e) snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

/* Reading: a warning is an error (cb_image.h). Writing: our own images, no warnings expected. */
static void on_png_warning(png_structp png, png_const_charp msg) {
  png_err *e = png_get_error_ptr(png);
  if (e && e->strict) {
    snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "unknown libpng warning");
    png_longjmp(png, 1);
  }
}

/* ---- PNG read ----------------------------------------------------------- */

typedef struct png_mem {
  const uint8_t *data;
  size_t n, pos;
} png_mem;

static void png_read_mem(png_structp png, png_bytep out, png_size_t len) {
  png_mem *m = png_get_io_ptr(png);
  if (len > m->n - m->pos) png_error(png, "unexpected end of file");
  memcpy(out, m->data + m->pos, len);
  m->pos += len;
}

static cb_status decode_png(const uint8_t *data, size_t n, const char *path, uint8_t **rgb, int *h, int *w) {
  if (n < 8 || png_sig_cmp(data, 0, 8) != 0) return CB_ERROR(CB_ERR_FORMAT, "%s: not a PNG file", path);
  png_err err = {{0}, 1};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_read_struct(&png, &info, NULL);
    return CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for the PNG decoder", path);
  }
  png_mem mem = {data, n, 8};
  uint8_t *volatile pix = NULL;   /* (ph, pw, 3) */
  png_bytep *volatile rows = NULL; /* (ph) */
  volatile cb_status st = CB_OK;
  png_uint_32 pw = 0, ph = 0;
  if (setjmp(png_jmpbuf(png))) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt or unsupported PNG (%s)", path, err.msg);
    goto done;
  }
  png_set_read_fn(png, &mem, png_read_mem);
  png_set_sig_bytes(png, 8);
  /* libpng's own limit stays above ours so that our message names the size. */
  png_set_user_limits(png, 4u * CB_IMAGE_MAX_SIDE, 4u * CB_IMAGE_MAX_SIDE);
  png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
#ifdef PNG_BENIGN_ERRORS_SUPPORTED
  png_set_benign_errors(png, 0);
#endif
  png_read_info(png, info);
  pw = png_get_image_width(png, info);
  ph = png_get_image_height(png, info);
  int depth = png_get_bit_depth(png, info);
  int color = png_get_color_type(png, info);
  st = cb_image_check_size(path, ph, pw);
  if (st != CB_OK) goto done;
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16) png_set_strip_16(png);
  /* Alpha (including palette/gray transparency expanded above) is dropped. */
  png_set_strip_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  (void)png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != (size_t)pw * 3) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: PNG colour type %d with bit depth %d did not convert to RGB", path, color,
                  depth);
    goto done;
  }
  pix = malloc((size_t)pw * (size_t)ph * 3);
  rows = malloc((size_t)ph * sizeof *rows);
  if (!pix || !rows) {
    st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for %ux%u pixels", path, (unsigned)ph, (unsigned)pw);
    goto done;
  }
  for (png_uint_32 y = 0; y < ph; ++y) rows[y] = pix + (size_t)y * pw * 3;
  png_read_image(png, rows);
  png_read_end(png, NULL); /* reads (and CRC-checks) the chunks after the image data too */
done:
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  if (st != CB_OK) {
    free(pix);
    return st;
  }
  *rgb = pix;
  *h = (int)ph;
  *w = (int)pw;
  return CB_OK;
}

cb_status cb_image_read_png(const char *path, uint8_t **rgb, int *h, int *w) {
  char *data = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &data, &n));
  cb_status st = decode_png((const uint8_t *)data, n, path, rgb, h, w);
  free(data);
  return st;
}

/* ---- any format ---------------------------------------------------------- */

cb_status cb_image_decode(const uint8_t *data, size_t n, const char *name, uint8_t **rgb, int *h, int *w) {
  if (!name) name = "image";
  if (!data || !rgb || !h || !w) return CB_ERROR(CB_ERR_ARG, "%s: invalid image decode arguments", name);
  if (n >= 8 && png_sig_cmp(data, 0, 8) == 0) return decode_png(data, n, name, rgb, h, w);
  if (cb_jpeg_sniff(data, n)) return cb_jpeg_decode(data, n, name, rgb, h, w);
  return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: not a PNG or JPEG image", name);
}

cb_status cb_image_read(const char *path, uint8_t **rgb, int *h, int *w) {
  char *data = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &data, &n));
  cb_status st = cb_image_decode((const uint8_t *)data, n, path, rgb, h, w);
  free(data);
  return st;
}

/* ---- PNG write ---------------------------------------------------------- */

cb_status cb_image_write_png(const char *path, const uint8_t *pixels, int h, int w, int channels) {
  if (!pixels || h <= 0 || w <= 0 || (channels != 1 && channels != 3) || (size_t)h * (size_t)w > MAX_PIXELS)
    return CB_ERROR(CB_ERR_ARG, "%s: cannot write a %dx%dx%d PNG (need h, w > 0 and 1 or 3 channels)", path, h, w,
                    channels);
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  FILE *f = fopen(tmp, "wb");
  if (!f) return CB_ERROR(CB_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
  png_err err = {{0}, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    unlink(tmp);
    return CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for the PNG encoder", path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    unlink(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: cannot write PNG (%s)", path, err.msg);
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  for (int y = 0; y < h; ++y) png_write_row(png, pixels + (size_t)y * (size_t)w * (size_t)channels);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(f) != 0) {
    unlink(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: write failed (%s)", path, strerror(errno));
  }
  return cb_file_commit(tmp, path);
}

/* ---- resampling --------------------------------------------------------- */

/* Filter taps of a 1-D resize from n_in to n_out samples. */
typedef struct taps {
  int k;      /* max taps per output sample */
  int *start; /* (n_out) first input index */
  int *len;   /* (n_out) taps used */
  double *w;  /* (n_out, k) normalised weights */
} taps;

static void taps_free(taps *t) {
  free(t->start);
  free(t->len);
  free(t->w);
  memset(t, 0, sizeof *t);
}

static double triangle(double x) {
  x = fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/* Output sample o is centred at (o + 0.5) * scale in input coordinates;
 * weight of input i = tri((i + 0.5 - centre) / max(scale, 1)), clipped to
 * the image and renormalised to sum 1. */
static cb_status taps_make(int n_in, int n_out, taps *t) {
  double scale = (double)n_in / n_out;
  double fs = scale > 1.0 ? scale : 1.0;
  double support = 1.0 * fs;
  t->k = (int)ceil(support) * 2 + 1;
  t->start = malloc((size_t)n_out * sizeof *t->start);
  t->len = malloc((size_t)n_out * sizeof *t->len);
  t->w = malloc((size_t)n_out * (size_t)t->k * sizeof *t->w);
  if (!t->start || !t->len || !t->w) {
    taps_free(t);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory for resize filter taps");
  }
  for (int o = 0; o < n_out; ++o) {
    double centre = (o + 0.5) * scale;
    int lo = (int)floor(centre - support + 0.5);
    int hi = (int)floor(centre + support + 0.5);
    if (lo < 0) lo = 0;
    if (hi > n_in) hi = n_in;
    if (hi - lo > t->k) hi = lo + t->k;
    double *w = t->w + (size_t)o * (size_t)t->k, sum = 0.0;
    for (int i = lo; i < hi; ++i) {
      w[i - lo] = triangle((i + 0.5 - centre) / fs);
      sum += w[i - lo];
    }
    if (sum <= 0.0) { /* cannot happen for valid sizes; keep the nearest sample */
      int c = (int)centre;
      lo = c < n_in ? c : n_in - 1;
      hi = lo + 1;
      w[0] = sum = 1.0;
    }
    for (int i = 0; i < hi - lo; ++i) w[i] /= sum;
    t->start[o] = lo;
    t->len[o] = hi - lo;
  }
  return CB_OK;
}

cb_status cb_image_resize_f(const float *in, int h, int w, int c, float *out, int oh, int ow) {
  if (!in || !out || h <= 0 || w <= 0 || c <= 0 || oh <= 0 || ow <= 0)
    return CB_ERROR(CB_ERR_ARG, "resize: invalid sizes %dx%dx%d -> %dx%d", h, w, c, oh, ow);
  cb_status st = CB_OK;
  taps tx = {0}, ty = {0};
  float *mid = NULL; /* (h, ow, c) */
  CB_CHECK_GOTO(taps_make(w, ow, &tx), st, done);
  CB_CHECK_GOTO(taps_make(h, oh, &ty), st, done);
  mid = malloc((size_t)h * (size_t)ow * (size_t)c * sizeof *mid);
  CB_ALLOC_GOTO(mid, st, done);
  /* Horizontal pass: mid[y][o] = sum_i wx[o][i] in[y][start + i]. */
  for (int y = 0; y < h; ++y)
    for (int o = 0; o < ow; ++o) {
      const double *wt = tx.w + (size_t)o * (size_t)tx.k;
      for (int ch = 0; ch < c; ++ch) {
        double acc = 0.0;
        const float *src = in + ((size_t)y * (size_t)w + (size_t)tx.start[o]) * (size_t)c + (size_t)ch;
        for (int i = 0; i < tx.len[o]; ++i) acc += wt[i] * src[(size_t)i * (size_t)c];
        mid[((size_t)y * (size_t)ow + (size_t)o) * (size_t)c + (size_t)ch] = (float)acc;
      }
    }
  /* Vertical pass: out[o][x] = sum_i wy[o][i] mid[start + i][x]. */
  size_t row = (size_t)ow * (size_t)c;
  for (int o = 0; o < oh; ++o) {
    const double *wt = ty.w + (size_t)o * (size_t)ty.k;
    const float *src = mid + (size_t)ty.start[o] * row;
    for (size_t x = 0; x < row; ++x) {
      double acc = 0.0;
      for (int i = 0; i < ty.len[o]; ++i) acc += wt[i] * src[(size_t)i * row + x];
      out[(size_t)o * row + x] = (float)acc;
    }
  }
done:
  free(mid);
  taps_free(&tx);
  taps_free(&ty);
  return st;
}

/* ---- preprocessing ------------------------------------------------------ */

cb_preprocess cb_preprocess_default(void) {
  cb_preprocess p = {224, 224, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, 8.0, 8.0};
  return p;
}

static cb_status check_preprocess(const cb_preprocess *p) {
  if (!p) return CB_ERROR(CB_ERR_ARG, "preprocess: no parameters");
  if (p->out_h <= 0 || p->out_w <= 0 || (size_t)p->out_h * (size_t)p->out_w > MAX_PIXELS)
    return CB_ERROR(CB_ERR_ARG, "preprocess: invalid output size %dx%d", p->out_h, p->out_w);
  if (!(p->model_degrees > 0.0) || !(p->stimulus_degrees > 0.0) || !isfinite(p->model_degrees) ||
      !isfinite(p->stimulus_degrees))
    return CB_ERROR(CB_ERR_ARG, "preprocess: visual degrees must be positive (model %g, stimulus %g)",
                    p->model_degrees, p->stimulus_degrees);
  for (int c = 0; c < 3; ++c)
    if (!(p->std[c] > 0.0f) || !isfinite(p->std[c]) || !isfinite(p->mean[c]))
      return CB_ERROR(CB_ERR_ARG, "preprocess: channel %d needs finite mean and std > 0 (mean %g, std %g)", c,
                      (double)p->mean[c], (double)p->std[c]);
  return CB_OK;
}

/* Side of the model's field of view in pixels of the stimulus, >= 1. */
static int field_size(int n, double ratio) {
  double v = floor(n * ratio + 0.5);
  return v < 1.0 ? 1 : (int)v;
}

cb_status cb_image_preprocess(const uint8_t *rgb, int h, int w, const cb_preprocess *p, float *out) {
  CB_CHECK(check_preprocess(p));
  if (!rgb || !out || h <= 0 || w <= 0 || (size_t)h * (size_t)w > MAX_PIXELS)
    return CB_ERROR(CB_ERR_ARG, "preprocess: invalid input image %dx%d", h, w);
  double ratio = p->model_degrees / p->stimulus_degrees;
  if (ratio * h > 65536.0 || ratio * w > 65536.0)
    return CB_ERROR(CB_ERR_ARG, "preprocess: model/stimulus degree ratio %g makes a %dx%d image too large", ratio, h,
                    w);
  int nh = field_size(h, ratio), nw = field_size(w, ratio);
  /* Offset of the stimulus inside the field (negative when cropping). */
  int dy = nh >= h ? (nh - h) / 2 : -((h - nh) / 2);
  int dx = nw >= w ? (nw - w) / 2 : -((w - nw) / 2);

  cb_status st = CB_OK;
  float *field = NULL;   /* (nh, nw, 3) values 0..255 */
  float *resized = NULL; /* (out_h, out_w, 3) */
  field = malloc((size_t)nh * (size_t)nw * 3 * sizeof *field);
  CB_ALLOC_GOTO(field, st, done);
  resized = malloc((size_t)p->out_h * (size_t)p->out_w * 3 * sizeof *resized);
  CB_ALLOC_GOTO(resized, st, done);
  for (int y = 0; y < nh; ++y) {
    int sy = y - dy;
    for (int x = 0; x < nw; ++x) {
      int sx = x - dx;
      float *d = field + ((size_t)y * (size_t)nw + (size_t)x) * 3;
      if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
        const uint8_t *s = rgb + ((size_t)sy * (size_t)w + (size_t)sx) * 3;
        d[0] = s[0];
        d[1] = s[1];
        d[2] = s[2];
      } else {
        d[0] = d[1] = d[2] = (float)CB_IMAGE_BACKGROUND;
      }
    }
  }
  CB_CHECK_GOTO(cb_image_resize_f(field, nh, nw, 3, resized, p->out_h, p->out_w), st, done);
  size_t plane = (size_t)p->out_h * (size_t)p->out_w;
  for (int c = 0; c < 3; ++c) {
    double m = p->mean[c], inv_s = 1.0 / p->std[c];
    for (size_t k = 0; k < plane; ++k) out[(size_t)c * plane + k] = (float)((resized[k * 3 + (size_t)c] / 255.0 - m) * inv_s);
  }
done:
  free(field);
  free(resized);
  return st;
}

cb_status cb_image_read_stimulus(const cb_stimulus_set *s, int i, uint8_t **rgb, int *h, int *w) {
  uint8_t *data = NULL;
  size_t n = 0;
  CB_CHECK(cb_stimulus_set_file_bytes(s, i, &data, &n));
  char name[CB_PATH_MAX];
  if (s->zip)
    snprintf(name, sizeof name, "%s:%s", s->zip_path, s->filename[i]);
  else
    (void)cb_stimulus_set_file_path(s, i, name, sizeof name);
  cb_status st = cb_image_decode(data, n, name, rgb, h, w);
  free(data);
  return st;
}
