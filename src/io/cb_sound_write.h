/* cb_sound_write.h - writes mono float samples as a WAV file (libsndfile),
 * atomically (temporary file in the same directory, then renamed). */
#ifndef CB_SOUND_WRITE_H
#define CB_SOUND_WRITE_H

#include <stdint.h>

#include "cb_status.h"

typedef enum cb_sound_format {
  CB_SOUND_FLOAT32 = 0, /* IEEE float samples: cb_sound_read gives back the exact values */
  CB_SOUND_PCM16 = 1    /* 16-bit PCM, samples clipped to [-1, 1] */
} cb_sound_format;

/* Writes x (n) at `rate` Hz to `path` (WAV). Errors name the file. */
cb_status cb_sound_write_wav(const char *path, const float *x /* (n) */, int64_t n, int rate, cb_sound_format fmt);

#endif
