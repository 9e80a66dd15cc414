/* Unit tests for src/io/cb_sound: WAV/FLAC reading, mono mixdown and
 * resampling compared with scipy.signal.resample_poly
 * (tests/reference/gen_io_media.py), and the real 2 s stimuli of
 * ../shared/data/normanhaignere2015 (skipped when absent). */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_sound.h"
#include "cb_status.h"

#define REF_DIR "tests/reference/io"
#define NH_WAV "../shared/data/normanhaignere2015/wav/stim11_baby_crying.wav"

#define CB_TEST_TMP_NAME "sound"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

START_TEST(test_wav_native_rate_mixdown) {
  float *x = NULL;
  int64_t n = 0;
  int rate = 0;
  ck_assert_msg(cb_sound_read(REF_DIR "/tone_44100.wav", 0, &x, &n, &rate) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(rate, 44100);
  ck_assert_int_eq(n, 4410);
  /* mono = (round(32767 * 0.5 sin(440)) + round(32767 * 0.3 sin(1000))) / 2 / 32768 */
  double maxerr = 0.0;
  for (int64_t t = 0; t < n; ++t) {
    double tt = (double)t / 44100.0;
    double l = round(32767.0 * 0.5 * sin(2 * M_PI * 440 * tt)), r = round(32767.0 * 0.3 * sin(2 * M_PI * 1000 * tt));
    double e = fabs(x[t] - (l + r) / 2.0 / 32768.0);
    if (e > maxerr) maxerr = e;
  }
  ck_assert_double_le(maxerr, 1e-7);
  free(x);
}
END_TEST

START_TEST(test_resample_matches_scipy) {
  float *x = NULL;
  int64_t n = 0;
  int rate = 0;
  ck_assert_int_eq(cb_sound_read(REF_DIR "/tone_44100.wav", 20000, &x, &n, &rate), CB_OK);
  ck_assert_int_eq(rate, 20000);
  ck_assert_int_eq(n, 2000);
  FILE *f = fopen(REF_DIR "/tone_20000.txt", "r");
  ck_assert_ptr_nonnull(f);
  /* libsamplerate's sinc filter and scipy's Kaiser FIR differ mostly near the
   * ends (different edge handling); away from them both pass the 440 Hz and
   * 1 kHz tones essentially unchanged. Bounds: |diff| <= 2e-3 (0.5 % of the
   * 0.4 peak) beyond the first and last 100 samples (5 ms), and RMS of the
   * difference over that range <= 5e-4. */
  double maxerr = 0.0, ss = 0.0;
  int cnt = 0;
  for (int64_t t = 0; t < n; ++t) {
    double r = 0.0;
    ck_assert_int_eq(fscanf(f, "%lf", &r), 1);
    if (t < 100 || t >= n - 100) continue;
    double e = fabs(x[t] - r);
    if (e > maxerr) maxerr = e;
    ss += e * e;
    ++cnt;
  }
  fclose(f);
  double rms = sqrt(ss / cnt);
  if (getenv("CB_TEST_VERBOSE")) printf("resample vs scipy: max |diff| %.3g, rms %.3g\n", maxerr, rms);
  ck_assert_msg(maxerr <= 2e-3, "max |diff| %g", maxerr);
  ck_assert_msg(rms <= 5e-4, "rms diff %g", rms);
  free(x);
}
END_TEST

START_TEST(test_flac_roundtrip_and_errors) {
  make_tmpdir();
  float *x = NULL;
  int64_t n = 0;
  int rate = 0;
  ck_assert_int_eq(cb_sound_read(REF_DIR "/tone_44100.wav", 0, &x, &n, &rate), CB_OK);
  /* Write a 16-bit stereo FLAC (both channels = the mono signal), read back. */
  char p[512];
  snprintf(p, sizeof p, "%s/tone.flac", tmpdir);
  SF_INFO info = {0};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(p, SFM_WRITE, &info);
  ck_assert_ptr_nonnull(sf);
  float *st = malloc((size_t)n * 2 * sizeof *st);
  for (int64_t t = 0; t < n; ++t) st[2 * t] = st[2 * t + 1] = x[t];
  ck_assert_int_eq(sf_writef_float(sf, st, n), n);
  sf_close(sf);
  float *y = NULL;
  int64_t m = 0;
  ck_assert_msg(cb_sound_read(p, 44100, &y, &m, &rate) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(m, n);
  ck_assert_int_eq(rate, 44100);
  double maxerr = 0.0;
  for (int64_t t = 0; t < n; ++t) maxerr = fmax(maxerr, fabs(y[t] - x[t]));
  ck_assert_double_le(maxerr, 1.0 / 32768.0); /* 16-bit quantisation */
  free(y);
  y = NULL;
  free(st);
  free(x);

  /* Missing, not a sound, truncated. */
  snprintf(p, sizeof p, "%s/missing.wav", tmpdir);
  ck_assert_int_eq(cb_sound_read(p, 0, &y, &m, &rate), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "missing.wav"));
  snprintf(p, sizeof p, "%s/text.wav", tmpdir);
  ck_assert_int_eq(cb_file_write_atomic(p, "not a sound file at all, just text", 34), CB_OK);
  ck_assert_int_eq(cb_sound_read(p, 0, &y, &m, &rate), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "text.wav"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  ck_assert_ptr_null(y);
}
END_TEST

/* 16-bit mono PCM WAV at 20 kHz whose header promises `promised` frames and
 * which holds `held` frames of a tone. */
static void write_wav(const char *path, uint32_t promised, uint32_t held) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  uint32_t data = promised * 2, riff = 36 + data, fmt_len = 16, rate = 20000, bps = 40000;
  uint16_t pcm = 1, ch = 1, align = 2, bits = 16;
  fwrite("RIFF", 1, 4, f), fwrite(&riff, 4, 1, f), fwrite("WAVEfmt ", 1, 8, f), fwrite(&fmt_len, 4, 1, f);
  fwrite(&pcm, 2, 1, f), fwrite(&ch, 2, 1, f), fwrite(&rate, 4, 1, f), fwrite(&bps, 4, 1, f);
  fwrite(&align, 2, 1, f), fwrite(&bits, 2, 1, f), fwrite("data", 1, 4, f), fwrite(&data, 4, 1, f);
  for (uint32_t t = 0; t < held; ++t) {
    int16_t v = (int16_t)(8000.0 * sin(0.2 * t));
    fwrite(&v, 2, 1, f);
  }
  ck_assert_int_eq(fclose(f), 0);
}

/* A header that promises more than the file holds, a file without
 * samples and a FIFO are errors naming the file (no silent padding). */
START_TEST(test_short_empty_and_fifo_sounds) {
  make_tmpdir();
  float *x = NULL;
  int64_t n = 0;
  int rate = 0;
  char p[512];
  snprintf(p, sizeof p, "%s/ok.wav", tmpdir);
  write_wav(p, 478, 478);
  ck_assert_msg(cb_sound_read(p, 0, &x, &n, &rate) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(n, 478);
  free(x);
  x = NULL;
  snprintf(p, sizeof p, "%s/short.wav", tmpdir);
  write_wav(p, 40000, 478);
  ck_assert_int_eq(cb_sound_read(p, 20000, &x, &n, &rate), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(),
                               "short.wav: truncated sound (the header promises 80000 bytes of samples, the file holds 956)"));
  ck_assert_ptr_null(x);
  snprintf(p, sizeof p, "%s/empty.wav", tmpdir);
  write_wav(p, 0, 0);
  ck_assert_int_eq(cb_sound_read(p, 0, &x, &n, &rate), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "empty.wav: sound has no samples (0 frames)"));
  snprintf(p, sizeof p, "%s/fifo.wav", tmpdir);
  ck_assert_int_eq(mkfifo(p, 0600), 0);
  ck_assert_int_eq(cb_sound_read(p, 0, &x, &n, &rate), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "fifo.wav: not a regular file (a FIFO)"));
  ck_assert_ptr_null(x);
}
END_TEST

START_TEST(test_real_wav_to_20k) {
  if (access(NH_WAV, R_OK) != 0) return; /* shared data absent: skip */
  float *x = NULL;
  int64_t n = 0;
  int rate = 0;
  ck_assert_msg(cb_sound_read(NH_WAV, 20000, &x, &n, &rate) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(rate, 20000);
  ck_assert_int_eq(n, 40000); /* 2 s */
  double ss = 0.0;
  for (int64_t t = 0; t < n; ++t) {
    ck_assert(isfinite(x[t]));
    ss += (double)x[t] * x[t];
  }
  ck_assert_double_gt(ss, 0.0);
  free(x);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_sound");
  TCase *tc = tcase_create("sound");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_wav_native_rate_mixdown);
  tcase_add_test(tc, test_resample_matches_scipy);
  tcase_add_test(tc, test_flac_roundtrip_and_errors);
  tcase_add_test(tc, test_short_empty_and_fifo_sounds);
  tcase_add_test(tc, test_real_wav_to_20k);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
