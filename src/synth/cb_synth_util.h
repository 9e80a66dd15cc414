/* cb_synth_util.h - internal drawing helpers shared by the generators. */
#ifndef CB_SYNTH_UTIL_H
#define CB_SYNTH_UTIL_H

#include <stdint.h>

#include "cb_rng.h"
#include "cb_status.h"

#define CB__PI 3.14159265358979323846

/* Pixel centre in degrees from the image centre, x right, y up. */
static inline double cb__pix_x(int col, int size, double ppd) { return (col + 0.5 - 0.5 * size) / ppd; }
static inline double cb__pix_y(int row, int size, double ppd) { return (0.5 * size - row - 0.5) / ppd; }

/* Soft circular aperture: 1 inside 0.75 R, raised cosine to 0 at R. */
double cb__synth_aperture(double r, double radius);
/* Rounds and clamps to [0, 255]. */
uint8_t cb__synth_quant(double v);

/* Oriented 1/f noise (size x size), zero mean, unit RMS, from rng:
 * Fourier components (kx, ky), 0 < |k| <= k_max cycles per image, with
 * amplitude |k|^-slope * exp(kappa (cos 2(phi - ori - 90 deg) - 1)) (phi the
 * direction of k; ori the orientation of the resulting bars, same convention
 * as gratings: 0 deg = horizontal bars) and uniform random phases; real part
 * of the inverse DFT. kappa = 0: isotropic. Returns CB_ERR_NOMEM only. */
cb_status cb__synth_noise(cb_rng *rng, int size, int k_max, double slope, double ori_deg, double kappa,
                          double *out /* (size, size) */);

#endif
