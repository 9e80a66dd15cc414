/* cb_conv_pack.h - the implicit B of a batched convolution GEMM: im2col
 * blocks packed straight from the images into cb_sgemm's NR-column panels,
 * by the GEMM's threads (no im2col matrix; each block stays in cache).
 * Column j of B is output pixel j % n of image j / n; row p is (channel,
 * kernel row, kernel column) as in cb_im2col. Internal to src/nn. */
#ifndef CB_CONV_PACK_H
#define CB_CONV_PACK_H

#include "cb_nn_ops.h"
#include "cb_sgemm.h"

typedef struct cb__conv_pack_ctx {
  const cb_conv2d_geom *g;
  int ow, n;             /* output width, output pixels per image */
  const float *const *x; /* (images) each at its group's first input channel */
} cb__conv_pack_ctx;

/* The packing function (a cb_sgemm_pack_fn taking a cb__conv_pack_ctx). */
cb_sgemm_pack_fn cb__conv_pack_fn(void);

#endif
