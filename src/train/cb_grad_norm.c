/* cb_grad_norm.c - BatchNormalization in training mode (batch statistics, running-statistics update) and
 * its backward in either mode. Reductions in double, channel by channel, images then positions in order;
 * channels are shared between threads (each channel's arithmetic is the same whatever the thread count). */
#include <math.h>

#include "cb_train_ops.h"
#include "cb_threads.h"

/* What both passes read, for one range of channels at a time. */
typedef struct bn_ctx {
  const float *x, *dy, *scale, *shift;
  int batch, c, batch_stats;
  size_t inner;
  float eps, momentum;
  float *run_mean, *run_var, *y, *mean, *invstd, *dx, *dscale, *dshift; /* outputs, each may be NULL in backward */
  const float *cmean, *cinvstd;                                          /* backward's statistics */
} bn_ctx;

static void bn_forward_channels(void *vctx, size_t c0, size_t c1) {
  const bn_ctx *a = vctx;
  const float *x = a->x, *scale = a->scale, *shift = a->shift;
  const int batch = a->batch, c = a->c;
  const size_t inner = a->inner;
  const double m = (double)batch * (double)inner, momentum = a->momentum;
  float *y = a->y, *mean = a->mean, *invstd = a->invstd, *run_mean = a->run_mean, *run_var = a->run_var;
  for (int ch = (int)c0; ch < (int)c1; ++ch) {
    double s = 0.0, ss = 0.0;
    for (int b = 0; b < batch; ++b) {
      const float *xc = x + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) s += xc[i];
    }
    const double mu = m > 0 ? s / m : 0.0;
    for (int b = 0; b < batch; ++b) {
      const float *xc = x + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) ss += ((double)xc[i] - mu) * ((double)xc[i] - mu);
    }
    const double var = m > 0 ? ss / m : 0.0, is = 1.0 / sqrt(var + (double)a->eps);
    mean[ch] = (float)mu;
    invstd[ch] = (float)is;
    for (int b = 0; b < batch; ++b) {
      const float *xc = x + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      float *yc = y + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) yc[i] = (float)(((double)xc[i] - mu) * is * scale[ch] + shift[ch]);
    }
    const double unbiased = m > 1 ? ss / (m - 1) : var;
    run_mean[ch] = (float)(momentum * (double)run_mean[ch] + (1.0 - momentum) * mu);
    run_var[ch] = (float)(momentum * (double)run_var[ch] + (1.0 - momentum) * unbiased);
  }
}

void cb_batchnorm_train_forward(const float *x, int batch, int c, size_t inner, float eps, float momentum,
                                const float *scale, const float *shift, float *run_mean, float *run_var, float *y,
                                float *mean, float *invstd, int threads) {
  bn_ctx k = {.x = x, .scale = scale, .shift = shift, .batch = batch, .c = c, .inner = inner, .eps = eps,
              .momentum = momentum, .run_mean = run_mean, .run_var = run_var, .y = y, .mean = mean, .invstd = invstd};
  cb_threads_for(threads, (size_t)(c > 0 ? c : 0), 1, bn_forward_channels, &k);
}

static void bn_backward_channels(void *vctx, size_t c0, size_t c1) {
  const bn_ctx *a = vctx;
  const float *x = a->x, *dy = a->dy, *scale = a->scale, *mean = a->cmean, *invstd = a->cinvstd;
  const int batch = a->batch, c = a->c, batch_stats = a->batch_stats;
  const size_t inner = a->inner;
  float *dx = a->dx, *dscale = a->dscale, *dshift = a->dshift;
  const double m = (double)batch * (double)inner;
  for (int ch = (int)c0; ch < (int)c1; ++ch) {
    const double mu = mean[ch], is = invstd[ch];
    double sd = 0.0, sdx = 0.0; /* sum dy, sum dy xhat */
    for (int b = 0; b < batch; ++b) {
      const size_t o = ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) {
        sd += dy[o + i];
        sdx += (double)dy[o + i] * ((double)x[o + i] - mu) * is;
      }
    }
    if (dscale) dscale[ch] += (float)sdx;
    if (dshift) dshift[ch] += (float)sd;
    if (dx == NULL) continue;
    const double k = (double)scale[ch] * is, md = batch_stats && m > 0 ? sd / m : 0.0,
                 mdx = batch_stats && m > 0 ? sdx / m : 0.0;
    for (int b = 0; b < batch; ++b) {
      const size_t o = ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) {
        const double xhat = ((double)x[o + i] - mu) * is;
        dx[o + i] += (float)(k * ((double)dy[o + i] - md - xhat * mdx));
      }
    }
  }
}

void cb_batchnorm_backward(const float *x, const float *dy, int batch, int c, size_t inner, const float *scale,
                           const float *mean, const float *invstd, int batch_stats, float *dx, float *dscale,
                           float *dshift, int threads) {
  bn_ctx k = {.x = x, .dy = dy, .scale = scale, .batch = batch, .c = c, .batch_stats = batch_stats, .inner = inner,
              .dx = dx, .dscale = dscale, .dshift = dshift, .cmean = mean, .cinvstd = invstd};
  cb_threads_for(threads, (size_t)(c > 0 ? c : 0), 1, bn_backward_channels, &k);
}
