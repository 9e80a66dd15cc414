/* cb_sound.h - sound files (WAV, FLAC and the other formats libsndfile
 * reads) as mono float samples at a chosen rate.
 *
 * Channels are mixed down to mono by averaging. When the file's rate differs
 * from target_rate the signal is resampled with libsamplerate's
 * SRC_SINC_BEST_QUALITY converter; the output has ceil(n * target / rate)
 * samples (the length scipy.signal.resample_poly gives), the converter's
 * tail beyond that dropped and any shortfall zero-filled.
 */
#ifndef CB_SOUND_H
#define CB_SOUND_H

#include <stdint.h>

#include "cb_status.h"

/* target_rate <= 0 keeps the file's rate. *samples is malloc'ed (caller
 * frees); outputs are written only on success; *rate = the output rate.
 * Errors name the file. */
cb_status cb_sound_read(const char *path, int target_rate, float **samples /* (n) mono */, int64_t *n, int *rate);

/* Resamples mono samples from rate_in to rate_out (SRC_SINC_BEST_QUALITY);
 * *out (ceil(n_in * rate_out / rate_in) samples) is malloc'ed. */
cb_status cb_sound_resample(const float *in /* (n_in) */, int64_t n_in, int rate_in, int rate_out,
                            float **out /* (n_out) */, int64_t *n_out);

#endif
