/* cb_sound_write.c - WAV writer over libsndfile with an atomic rename. */
#include "cb_sound_write.h"

#include <sndfile.h>
#include <stdio.h>

#include "cb_fs.h"

cb_status cb_sound_write_wav(const char *path, const float *x, int64_t n, int rate, cb_sound_format fmt) {
  if (path == NULL || (x == NULL && n > 0) || n < 0 || rate <= 0)
    return CB_ERROR(CB_ERR_ARG, "%s: invalid sound (%lld samples at %d Hz)", path ? path : "(null)", (long long)n, rate);
  char tmp[4096];
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  SF_INFO info = {.samplerate = rate, .channels = 1,
                  .format = SF_FORMAT_WAV | (fmt == CB_SOUND_PCM16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT)};
  SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
  if (f == NULL) return CB_ERROR(CB_ERR_IO, "%s: cannot write (%s)", path, sf_strerror(NULL));
  if (fmt == CB_SOUND_PCM16) sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
  /* No PEAK chunk: it carries a timestamp, and the same sound must give the same bytes. */
  if (f) sf_command(f, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
  sf_count_t w = sf_writef_float(f, x, (sf_count_t)n);
  int err = sf_close(f);
  if (w != (sf_count_t)n || err != 0) {
    remove(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: short write (%lld of %lld samples)", path, (long long)w, (long long)n);
  }
  cb_status st = cb_file_commit(tmp, path);
  if (st != CB_OK) remove(tmp);
  return st;
}
