/* cb_jpeg.h - JPEG decoding (libjpeg) to 8-bit RGB.
 *
 * Baseline and progressive JPEGs with 1 (grayscale) or 3 (YCbCr or RGB)
 * components decode to RGB (gray replicated into R, G and B). libjpeg's
 * defaults are used: accurate integer IDCT (JDCT_ISLOW) and fancy
 * upsampling, as Pillow does, so pixels match PIL's Image.open(...)
 * .convert("RGB") on the same libjpeg. CMYK/YCCK (Adobe) JPEGs are rejected
 * with CB_ERR_UNSUPPORTED.
 */
#ifndef CB_JPEG_H
#define CB_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

/* 1 when the bytes start with a JPEG SOI marker (FF D8 FF). */
int cb_jpeg_sniff(const uint8_t *data, size_t n);
/* Decodes `n` bytes; `name` is used in messages only. *rgb is malloc'ed
 * (caller frees) and written only on success. */
cb_status cb_jpeg_decode(const uint8_t *data, size_t n, const char *name, uint8_t **rgb /* (h, w, 3) */, int *h,
                         int *w);

#endif
