/* cb_image.h - PNG (and, through cb_jpeg, JPEG) files and the image
 * preprocessing a model sees.
 *
 * Reading converts every 8- or 16-bit PNG colour type (gray, gray+alpha,
 * RGB, RGBA, palette, with or without interlacing) to 8-bit RGB: 16-bit
 * samples keep their high byte, alpha is dropped (not composited; this is
 * what PIL's convert("RGB") does), gray is replicated into R, G and B.
 *
 * Preprocessing follows Brain-Score's visual-degree handling:
 *   ratio = model_degrees / stimulus_degrees
 *   ratio > 1: the image is pasted centred on a grey (128) canvas of
 *              round(h * ratio) x round(w * ratio) pixels;
 *   ratio < 1: the centre round(h * ratio) x round(w * ratio) is cropped;
 *   then the result is resized to (out_h, out_w) with a triangle (bilinear)
 *   filter whose support is stretched by the downscale factor, i.e. an
 *   antialiased bilinear resize with the same weights as PIL's
 *   Image.resize(BILINEAR) (plain bilinear with half-pixel centres when
 *   upscaling). Resizing happens in floating point, without PIL's
 *   intermediate rounding to uint8.
 *   Finally out[c][y][x] = (v / 255 - mean[c]) / std[c].
 * Centring offsets are floor((big - small) / 2).
 */
#ifndef CB_IMAGE_H
#define CB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"
#include "cb_stimuli.h"

/* Grey level of the canvas a small stimulus is placed on. */
#define CB_IMAGE_BACKGROUND 128

/* Largest image decoded (docs/formats.md): 16384 pixels per side and 2^26
 * pixels (64 Mpx, e.g. 8192 x 8192; 192 MiB as RGB). Checked on the size
 * the file's header declares, before any pixel memory is allocated.
 *
 * Decoding is strict: every libjpeg warning (premature end of data, corrupt
 * entropy data, extraneous bytes, ...) and every libpng warning, benign error
 * or CRC mismatch (critical and ancillary chunks) is an error naming the file,
 * never grey filler. */
#define CB_IMAGE_MAX_SIDE 16384
#define CB_IMAGE_MAX_PIXELS ((uint64_t)1 << 26)

/* CB_OK when an image of h x w pixels is within the limits above; else
 * CB_ERR_UNSUPPORTED naming `name` and the declared size. */
cb_status cb_image_check_size(const char *name, uint64_t h, uint64_t w);

/* Reads a PNG as 8-bit RGB; *rgb is malloc'ed (caller frees) and written
 * only on success. */
cb_status cb_image_read_png(const char *path, uint8_t **rgb /* (h, w, 3) */, int *h, int *w);
/* Decodes PNG or JPEG bytes (format chosen by content, not by name) to 8-bit
 * RGB; JPEG rules in cb_jpeg.h. `name` is used in messages. Anything else is
 * CB_ERR_UNSUPPORTED. */
cb_status cb_image_decode(const uint8_t *data, size_t n, const char *name, uint8_t **rgb /* (h, w, 3) */, int *h,
                          int *w);
/* Reads a PNG or JPEG file (format chosen by content). */
cb_status cb_image_read(const char *path, uint8_t **rgb /* (h, w, 3) */, int *h, int *w);
/* Stimulus i of set s (a file beside its CSV, or a member of its zip) decoded as 8-bit RGB (cb_image_decode). */
cb_status cb_image_read_stimulus(const cb_stimulus_set *s, int i, uint8_t **rgb /* (h, w, 3) */, int *h, int *w);

/* Writes an 8-bit gray (channels = 1) or RGB (channels = 3) PNG atomically.
 * The bytes depend only on the pixels (no time stamp or other metadata). */
cb_status cb_image_write_png(const char *path, const uint8_t *pixels /* (h, w, channels) */, int h, int w,
                             int channels);

typedef struct cb_preprocess {
  int out_h, out_w;        /* model input size */
  float mean[3], std[3];   /* per-channel normalisation on the [0,1] scale */
  double model_degrees;    /* field of view of the model (> 0) */
  double stimulus_degrees; /* size of the stimulus in degrees (> 0) */
} cb_preprocess;

/* ImageNet statistics and 224x224, model_degrees = stimulus_degrees = 8. */
cb_preprocess cb_preprocess_default(void);

/* Places/crops, resizes and normalises one image into CHW floats. */
cb_status cb_image_preprocess(const uint8_t *rgb /* (h, w, 3) */, int h, int w, const cb_preprocess *p,
                              float *out /* (3, out_h, out_w) */);

/* Antialiased bilinear resize of interleaved float pixels (the resampling
 * step of cb_image_preprocess, exposed for tests and other callers). */
cb_status cb_image_resize_f(const float *in /* (h, w, c) */, int h, int w, int c, float *out /* (oh, ow, c) */,
                            int oh, int ow);

#endif
