/* cb_sound.c - libsndfile reading, mono mixdown, libsamplerate resampling. */
#include "cb_sound.h"

#include <limits.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"

/* Longest sound accepted, before and after resampling: 2^26 frames (about
 * 23 minutes at 48 kHz, 56 minutes at 20 kHz; docs/formats.md). */
#define MAX_FRAMES ((sf_count_t)1 << 26)
/* At most 2^28 samples over all channels (1 GiB of float32). */
#define MAX_SAMPLES ((sf_count_t)1 << 28)
/* Frames converted per libsamplerate call. */
#define CHUNK 65536

cb_status cb_sound_resample(const float *in, int64_t n_in, int rate_in, int rate_out, float **out, int64_t *n_out) {
  if (!in || !out || !n_out || n_in < 0 || rate_in <= 0 || rate_out <= 0)
    return CB_ERROR(CB_ERR_ARG, "resample: invalid arguments (n %lld, rates %d -> %d)", (long long)n_in, rate_in,
                    rate_out);
  double ratio = (double)rate_out / rate_in;
  if (!src_is_valid_ratio(ratio))
    return CB_ERROR(CB_ERR_UNSUPPORTED, "resample: ratio %d/%d is outside libsamplerate's range", rate_out, rate_in);
  /* ceil(n_in * rate_out / rate_in) in exact integer arithmetic. */
  int64_t want = (int64_t)(((__int128)n_in * rate_out + rate_in - 1) / rate_in);
  float *buf = calloc((size_t)(want > 0 ? want : 1), sizeof *buf);
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "resample: out of memory for %lld samples", (long long)want);
  int err = 0;
  SRC_STATE *src = src_new(SRC_SINC_BEST_QUALITY, 1, &err);
  if (!src) {
    free(buf);
    return CB_ERROR(CB_ERR_INTERNAL, "resample: libsamplerate: %s", src_strerror(err));
  }
  float scratch[CHUNK]; /* output beyond `want` (the converter's tail) */
  int64_t pos_in = 0, pos_out = 0;
  for (;;) {
    int64_t left_in = n_in - pos_in, room = want - pos_out;
    SRC_DATA d;
    memset(&d, 0, sizeof d);
    d.data_in = in + pos_in;
    d.input_frames = (long)(left_in < CHUNK ? left_in : CHUNK);
    d.end_of_input = left_in <= CHUNK;
    d.data_out = room > 0 ? buf + pos_out : scratch;
    d.output_frames = (long)(room > 0 ? (room < CHUNK ? room : CHUNK) : CHUNK);
    d.src_ratio = ratio;
    err = src_process(src, &d);
    if (err) {
      src_delete(src);
      free(buf);
      return CB_ERROR(CB_ERR_INTERNAL, "resample: libsamplerate: %s", src_strerror(err));
    }
    pos_in += d.input_frames_used;
    if (room > 0) pos_out += d.output_frames_gen;
    if (d.end_of_input && d.output_frames_gen == 0) break;
    if (room <= 0) break; /* everything wanted is there */
  }
  src_delete(src);
  *out = buf; /* samples past pos_out (if any) stay zero */
  *n_out = want;
  return CB_OK;
}

/* libsndfile shortens the data length of a file whose header promises more
 * data than the file holds, and notes it in its log as "data : PROMISED
 * (should be PRESENT)" (WAV, W64, RF64, CAF), "SSND : ..." (AIFF) or
 * "BODY : ..." (8SVX). 1 with the two byte counts when the log has one. */
static int header_overpromises(SNDFILE *f, long long *promised, long long *present) {
  char log[16384];
  log[0] = '\0';
  sf_command(f, SFC_GET_LOG_INFO, log, (int)sizeof log);
  static const char *const keys[] = {"data", "SSND", "BODY"};
  for (const char *line = log; *line;) {
    const char *nl = strchr(line, '\n');
    const char *p = line;
    while (*p == ' ' || *p == '\t') ++p;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k) {
      size_t kl = strlen(keys[k]);
      if (strncmp(p, keys[k], kl) == 0 && sscanf(p + kl, " : %lld (should be %lld", promised, present) == 2)
        return *promised > *present;
    }
    if (!nl) break;
    line = nl + 1;
  }
  return 0;
}

/* The header of the open sound f: complete, a supported layout, some samples, not too long (also once resampled
 * to target_rate when > 0). */
static cb_status check_info(const char *path, SNDFILE *f, const SF_INFO *info, int target_rate) {
  long long promised = 0, present = 0;
  if (header_overpromises(f, &promised, &present))
    return CB_ERROR(CB_ERR_FORMAT, "%s: truncated sound (the header promises %lld bytes of samples, the file holds %lld)",
                    path, promised, present);
  if (info->channels <= 0 || info->samplerate <= 0 || info->frames < 0)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: unsupported sound (%d channels, %d Hz, %lld frames)", path, info->channels,
                    info->samplerate, (long long)info->frames);
  if (info->frames == 0) return CB_ERROR(CB_ERR_FORMAT, "%s: sound has no samples (0 frames)", path);
  /* Frames after resampling: ceil(frames * target / rate). */
  double out_frames =
      target_rate > 0 ? ceil((double)info->frames * target_rate / info->samplerate) : (double)info->frames;
  if (info->frames > MAX_FRAMES || out_frames > (double)MAX_FRAMES ||
      (double)info->frames * info->channels > (double)MAX_SAMPLES)
    return CB_ERROR(CB_ERR_UNSUPPORTED,
                    "%s: sound too long (%lld frames x %d channels at %d Hz; the limit is %lld frames, %lld samples)",
                    path, (long long)info->frames, info->channels, info->samplerate, (long long)MAX_FRAMES,
                    (long long)MAX_SAMPLES);
  return CB_OK;
}

/* All frames of f (ch channels) read and mixed down: mono[t] = mean over channels of inter[t][c]. */
static cb_status read_mono(const char *path, SNDFILE *f, size_t frames, size_t ch, float **out /* (frames) */) {
  cb_status st = CB_OK;
  float *inter = malloc(frames * ch * sizeof *inter); /* (frames, channels) */
  float *mono = malloc(frames * sizeof *mono);        /* (frames) */
  if (!inter || !mono) {
    st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory for %zu frames", path, frames);
    goto done;
  }
  sf_count_t got = sf_readf_float(f, inter, (sf_count_t)frames);
  if (got != (sf_count_t)frames || sf_error(f) != SF_ERR_NO_ERROR) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated or corrupt sound (read %lld of %zu frames%s%s)", path,
                  (long long)got, frames, sf_error(f) ? ": " : "", sf_error(f) ? sf_strerror(f) : "");
    goto done;
  }
  for (size_t t = 0; t < frames; ++t) {
    double acc = 0.0;
    for (size_t c = 0; c < ch; ++c) acc += inter[t * ch + c];
    mono[t] = (float)(acc / (double)ch);
  }
  *out = mono;
  mono = NULL;
done:
  free(inter);
  free(mono);
  return st;
}

cb_status cb_sound_read(const char *path, int target_rate, float **samples, int64_t *n, int *rate) {
  if (!path || !samples || !n || !rate) return CB_ERROR(CB_ERR_ARG, "sound: invalid arguments");
  int fd = -1;
  CB_CHECK(cb_file_open_read(path, &fd, NULL)); /* regular files only (cb_fs.h) */
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open_fd(fd, SFM_READ, &info, SF_FALSE); /* fd closed below, whatever happens */
  if (!f) {
    cb_status e = CB_ERROR(CB_ERR_FORMAT, "%s: cannot read sound (%s)", path, sf_strerror(NULL));
    close(fd);
    return e;
  }
  cb_status st = CB_OK;
  float *mono = NULL; /* (frames) */
  CB_CHECK_GOTO(check_info(path, f, &info, target_rate), st, done);
  size_t frames = (size_t)info.frames;
  CB_CHECK_GOTO(read_mono(path, f, frames, (size_t)info.channels, &mono), st, done);
  if (target_rate > 0 && target_rate != info.samplerate) {
    float *res = NULL;
    int64_t nres = 0;
    st = cb_sound_resample(mono, (int64_t)frames, info.samplerate, target_rate, &res, &nres);
    if (st != CB_OK) {
      cb_error_prefix("%s", path);
      goto done;
    }
    free(mono);
    mono = res;
    *n = nres;
    *rate = target_rate;
  } else {
    *n = (int64_t)frames;
    *rate = info.samplerate;
  }
  *samples = mono;
  mono = NULL;
done:
  sf_close(f);
  close(fd);
  free(mono);
  return st;
}
