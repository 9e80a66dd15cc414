/* cb_coch.h - the cochleagram front end of the auditory models.
 *
 * Follows McDermott's pycochleagram conventions (human_cochleagram):
 *  1. the waveform (mono, `rate` Hz, normally 20 kHz) is divided by its RMS;
 *  2. its real FFT (length n) is multiplied by an ERB-spaced half-cosine
 *     filterbank: n_bp = sample_factor*(n+1)-1 band-pass filters whose centres
 *     are the interior points of linspace(erb(low_hz), erb(high_hz), n_bp+2)
 *     (step d, erb(f) = 9.265 ln(1 + f/(24.7*9.265))); band-pass i is
 *     cos(pi (erb(f) - c_i) / (2 sample_factor d)) on the open interval
 *     (c_i - sample_factor d, c_i + sample_factor d); sample_factor low-pass
 *     ends (sqrt(1 - bp_i^2) below the centre of band-pass i) and
 *     sample_factor high-pass ends (mirror image at the top); everything
 *     divided by sqrt(sample_factor) so the squared responses sum to 1.
 *     Channel order: low-pass 0..sf-1, band-pass by increasing centre,
 *     high-pass ends last (the outermost last). Defaults (n 50, sf 4,
 *     50 Hz..10 kHz) give 211 channels.
 *  3. Hilbert envelope |analytic subband| (analytic spectrum: DC and Nyquist
 *     bins x1, positive bins x2, negative bins 0; FFTW, double precision).
 *     Because |z| does not change when the band is shifted to baseband, each
 *     channel's envelope is evaluated on a coarser grid of M >= oversample x
 *     (its band width in bins) points (M >= 8 env frames), exact samples of
 *     |z|; only the aliasing of |z| above M/2 bins differs from a full-rate
 *     computation (tests/reference/make_audio_goldens.py: < 1e-3 of the max).
 *  4. anti-aliased downsampling to env_rate (200 Hz): a Fourier-domain
 *     low-pass on the envelope spectrum, gain 1 up to 0.8 x the new Nyquist
 *     (80 Hz), a raised-cosine roll-off to 0 at the new Nyquist (100 Hz),
 *     then the inverse real FFT of length frames = n * env_rate / rate
 *     (2 s -> 400 frames). Like pycochleagram's order, downsampling comes
 *     before the compression.
 *  5. negative values (ringing) clipped to 0, then power compression x^0.3.
 * Output: (channels, frames) float, C order. The FFTW plans are made with
 * FFTW_ESTIMATE on fftw_malloc'ed buffers, so results are the same bits on
 * every run. */
#ifndef CB_COCH_H
#define CB_COCH_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_coch_opts {
  int n;             /* band-pass filters at sample_factor 1: 50 */
  int sample_factor; /* over-completeness: 4 (a power of 2) */
  double low_hz;     /* 50 */
  double high_hz;    /* 10000 (<= rate / 2) */
  int env_rate;      /* envelope rate after downsampling: 200 Hz (must divide rate) */
  double power;      /* compression exponent: 0.3 */
  int oversample;    /* coarse envelope grid >= oversample x band width: 4 */
} cb_coch_opts;

/* n 50, sample_factor 4, 50 Hz..10 kHz, 200 Hz, power 0.3, oversample 4. */
void cb_coch_defaults(cb_coch_opts *o);

/* Number of channels the options give: sample_factor*(n+1)-1 + 2*sample_factor. */
int cb_coch_n_channels(const cb_coch_opts *o);

/* Filterbank for a signal of n samples at `rate`: *filts (channels, n/2+1)
 * gains on the real-FFT bins k*rate/n, *cf (channels) centre frequencies in
 * Hz (the low/high-pass ends: erb2freq of centre -/+ sf d, at least 1 Hz).
 * Both malloc'ed (caller frees); written only on success. */
cb_status cb_coch_filters(int64_t n, int rate, const cb_coch_opts *o, double **filts /* (channels, n/2+1) */,
                          double **cf /* (channels) */, int *channels);

/* A cochleagram plan for sounds of n samples at `rate` (filters, FFTW plans,
 * buffers); reuse it for every sound of that length. */
typedef struct cb_coch cb_coch;
cb_status cb_coch_create(int64_t n, int rate, const cb_coch_opts *o, cb_coch **out);
void cb_coch_destroy(cb_coch **c);
int cb_coch_channels(const cb_coch *c);
int cb_coch_frames(const cb_coch *c);
/* Centre frequencies (channels), Hz. */
const double *cb_coch_cf(const cb_coch *c);
/* x (n) -> out (channels, frames). A silent (all-zero) x gives zeros. */
cb_status cb_coch_run(cb_coch *c, const float *x /* (n) */, float *out /* (channels, frames) */);

/* One-shot: *out (channels, frames) malloc'ed. o NULL = defaults.
 * n * env_rate must be a multiple of rate. */
cb_status cb_cochleagram(const float *x /* (n) */, int64_t n, int rate, const cb_coch_opts *o,
                         float **out /* (channels, frames) */, int *channels, int *frames);

#endif
