/* cb_synth_util.c - apertures, quantisation and oriented 1/f noise. */
#include "cb_synth_util.h"

#include <math.h>
#include <stdlib.h>

double cb__synth_aperture(double r, double radius) {
  double r0 = 0.75 * radius;
  if (r <= r0) return 1.0;
  if (r >= radius) return 0.0;
  return 0.5 * (1.0 + cos(CB__PI * (r - r0) / (radius - r0)));
}

uint8_t cb__synth_quant(double v) {
  v = floor(v + 0.5);
  return (uint8_t)(v < 0.0 ? 0 : v > 255.0 ? 255 : v);
}

cb_status cb__synth_noise(cb_rng *rng, int size, int k_max, double slope, double ori_deg, double kappa,
                          double *out) {
  cb_status st = CB_OK;
  if (k_max > size / 2) k_max = size / 2;
  const int nk = 2 * k_max + 1;
  double *fr = NULL, *fi = NULL;       /* (nk ky, nk kx) spectrum */
  double *gr = NULL, *gi = NULL;       /* (nk ky, size x) after the x pass */
  double *cs = NULL, *sn = NULL;       /* (size) twiddles e^{2 pi i m / size} */
  CB_ALLOC_GOTO(fr = calloc((size_t)nk * nk, sizeof *fr), st, done);
  CB_ALLOC_GOTO(fi = calloc((size_t)nk * nk, sizeof *fi), st, done);
  CB_ALLOC_GOTO(gr = calloc((size_t)nk * size, sizeof *gr), st, done);
  CB_ALLOC_GOTO(gi = calloc((size_t)nk * size, sizeof *gi), st, done);
  CB_ALLOC_GOTO(cs = malloc((size_t)size * sizeof *cs), st, done);
  CB_ALLOC_GOTO(sn = malloc((size_t)size * sizeof *sn), st, done);
  for (int m = 0; m < size; ++m) {
    cs[m] = cos(2.0 * CB__PI * m / size);
    sn[m] = sin(2.0 * CB__PI * m / size);
  }
  const double ori = ori_deg * CB__PI / 180.0;
  for (int ky = -k_max; ky <= k_max; ++ky)
    for (int kx = -k_max; kx <= k_max; ++kx) {
      double k = hypot(kx, ky), ph = 2.0 * CB__PI * cb_rng_uniform(rng);
      if (k == 0.0 || k > k_max) continue;
      double phi = atan2(ky, kx), a = pow(k, -slope) * exp(kappa * (cos(2.0 * (phi - ori - 0.5 * CB__PI)) - 1.0));
      fr[(size_t)(ky + k_max) * nk + (kx + k_max)] = a * cos(ph);
      fi[(size_t)(ky + k_max) * nk + (kx + k_max)] = a * sin(ph);
    }
  /* x pass: g[ky][col] = sum_kx f[ky][kx] e^{2 pi i kx col / size}. */
  for (int a = 0; a < nk; ++a)
    for (int col = 0; col < size; ++col) {
      double sr = 0.0, si = 0.0;
      /* m = (kx * col) mod size, kx = b - k_max, stepped by col. */
      int m = ((-k_max * col) % size + size) % size;
      const int step = col % size;
      for (int b = 0; b < nk; ++b, m = m + step >= size ? m + step - size : m + step) {
        double xr = fr[(size_t)a * nk + b], xi = fi[(size_t)a * nk + b];
        sr += xr * cs[m] - xi * sn[m];
        si += xr * sn[m] + xi * cs[m];
      }
      gr[(size_t)a * size + col] = sr;
      gi[(size_t)a * size + col] = si;
    }
  /* y pass (y up = -row): out[row][col] = Re sum_ky g[ky][col] e^{-2 pi i ky row / size},
   * accumulated row by row over ky (contiguous in col, vectorisable). */
  double sum = 0.0, sum2 = 0.0;
  for (int row = 0; row < size; ++row) {
    double *o = out + (size_t)row * size;
    for (int col = 0; col < size; ++col) o[col] = 0.0;
    for (int a = 0; a < nk; ++a) {
      int m = ((-(a - k_max) * row) % size + size) % size;
      const double c = cs[m], sn_m = sn[m], *ga = gr + (size_t)a * size, *gb = gi + (size_t)a * size;
      for (int col = 0; col < size; ++col) o[col] += ga[col] * c - gb[col] * sn_m;
    }
    for (int col = 0; col < size; ++col) sum += o[col];
  }
  const size_t np = (size_t)size * size;
  double mean = sum / (double)np;
  for (size_t i = 0; i < np; ++i) {
    out[i] -= mean;
    sum2 += out[i] * out[i];
  }
  double rms = sqrt(sum2 / (double)np);
  for (size_t i = 0; i < np; ++i) out[i] = rms > 0.0 ? out[i] / rms : 0.0;
done:
  free(fr);
  free(fi);
  free(gr);
  free(gi);
  free(cs);
  free(sn);
  return st;
}
