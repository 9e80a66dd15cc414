/* cb_synth_aud.c - synthetic sounds of six kinds (see cb_synth_aud.h).
 * Oscillators are phasors advanced by complex multiplication, not sin()
 * calls, to keep 168 x 40000 samples fast. */
#include "cb_synth_aud.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"

#define N CB_SYNTH_AUD_SAMPLES
#define SR ((double)CB_SYNTH_AUD_RATE)

static const char *const type_names[CB_SYNTH_AUD_TYPES] = {"harmonic", "noise", "am", "fm", "formant", "click"};

const char *cb_synth_aud_type_name(int t) { return t >= 0 && t < CB_SYNTH_AUD_TYPES ? type_names[t] : NULL; }

static double uni(cb_rng *r, double a, double b) { return a + (b - a) * cb_rng_uniform(r); }
static double logu(cb_rng *r, double a, double b) { return exp(uni(r, log(a), log(b))); }

/* x += amp * sin(phase0 + 2 pi f t) (constant frequency) */
static void add_tone(double *x, double f, double amp, double phase0) {
  if (f <= 0 || f >= SR / 2) return;
  double complex z = cexp(I * phase0), step = cexp(I * 2.0 * M_PI * f / SR);
  for (int t = 0; t < N; ++t) {
    x[t] += amp * cimag(z);
    z *= step;
    if ((t & 1023) == 1023) z /= cabs(z); /* keep |z| = 1 */
  }
}

static void noise_band(cb_rng *r, double *x, double fc, double oct, double amp) {
  for (int k = 0; k < 64; ++k) {
    double f = fc * exp2(uni(r, -oct / 2, oct / 2));
    add_tone(x, f, amp / 8.0, uni(r, 0, 2 * M_PI));
  }
}

static void harmonic(cb_rng *r, double *x) {
  double f0 = logu(r, 80, 400), slope = uni(r, -12, -3);
  for (int h = 1; h * f0 < 8000; ++h) add_tone(x, h * f0, pow(10.0, slope * log2(h) / 20.0), uni(r, 0, 2 * M_PI));
}

static void am(cb_rng *r, double *x) {
  double rate = logu(r, 2, 32), depth = uni(r, 0.5, 1.0), fc = logu(r, 200, 6000);
  if (cb_rng_uniform(r) < 0.5)
    add_tone(x, fc, 1.0, uni(r, 0, 2 * M_PI));
  else
    noise_band(r, x, fc, uni(r, 0.3, 1.0), 1.0);
  double ph = uni(r, 0, 2 * M_PI);
  for (int t = 0; t < N; ++t) x[t] *= 1.0 + depth * sin(ph + 2 * M_PI * rate * t / SR);
}

static void fm(cb_rng *r, double *x) {
  double f1 = logu(r, 150, 4000), f2 = logu(r, 150, 4000);
  int back = cb_rng_uniform(r) < 0.3;
  double ph[3] = {0, 0, 0};
  for (int t = 0; t < N; ++t) {
    double u = (double)t / N;
    if (back) u = u < 0.5 ? 2 * u : 2 - 2 * u;
    double f = f1 * pow(f2 / f1, u);
    for (int h = 0; h < 3; ++h) {
      if ((h + 1) * f < SR / 2) x[t] += sin(ph[h]) / (h + 1);
      ph[h] += 2 * M_PI * (h + 1) * f / SR;
      if (ph[h] > 2 * M_PI) ph[h] -= 2 * M_PI;
    }
  }
}

static void formant(cb_rng *r, double *x) {
  static const double vowels[5][3] = {{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480},
                                      {570, 840, 2410}};
  double f0 = logu(r, 100, 220), vib = uni(r, 3, 6), syl = uni(r, 3, 6), sph = uni(r, 0, 2 * M_PI);
  /* formant targets per segment, linearly interpolated over 30 ms at boundaries */
  int nseg = 0;
  double bounds[32], F[32][3];
  double at = 0;
  while (at < 2.0 && nseg < 31) {
    int v = (int)cb_rng_below(r, 5);
    for (int k = 0; k < 3; ++k) F[nseg][k] = vowels[v][k] * uni(r, 0.9, 1.1);
    bounds[nseg++] = at;
    at += uni(r, 0.15, 0.3);
  }
  bounds[nseg] = 1e9;
  double phase[40] = {0};
  int seg = 0;
  for (int t = 0; t < N; ++t) {
    double s = t / SR;
    while (s >= bounds[seg + 1]) ++seg;
    double fr[3];
    for (int k = 0; k < 3; ++k) fr[k] = F[seg][k];
    double f = f0 * (1.0 + 0.02 * sin(2 * M_PI * vib * s));
    double env = 0.5 * (1.0 - cos(sph + 2 * M_PI * syl * s));
    double v = 0;
    for (int h = 1; h <= 40 && h * f < 5000; ++h) {
      double fh = h * f, g = 0;
      for (int k = 0; k < 3; ++k) {
        double bw = 60.0 + 0.06 * fr[k], d = (fh - fr[k]) / bw;
        g += 1.0 / (1.0 + d * d) / (k + 1);
      }
      v += g * sin(phase[h - 1]) / sqrt(h);
      phase[h - 1] += 2 * M_PI * fh / SR;
      if (phase[h - 1] > 2 * M_PI) phase[h - 1] -= 2 * M_PI;
    }
    x[t] = v * env;
  }
}

static void clicks(cb_rng *r, double *x) {
  double rate = logu(r, 2, 100), fc = logu(r, 1000, 8000);
  int jitter = cb_rng_uniform(r) < 0.5;
  const double sd = 0.00025 * SR; /* 0.25 ms Gaussian, ~1 ms click */
  for (double at = uni(r, 0, 1.0 / rate); at < 2.0;) {
    int c = (int)(at * SR);
    for (int t = c - 20; t <= c + 20; ++t)
      if (t >= 0 && t < N) x[t] += exp(-0.5 * (t - c) * (t - c) / (sd * sd)) * cos(2 * M_PI * fc * (t - c) / SR);
    at += jitter ? (1.0 / rate) * uni(r, 0.5, 1.5) : 1.0 / rate;
  }
}

cb_status cb_synth_aud_sound(uint64_t seed, int i, float *out) {
  const int n_total = CB_SYNTH_AUD_TYPES * CB_SYNTH_AUD_PER_TYPE;
  if (i < 0 || i >= n_total || out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-aud: sound %d out of range", i);
  double *x = calloc(N, sizeof *x);
  if (x == NULL) return CB_ERROR(CB_ERR_NOMEM, "synthetic-aud: out of memory");
  cb_rng r;
  cb_rng_seed_stream(&r, seed, 0xA0D00 + (uint64_t)i);
  switch (i / CB_SYNTH_AUD_PER_TYPE) {
    case 0: harmonic(&r, x); break;
    case 1: noise_band(&r, x, logu(&r, 200, 6000), uni(&r, 0.3, 2.0), 1.0); break;
    case 2: am(&r, x); break;
    case 3: fm(&r, x); break;
    case 4: formant(&r, x); break;
    default: clicks(&r, x); break;
  }
  const int ramp = (int)(0.01 * SR);
  double ss = 0;
  for (int t = 0; t < N; ++t) {
    double g = 1.0;
    if (t < ramp) g = 0.5 * (1 - cos(M_PI * t / ramp));
    if (N - 1 - t < ramp) g = 0.5 * (1 - cos(M_PI * (N - 1 - t) / ramp));
    x[t] *= g;
    ss += x[t] * x[t];
  }
  double k = ss > 0 ? 0.05 / sqrt(ss / N) : 0.0;
  for (int t = 0; t < N; ++t) out[t] = (float)(x[t] * k);
  free(x);
  return CB_OK;
}

void cb_synth_aud_noise_sd(uint64_t seed, const double *rates, int n_stim, int n_vox, double *sd) {
  cb_rng r;
  cb_rng_seed_stream(&r, seed, 0xA0D0E);
  for (int v = 0; v < n_vox; ++v) {
    double m = 0, s2 = 0;
    for (int i = 0; i < n_stim; ++i) m += rates[(size_t)i * n_vox + v];
    m /= n_stim;
    for (int i = 0; i < n_stim; ++i) {
      double d = rates[(size_t)i * n_vox + v] - m;
      s2 += d * d;
    }
    s2 /= (n_stim > 1 ? n_stim - 1 : 1);
    sd[v] = sqrt(uni(&r, 0.1, 1.2) * s2);
  }
}
