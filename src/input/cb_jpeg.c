/* cb_jpeg.c - libjpeg decoder with setjmp error recovery. */
#include "cb_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "cb_image.h"

typedef struct jpeg_err {
  struct jpeg_error_mgr mgr; /* must be first: libjpeg casts to it */
  jmp_buf jump;
  char msg[JMSG_LENGTH_MAX];
} jpeg_err;

static void on_jpeg_error(j_common_ptr cinfo) {
  jpeg_err *e = (jpeg_err *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->msg);
  longjmp(e->jump, 1);
}

/* Every warning (level -1) is an error: libjpeg warns and goes on with grey
 * filler on a truncated file ("Premature end of JPEG file"), on corrupt
 * entropy data ("premature end of data segment", "bad Huffman code"), on
 * missing or extra markers. Trace messages (level >= 0) are ignored. */
static void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_jpeg_error(cinfo);
}

int cb_jpeg_sniff(const uint8_t *data, size_t n) {
  return data && n >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

cb_status cb_jpeg_decode(const uint8_t *data, size_t n, const char *name_in, uint8_t **rgb, int *h, int *w) {
  const char *const volatile name = name_in ? name_in : "JPEG";
  if (!data || !rgb || !h || !w) return CB_ERROR(CB_ERR_ARG, "%s: invalid JPEG decode arguments", name);
  if (!cb_jpeg_sniff(data, n)) return CB_ERROR(CB_ERR_FORMAT, "%s: not a JPEG file", name);
  if (n > (size_t)0xFFFFFFFFu) return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: JPEG larger than 4 GiB", name);
  struct jpeg_decompress_struct cinfo;
  jpeg_err err;
  memset(&cinfo, 0, sizeof cinfo);
  memset(&err, 0, sizeof err);
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_jpeg_error;
  err.mgr.emit_message = on_jpeg_message;
  uint8_t *volatile pix = NULL; /* (oh, ow, 3) */
  volatile cb_status st = CB_OK;
  if (setjmp(err.jump)) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt JPEG (%s)", name, err.msg);
    goto done;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)n);
  jpeg_read_header(&cinfo, TRUE);
  /* The declared size, before jpeg_start_decompress allocates for it (a
   * progressive 16000 x 16000 header alone would take gigabytes). */
  st = cb_image_check_size(name, cinfo.image_height, cinfo.image_width);
  if (st != CB_OK) goto done;
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: CMYK/YCCK JPEGs are not supported (convert to RGB first)", name);
    goto done;
  }
  if (cinfo.num_components != 1 && cinfo.num_components != 3) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: JPEG with %d components is not supported", name, cinfo.num_components);
    goto done;
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  size_t ow = cinfo.output_width, oh = cinfo.output_height;
  if (cinfo.output_components != 3 || ow == 0 || oh == 0 || ow * oh > CB_IMAGE_MAX_PIXELS) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: JPEG of %zux%zu pixels (%d channels) is not supported", name, oh, ow,
                  cinfo.output_components);
    goto done;
  }
  pix = malloc(ow * oh * 3);
  if (!pix) {
    st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for %zux%zu pixels", name, oh, ow);
    goto done;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pix + (size_t)cinfo.output_scanline * ow * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  *h = (int)oh;
  *w = (int)ow;
done:
  jpeg_destroy_decompress(&cinfo);
  if (st != CB_OK) {
    free(pix);
    return st;
  }
  *rgb = pix;
  return CB_OK;
}
