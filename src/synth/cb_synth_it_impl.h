/* cb_synth_it_impl.h - internal: synthetic-it's objects and their rendering, shared by the stimulus set
 * (cb_synth_it.c) and the training images (cb_synth_it_train.c). */
#ifndef CB_SYNTH_IT_IMPL_H
#define CB_SYNTH_IT_IMPL_H

#include <stdint.h>

#include "cb_rng.h"
#include "cb_status.h"

#define MAX_PRIM 7

/* One primitive in object coordinates (x right, y up); tone 0 = main shade, 1 = detail shade. */
typedef struct prim {
  int type;
  double cx, cy, rx, ry, ang, tone;
} prim;

/* An object: its category's template with jittered primitives and its own shading. */
typedef struct cb__it_obj {
  int n;
  prim p[MAX_PRIM];
  double shade[2];                   /* contrast of tone 0 and tone 1 */
  double ca[MAX_PRIM], sa[MAX_PRIM]; /* cos and sin of each primitive's angle */
} cb__it_obj;

/* Draws an object of `category` from the stream r (advanced past the draws). */
void cb__it_object(cb_rng *r, int category, cb__it_obj *ob);
/* Paints ob over the contrast image img (n, n) spanning CB_SYNTH_IT_DEGREES, 2 x 2 supersampled: centre
 * (px_deg, py_deg), scale, in-plane rotation in degrees. */
void cb__it_paint(const cb__it_obj *ob, int n, double px_deg, double py_deg, double scale, double rot_deg, double *img);
/* The view of a variation level (0, 3, 6) drawn from r: view = (x deg, y deg, scale, rotation deg). */
void cb__it_view(cb_rng *r, int level, double *view /* (4) */);
/* Background (n, n): isotropic 1/f noise from r, RMS contrast 0.2 (CB_ERR_NOMEM only). */
cb_status cb__it_background(cb_rng *r, int n, double *img);
/* Contrast image (n, n) to 8-bit gray: 128 + 127 x. */
void cb__it_pixels(const double *img, int n, uint8_t *px);

#endif
