/* cb_stm.h - spectrotemporal-modulation (STM) filterbank after Chi, Ru &
 * Shamma (2005), built as graph nodes over a cochleagram, and the audio zoo
 * builders that use it.
 *
 * Input x: a cochleagram (1, 1, C, T) (channels, frames at frame_rate Hz).
 * For each scale s (cycles/octave), direction d (0 = downward, 1 = upward)
 * and rate r (Hz) the filter is H_s(Omega) H_r(omega) restricted to one
 * quadrant pair of the 2-D modulation spectrum:
 *   spectral: H_s(Omega) = (Omega/s)^2 exp(1 - (Omega/s)^2) (the transfer of
 *     Chi et al.'s Mexican-hat kernel), Omega in cycles/octave, the channel
 *     axis taken as uniform with channels_per_octave channels per octave;
 *     downward = Omega > 0 with omega > 0 (energy along c = -a t), upward =
 *     Omega < 0; applied as a (C x C) complex convolution matrix built on a
 *     zero-padded DFT (no wrap-around).
 *   temporal: |H_r(omega)| = |DFT of h(t) = (r t)^2 exp(-3.5 r t) sin(2 pi r t)|
 *     (Chi et al.'s gammatone-like kernel), normalised to peak 1.
 * Output = time-averaged power of each filter's output, computed exactly with
 * Parseval on the temporal DFT bins 1..max_bin (the DC is excluded), then
 * averaged over n_bands contiguous channel bands:
 *   power[s, d, b, r] = (1/T^2) sum_{c in band b}/|b| sum_omega |Y_{s,d}(c, omega)|^2 |H_r(omega)|^2
 * Graph (every matrix a constant): MatMul by the temporal DFT (T, 2W) ->
 * stack real/imag (2C, W) -> MatMul by the stacked real forms of the
 * spectral filters (S*2*2C, 2C) -> square -> MatMul by |H_r|^2/T^2 (W, R) ->
 * MatMul by the band-averaging matrix -> (1, F) with F = S*2*B*R in C order
 * of (scale, direction, band, rate). Layers: "<prefix>.power" (1, F) and
 * "<prefix>" = sqrt(power) (1, F), the modulation amplitudes. */
#ifndef CB_STM_H
#define CB_STM_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_status.h"

#define CB_STM_MAX 12

typedef struct cb_stm_opts {
  int n_rates;
  double rates[CB_STM_MAX];  /* Hz: 0.5 1 2 4 8 16 32 */
  int n_scales;
  double scales[CB_STM_MAX]; /* cycles/octave: 0.25 0.5 1 2 4 8 */
  int n_bands;               /* contiguous channel bands: 8 */
  double channels_per_octave;/* 211 / log2(10000/50) = 27.6 */
  double frame_rate;         /* 200 Hz */
  int max_bin;               /* temporal DFT bins 1..max_bin (0.5 Hz each for 2 s): 160 (80 Hz) */
} cb_stm_opts;

/* The defaults above for a cochleagram of `channels` channels at 200 Hz. */
void cb_stm_defaults(cb_stm_opts *o, int channels);
int cb_stm_n_features(const cb_stm_opts *o);
/* Names feature j: "s0.25_down_b3_r4" (scale, direction, band, rate). */
void cb_stm_feature_name(const cb_stm_opts *o, int j, char *buf, int size);

/* Adds the filterbank over x (1, 1, C, T); *power and *amp receive the
 * value ids of "<prefix>.power" and "<prefix>" (1, F). */
cb_status cb_stm_add(cb_graph *g, const char *prefix, int x, const cb_stm_opts *o, int *power, int *amp);

/* The audio input every zoo audio model declares: (1, 1, 211, 400), a 2 s
 * cochleagram at 200 Hz (cb_coch.h defaults, 20 kHz sounds). */
#define CB_AUDIO_CHANNELS 211
#define CB_AUDIO_FRAMES 400

/* Voxel model of the "synthetic-aud" generator and its truth model: voxel v
 * = sum_j W[v, j] amp_j + b[v] over the STM amplitudes (F features of the
 * default options). Each voxel prefers a band, a rate and a scale (seeded):
 * W[v, j] = g_v exp(-(db^2/2 + dlog2r^2/2 + dlog2s^2/2)) (+ a 10 % uniform
 * random part), direction weights (1 - q_v, q_v); b[v] in [0, 1).
 * Stream (seed, 0x5A0D) of cb_rng. W (n_vox, F) and b (n_vox) caller-allocated. */
cb_status cb_stm_voxel_weights(uint64_t seed, const cb_stm_opts *o, int n_vox, float *W /* (n_vox, F) */,
                               float *b /* (n_vox) */);

#define CB_SYNTH_AUD_VOXELS 240

#endif
