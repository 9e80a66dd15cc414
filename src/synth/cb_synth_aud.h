/* cb_synth_aud.h - the "synthetic-aud" stimuli: 168 two-second sounds at
 * 20 kHz, 28 of each sound_type:
 *   harmonic  harmonic complexes, f0 80-400 Hz (log-uniform), harmonics up
 *             to 8 kHz with a random spectral slope (-3..-12 dB/octave)
 *   noise     noise bands: 64 random-phase partials uniform in log-frequency
 *             over 0.3-2 octaves around 200 Hz-6 kHz
 *   am        a tone or noise-band carrier, sinusoidal AM at 2-32 Hz, depth 0.5-1
 *   fm        FM sweeps: a 3-harmonic tone gliding (log-linearly) up or down
 *             between two frequencies 150 Hz-4 kHz, once or back and forth
 *   formant   speech-like formant sequences: a 100-220 Hz harmonic source
 *             with vibrato, harmonic gains from 3 formants that move every
 *             150-300 ms between 5 vowel templates, 3-6 Hz syllabic envelope
 *   click     click trains: 1 ms Gaussian clicks (1-8 kHz carriers) at 2-100 Hz,
 *             periodic or jittered
 * Each sound has 10 ms raised-cosine ramps and RMS 0.05. Every sound draws
 * from its own stream (seed, 0xA0D00 + index): deterministic for a seed.
 * The voxels (cb_stm.h cb_stm_voxel_weights) are computed by src/bench from
 * the written WAV files with the zoo model synthetic-aud-truth. */
#ifndef CB_SYNTH_AUD_H
#define CB_SYNTH_AUD_H

#include <stdint.h>

#include "cb_status.h"

#define CB_SYNTH_AUD_RATE 20000
#define CB_SYNTH_AUD_SAMPLES 40000
#define CB_SYNTH_AUD_PER_TYPE 28
#define CB_SYNTH_AUD_TYPES 6
#define CB_SYNTH_AUD_REPS 3

/* Name of sound type t (0..5). */
const char *cb_synth_aud_type_name(int t);
/* Sound i (type i / 28) into x (CB_SYNTH_AUD_SAMPLES). */
cb_status cb_synth_aud_sound(uint64_t seed, int i, float *x /* (CB_SYNTH_AUD_SAMPLES) */);
/* Noise sd of each voxel given the noise-free rates (n_stim, n_vox): sd_v =
 * sqrt(k_v) x the rates' sd over stimuli (ddof 1), k_v uniform in [0.1, 1.2]
 * from stream (seed, 0xA0D0E) (per-repetition signal-to-noise 0.8..10). */
void cb_synth_aud_noise_sd(uint64_t seed, const double *rates /* (n_stim, n_vox) */, int n_stim, int n_vox,
                           double *sd /* (n_vox) */);

#endif
