/* cb_coch.c - cochleagram: ERB half-cosine filterbank in the frequency
 * domain, Hilbert envelopes on a per-channel coarse grid, Fourier-domain
 * anti-aliased downsampling, power compression (see cb_coch.h). */
#include "cb_coch.h"

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cb_coch {
  int64_t n;          /* samples per sound */
  int rate, channels, frames;
  int64_t nbins;      /* n/2 + 1 */
  double power;
  double *filts;      /* (channels, nbins) */
  double *cf;         /* (channels) */
  int *k_lo, *k_hi;   /* (channels) first and last nonzero bin (k_hi < k_lo: empty) */
  int *m;             /* (channels) coarse envelope grid length */
  int max_m;
  double *taper;      /* (frames/2 + 1) downsampling low-pass gains */
  double *xin;        /* (n) fftw_malloc'ed */
  fftw_complex *spec; /* (nbins) */
  fftw_complex *band; /* (max_m) */
  double *env;        /* (max_m) */
  fftw_complex *espec;/* (max_m/2 + 1) */
  fftw_complex *lspec;/* (frames/2 + 1) */
  double *low;        /* (frames) */
  fftw_plan p_in, p_out;
  fftw_plan *p_band, *p_env; /* (channels) c2c backward and r2c of length m[c] */
};

static double freq2erb(double f) { return 9.265 * log(1.0 + f / (24.7 * 9.265)); }
static double erb2freq(double e) { return 24.7 * 9.265 * (exp(e / 9.265) - 1.0); }

void cb_coch_defaults(cb_coch_opts *o) {
  o->n = 50;
  o->sample_factor = 4;
  o->low_hz = 50.0;
  o->high_hz = 10000.0;
  o->env_rate = 200;
  o->power = 0.3;
  o->oversample = 4;
}

int cb_coch_n_channels(const cb_coch_opts *o) { return o->sample_factor * (o->n + 1) - 1 + 2 * o->sample_factor; }

static cb_status check_opts(int64_t n, int rate, const cb_coch_opts *o, int frames_too) {
  if (n < 2 || rate <= 0) return CB_ERROR(CB_ERR_ARG, "cochleagram: %lld samples at %d Hz", (long long)n, rate);
  if (o->n < 1 || o->sample_factor < 1 || (o->sample_factor & (o->sample_factor - 1)) != 0)
    return CB_ERROR(CB_ERR_ARG, "cochleagram: n %d, sample_factor %d (a power of 2 expected)", o->n, o->sample_factor);
  if (!(o->low_hz > 0 && o->high_hz > o->low_hz && o->high_hz <= rate / 2.0))
    return CB_ERROR(CB_ERR_ARG, "cochleagram: band %g..%g Hz invalid at %d Hz", o->low_hz, o->high_hz, rate);
  if (frames_too && (o->env_rate <= 0 || ((int64_t)n * o->env_rate) % rate != 0 || (int64_t)n * o->env_rate / rate < 2))
    return CB_ERROR(CB_ERR_ARG, "cochleagram: %lld samples at %d Hz do not give whole frames at %d Hz", (long long)n,
                    rate, o->env_rate);
  if (o->oversample < 2) return CB_ERROR(CB_ERR_ARG, "cochleagram: oversample %d < 2", o->oversample);
  return CB_OK;
}

cb_status cb_coch_filters(int64_t n, int rate, const cb_coch_opts *o, double **filts_out, double **cf_out,
                          int *channels) {
  CB_CHECK(check_opts(n, rate, o, 0));
  const int sf = o->sample_factor, nbp = sf * (o->n + 1) - 1, nch = nbp + 2 * sf;
  const int64_t nf = n / 2; /* bins 0..nf; the last is Nyquist (even n) or just under it */
  const double max_freq = (n % 2 == 0) ? rate / 2.0 : rate * (double)(n - 1) / 2.0 / (double)n;
  cb_status st = CB_OK;
  double *filts = calloc((size_t)nch * (size_t)(nf + 1), sizeof *filts);
  double *cf = malloc((size_t)nch * sizeof *cf);
  double *ferb = malloc((size_t)(nf + 1) * sizeof *ferb);
  double *centre = malloc((size_t)nbp * sizeof *centre);
  CB_ALLOC_GOTO(filts, st, done);
  CB_ALLOC_GOTO(cf, st, done);
  CB_ALLOC_GOTO(ferb, st, done);
  CB_ALLOC_GOTO(centre, st, done);
  const double e_lo = freq2erb(o->low_hz), e_hi = freq2erb(o->high_hz), d = (e_hi - e_lo) / (nbp + 1);
  for (int i = 0; i < nbp; ++i) centre[i] = e_lo + (i + 1) * d;
  for (int64_t k = 0; k <= nf; ++k) ferb[k] = freq2erb((double)k * max_freq / (double)nf);
  /* band-pass i -> row sf + i */
  for (int i = 0; i < nbp; ++i) {
    const double l = centre[i] - sf * d, h = centre[i] + sf * d;
    double *row = filts + (size_t)(sf + i) * (size_t)(nf + 1);
    for (int64_t k = 0; k <= nf; ++k)
      if (ferb[k] > l && ferb[k] < h) row[k] = cos((ferb[k] - centre[i]) / (h - l) * M_PI);
  }
  /* low-pass ends (rows 0..sf-1) below the centre of band-pass i, high-pass
   * ends (rows nch-1-i) above the centre of band-pass nbp-1-i */
  for (int i = 0; i < sf; ++i) {
    const double *bl = filts + (size_t)(sf + i) * (size_t)(nf + 1);
    const double *bh = filts + (size_t)(nch - 1 - sf - i) * (size_t)(nf + 1);
    double *lp = filts + (size_t)i * (size_t)(nf + 1);
    double *hp = filts + (size_t)(nch - 1 - i) * (size_t)(nf + 1);
    const double f_lo = erb2freq(centre[i]), f_hi = erb2freq(centre[nbp - 1 - i]);
    for (int64_t k = 0; k <= nf; ++k) {
      const double f = (double)k * max_freq / (double)nf;
      if (f < f_lo) lp[k] = sqrt(1.0 - bl[k] * bl[k]);
      if (f > f_hi) hp[k] = sqrt(1.0 - bh[k] * bh[k]);
    }
  }
  const double g = 1.0 / sqrt((double)sf);
  for (size_t i = 0; i < (size_t)nch * (size_t)(nf + 1); ++i) filts[i] *= g;
  for (int i = 0; i < sf; ++i) {
    cf[i] = erb2freq(centre[i] - sf * d);
    cf[nch - sf + i] = erb2freq(centre[nbp - sf + i] + sf * d);
  }
  for (int i = 0; i < nbp; ++i) cf[sf + i] = erb2freq(centre[i]);
  for (int i = 0; i < nch; ++i)
    if (cf[i] < 0) cf[i] = 1.0;
  *filts_out = filts;
  *cf_out = cf;
  *channels = nch;
  filts = cf = NULL;
done:
  free(filts);
  free(cf);
  free(ferb);
  free(centre);
  return st;
}

/* Smallest 2^a 3^b 5^c >= v. */
static int nice_size(int v) {
  for (int m = v;; ++m) {
    int r = m;
    while (r % 2 == 0) r /= 2;
    while (r % 3 == 0) r /= 3;
    while (r % 5 == 0) r /= 5;
    if (r == 1) return m;
  }
}

void cb_coch_destroy(cb_coch **cp) {
  if (cp == NULL || *cp == NULL) return;
  cb_coch *c = *cp;
  if (c->p_band)
    for (int i = 0; i < c->channels; ++i)
      if (c->p_band[i]) fftw_destroy_plan(c->p_band[i]);
  if (c->p_env)
    for (int i = 0; i < c->channels; ++i)
      if (c->p_env[i]) fftw_destroy_plan(c->p_env[i]);
  if (c->p_in) fftw_destroy_plan(c->p_in);
  if (c->p_out) fftw_destroy_plan(c->p_out);
  free(c->p_band);
  free(c->p_env);
  free(c->filts);
  free(c->cf);
  free(c->k_lo);
  free(c->k_hi);
  free(c->m);
  free(c->taper);
  fftw_free(c->xin);
  fftw_free(c->spec);
  fftw_free(c->band);
  fftw_free(c->env);
  fftw_free(c->espec);
  fftw_free(c->lspec);
  fftw_free(c->low);
  free(c);
  *cp = NULL;
}

/* Per channel: the band's non-zero bins k_lo..k_hi and its FFT length m (oversampled, at least 8 frames, at most
 * n, a size FFTW is fast at); max_m over the channels. */
static void band_sizes(cb_coch *c, const cb_coch_opts *o) {
  c->max_m = 0;
  for (int i = 0; i < c->channels; ++i) {
    const double *row = c->filts + (size_t)i * (size_t)c->nbins;
    int lo = -1, hi = -2;
    for (int64_t k = 0; k < c->nbins; ++k)
      if (row[k] != 0.0) {
        if (lo < 0) lo = (int)k;
        hi = (int)k;
      }
    c->k_lo[i] = lo < 0 ? 0 : lo;
    c->k_hi[i] = hi;
    int width = hi - c->k_lo[i] + 1;
    int m = o->oversample * (width > 1 ? width : 1);
    if (m < 8 * c->frames) m = 8 * c->frames; /* narrow bands: |z|^0.3 amplifies aliasing near 0 */
    if ((int64_t)m > c->n) m = (int)c->n;
    c->m[i] = nice_size(m);
    if (c->m[i] > c->max_m) c->max_m = c->m[i];
  }
}

/* The FFT buffers (aligned by fftw_malloc) and plans: the input transform, the envelope low-pass, and per channel
 * the band's inverse transform and its envelope's transform. */
static cb_status make_plans(cb_coch *c) {
  const int64_t n = c->n;
  const int half = c->frames / 2;
  c->xin = fftw_malloc(sizeof(double) * (size_t)n);
  c->spec = fftw_malloc(sizeof(fftw_complex) * (size_t)c->nbins);
  c->band = fftw_malloc(sizeof(fftw_complex) * (size_t)c->max_m);
  c->env = fftw_malloc(sizeof(double) * (size_t)c->max_m);
  c->espec = fftw_malloc(sizeof(fftw_complex) * (size_t)(c->max_m / 2 + 1));
  c->lspec = fftw_malloc(sizeof(fftw_complex) * (size_t)(half + 1));
  c->low = fftw_malloc(sizeof(double) * (size_t)c->frames);
  if (!c->xin || !c->spec || !c->band || !c->env || !c->espec || !c->lspec || !c->low)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  c->p_in = fftw_plan_dft_r2c_1d((int)n, c->xin, c->spec, FFTW_ESTIMATE);
  c->p_out = fftw_plan_dft_c2r_1d(c->frames, c->lspec, c->low, FFTW_ESTIMATE);
  if (c->p_in == NULL || c->p_out == NULL)
    return CB_ERROR(CB_ERR_INTERNAL, "cochleagram: FFTW could not plan length %lld", (long long)n);
  for (int i = 0; i < c->channels; ++i) {
    c->p_band[i] = fftw_plan_dft_1d(c->m[i], c->band, c->band, FFTW_BACKWARD, FFTW_ESTIMATE);
    c->p_env[i] = fftw_plan_dft_r2c_1d(c->m[i], c->env, c->espec, FFTW_ESTIMATE);
    if (c->p_band[i] == NULL || c->p_env[i] == NULL)
      return CB_ERROR(CB_ERR_INTERNAL, "cochleagram: FFTW could not plan length %d", c->m[i]);
  }
  return CB_OK;
}

cb_status cb_coch_create(int64_t n, int rate, const cb_coch_opts *o, cb_coch **out) {
  cb_coch_opts def;
  if (o == NULL) {
    cb_coch_defaults(&def);
    o = &def;
  }
  CB_CHECK(check_opts(n, rate, o, 1));
  if (n > (int64_t)1 << 30) return CB_ERROR(CB_ERR_UNSUPPORTED, "cochleagram: %lld samples is too long", (long long)n);
  cb_status st = CB_OK;
  cb_coch *c = calloc(1, sizeof *c);
  if (c == NULL) return CB_ERROR(CB_ERR_NOMEM, "cochleagram: out of memory");
  c->n = n;
  c->rate = rate;
  c->nbins = n / 2 + 1;
  c->power = o->power;
  c->frames = (int)(n * o->env_rate / rate);
  CB_CHECK_GOTO(cb_coch_filters(n, rate, o, &c->filts, &c->cf, &c->channels), st, fail);
  const int nch = c->channels, half = c->frames / 2;
  c->k_lo = malloc((size_t)nch * sizeof *c->k_lo);
  c->k_hi = malloc((size_t)nch * sizeof *c->k_hi);
  c->m = malloc((size_t)nch * sizeof *c->m);
  c->p_band = calloc((size_t)nch, sizeof *c->p_band);
  c->p_env = calloc((size_t)nch, sizeof *c->p_env);
  c->taper = malloc((size_t)(half + 1) * sizeof *c->taper);
  CB_ALLOC_GOTO(c->k_lo, st, fail);
  CB_ALLOC_GOTO(c->k_hi, st, fail);
  CB_ALLOC_GOTO(c->m, st, fail);
  CB_ALLOC_GOTO(c->p_band, st, fail);
  CB_ALLOC_GOTO(c->p_env, st, fail);
  CB_ALLOC_GOTO(c->taper, st, fail);
  band_sizes(c, o);
  /* Fourier-domain low-pass: 1 up to 0.8 x Nyquist, raised cosine to 0 at Nyquist */
  for (int k = 0; k <= half; ++k) {
    double f = (double)k / half;
    c->taper[k] = f <= 0.8 ? 1.0 : 0.5 * (1.0 + cos(M_PI * (f - 0.8) / 0.2));
  }
  CB_CHECK_GOTO(make_plans(c), st, fail);
  *out = c;
  return CB_OK;
fail:
  cb_coch_destroy(&c);
  return st;
}

int cb_coch_channels(const cb_coch *c) { return c ? c->channels : 0; }
int cb_coch_frames(const cb_coch *c) { return c ? c->frames : 0; }
const double *cb_coch_cf(const cb_coch *c) { return c ? c->cf : NULL; }

cb_status cb_coch_run(cb_coch *c, const float *x, float *out) {
  if (c == NULL || x == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "cochleagram: NULL argument");
  const int64_t n = c->n;
  const int half = c->frames / 2;
  double ss = 0.0;
  for (int64_t t = 0; t < n; ++t) ss += (double)x[t] * (double)x[t];
  const double rms = sqrt(ss / (double)n);
  if (!isfinite(rms)) return CB_ERROR(CB_ERR_NUMERIC, "cochleagram: non-finite samples");
  if (rms == 0.0) {
    memset(out, 0, sizeof *out * (size_t)c->channels * (size_t)c->frames);
    return CB_OK;
  }
  for (int64_t t = 0; t < n; ++t) c->xin[t] = (double)x[t] / rms;
  fftw_execute(c->p_in);
  const int64_t nyq = (n % 2 == 0) ? n / 2 : -1;
  for (int ch = 0; ch < c->channels; ++ch) {
    const double *row = c->filts + (size_t)ch * (size_t)c->nbins;
    const int m = c->m[ch], lo = c->k_lo[ch], hi = c->k_hi[ch];
    /* analytic band, shifted down by lo bins, on a grid of m points;
     * w[j] = (1/n) sum_k Z[lo + k] e^{2 pi i k j / m} = z(j n / m) e^{-i phase} */
    memset(c->band, 0, sizeof(fftw_complex) * (size_t)m);
    for (int k = lo; k <= hi; ++k) {
      double gain = row[k] * ((k == 0 || k == nyq) ? 1.0 : 2.0) / (double)n;
      c->band[k - lo] = gain * c->spec[k];
    }
    fftw_execute_dft(c->p_band[ch], c->band, c->band);
    for (int j = 0; j < m; ++j) c->env[j] = cabs(c->band[j]);
    fftw_execute_dft_r2c(c->p_env[ch], c->env, c->espec);
    /* e(t) ~ (1/m) sum_|k|<=half E[k] taper[k] e^{2 pi i k t / n}, t = f n / frames */
    for (int k = 0; k <= half; ++k) c->lspec[k] = (k <= m / 2 ? c->espec[k] : 0.0) * (c->taper[k] / (double)m);
    fftw_execute(c->p_out);
    float *o = out + (size_t)ch * (size_t)c->frames;
    for (int f = 0; f < c->frames; ++f) {
      double v = c->low[f] > 0.0 ? c->low[f] : 0.0;
      o[f] = (float)pow(v, c->power);
    }
  }
  return CB_OK;
}

cb_status cb_cochleagram(const float *x, int64_t n, int rate, const cb_coch_opts *o, float **out, int *channels,
                         int *frames) {
  cb_coch *c = NULL;
  cb_status st = CB_OK;
  float *buf = NULL;
  CB_CHECK(cb_coch_create(n, rate, o, &c));
  buf = malloc(sizeof *buf * (size_t)c->channels * (size_t)c->frames);
  CB_ALLOC_GOTO(buf, st, done);
  CB_CHECK_GOTO(cb_coch_run(c, x, buf), st, done);
  *out = buf;
  *channels = c->channels;
  *frames = c->frames;
  buf = NULL;
done:
  free(buf);
  cb_coch_destroy(&c);
  return st;
}
