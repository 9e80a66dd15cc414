/* cb_zoo_bio.h - the biologically inspired baselines of the zoo: "v1like"
 * (a VOneNet-style V1 front end, cb_zoo_v1.c) and "hmax" (S1-C1-S2-C2 of
 * Serre, Oliva & Poggio 2007, cb_zoo_hmax.c). Both are fixed filter banks:
 * nothing is learned, everything random is drawn from the model seed.
 *
 * v1like   input 3x224x224 (any size >= 32; kernel and stride scale with
 *          the width), VOneNet normalisation (mean 0.5, std 0.5), 8 degrees.
 *          Layers: v1.channel<c> (colour plane c), v1.simple_conv.<c>,
 *          v1.q0.<c>, v1.q1.<c> (per colour), v1.simple_conv, v1.simple,
 *          v1.q0, v1.q1, v1.q0_sq, v1.q1_sq, v1.energy, v1.complex, v1.output
 *          (concat simple, complex: (1, 512, 56, 56) at 224).
 * hmax     input 3x224x224 (any size >= 32), [0, 1] pixels (mean 0, std 1),
 *          8 degrees (the filter sizes are in pixels, as published). Its S1
 *          kernels reach 37x37; the convolution packs im2col blocks from the
 *          image as it goes (no im2col matrix). Layers: gray, s1.sq, s1.band<b>.* and s1 (1, 64, H, W),
 *          c1.band<b> (1, 4, h_b, w_b), c1 (1, sum 4 h_b w_b), s2.band<b>.n<n>
 *          (1, K, h_b, w_b), s2 (flattened, size-major then band), c2.band<b>.n<n>,
 *          c2.n<n> (1, K, 1, 1) and c2 (1, 4 K). K = CB_HMAX_PROTOS_PER_SIZE. */
#ifndef CB_ZOO_BIO_H
#define CB_ZOO_BIO_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_status.h"
#include "cb_zoo.h"

#define CB_V1_SIMPLE 256            /* VOneNet simple_channels */
#define CB_V1_COMPLEX 256           /* VOneNet complex_channels */
#define CB_HMAX_BANDS 8             /* scale bands (two S1 sizes each) */
#define CB_HMAX_ORIENTATIONS 4      /* 0, 45, 90, 135 degrees */
#define CB_HMAX_PATCH_SIZES 4       /* S2 prototype sizes 4, 8, 12, 16 */
#define CB_HMAX_PROTOS_PER_SIZE 64  /* prototypes per size */
#define CB_HMAX_TEXTURES 4          /* synthetic images of the default prototypes */
#define CB_HMAX_TEXTURE_SIZE 128    /* their size in pixels */

/* Resamples the S2 prototypes of an "hmax" model from the C1 responses of
 * images (n, 3, H, W), preprocessed like any input of the model (H, W its
 * input size): prototype k of size s takes image, band and centre uniformly
 * from stream (seed, "hmax.prototypes"). Rebuilds the model in place (its
 * layers keep their names and shapes). Fails with CB_ERR_ARG when m is not
 * an hmax model; m is unchanged on failure. */
cb_status cb_zoo_hmax_set_prototypes(cb_model *m, const float *images, int n, uint64_t seed);

/* ---- internal (zoo registry and tests) ---- */

/* One VOneNet unit: spatial frequency (cycles/degree), orientation
 * (degrees, [0, 180)), phase (degrees, [0, 360)), Ringach's nx, ny
 * (envelope sd in periods) and the colour channel it reads. */
typedef struct cb__v1_unit {
  double sf, ori, phase, nx, ny;
  int channel;
} cb__v1_unit;

/* n units drawn from VOneNet's published distributions (see cb_zoo_v1.c)
 * with the streams (seed, FNV-1a of "v1.<parameter>"), in sampling order. */
cb_status cb__zoo_v1_sample(uint64_t seed, int n, cb__v1_unit *u);
/* VOneNet's Gabor (ks x ks, row-major): x = row offset, y = column offset,
 * r = x cos(theta) + y sin(theta), s = -x sin(theta) + y cos(theta),
 * g = exp(-(r^2/sx^2 + s^2/sy^2)/2) / (2 pi sx sy) cos(2 pi f r + phase)
 * (f cycles/pixel, sx, sy pixels, theta, phase radians). */
void cb__zoo_v1_gabor(double f, double sx, double sy, double theta, double phase, int ks, float *g);
/* Serre 2007's S1 filter g (size x size, row-major), gamma 0.3:
 * exp(-(X^2 + gamma^2 Y^2) / (2 sigma^2)) cos(2 pi X / lambda), X = x cos(theta)
 * - y sin(theta), Y = x sin(theta) + y cos(theta) (x column, y row offset);
 * zero outside the disc of diameter size, zero mean and unit norm on it. */
void cb__zoo_hmax_gabor(int size, double sigma, double lambda, double theta, float *g);

cb_status cb__zoo_build_v1like(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info); /* cb_zoo_v1.c */
cb_status cb__zoo_build_hmax(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);   /* cb_zoo_hmax.c */

#endif
