/* train_synth.c - `cortexbench train` with data = synthetic-it: the image source of the training driver
 * (src/par/cb_par_train.h). Training image p is cb_synth_it_sample(data_seed, p): a new image at every position,
 * never one of the evaluated set's; the test set is the 640 images of the evaluated set (cb_synth_it_stimuli of
 * test_seed, the seed of the suite's synthetic-it dataset). Both become the model's input exactly as a suite's
 * image front end makes them from the set's PNGs: gray expanded to RGB, cb_image_preprocess (8 deg images in an
 * 8 deg field: antialiased resize to the model's size, (v - mean) / std), then the luma for a 1-channel model. */
#include <stdlib.h>
#include <string.h>

#include "cb_image.h"
#include "cb_synth_it.h"
#include "train_synth.h"
#include "cli.h"

typedef struct synth_src {
  uint64_t train_seed, test_seed;
  float mean, std;
  cb_synth_set *test; /* the evaluated set, made on first use */
  uint8_t px[CB_SYNTH_IT_SIZE * CB_SYNTH_IT_SIZE];      /* (96, 96) gray */
  uint8_t rgb[CB_SYNTH_IT_SIZE * CB_SYNTH_IT_SIZE * 3]; /* (96, 96, 3) */
  float *chw;         /* (3, h, w) */
  int h, w;
} synth_src;

/* px (96, 96) gray into x (c, h, w), c = 1 (luma) or 3. */
static cb_status to_input(synth_src *s, int c, int h, int w, float *x) {
  const size_t plane = (size_t)h * (size_t)w, np = (size_t)CB_SYNTH_IT_SIZE * CB_SYNTH_IT_SIZE;
  if (s->chw == NULL || s->h != h || s->w != w) {
    free(s->chw);
    if ((s->chw = malloc(3 * plane * sizeof *s->chw)) == NULL) return CB_ERROR(CB_ERR_NOMEM, "synthetic-it: out of memory");
    s->h = h, s->w = w;
  }
  for (size_t i = 0; i < np; ++i) s->rgb[3 * i] = s->rgb[3 * i + 1] = s->rgb[3 * i + 2] = s->px[i];
  const cb_preprocess pp = {.out_h = h, .out_w = w, .mean = {s->mean, s->mean, s->mean}, .std = {s->std, s->std, s->std},
                            .model_degrees = CB_SYNTH_IT_DEGREES, .stimulus_degrees = CB_SYNTH_IT_DEGREES};
  CB_CHECK(cb_image_preprocess(s->rgb, CB_SYNTH_IT_SIZE, CB_SYNTH_IT_SIZE, &pp, s->chw));
  if (c == 3) {
    memcpy(x, s->chw, 3 * plane * sizeof *x);
    return CB_OK;
  }
  for (size_t k = 0; k < plane; ++k) /* ITU-R 601 luma, as the image front end's for 1-channel models */
    x[k] = 0.299f * s->chw[k] + 0.587f * s->chw[plane + k] + 0.114f * s->chw[2 * plane + k];
  return CB_OK;
}

static cb_status synth_image(void *ctx, int set, int64_t idx, int c, int h, int w, float *x, int *label) {
  synth_src *s = ctx;
  if (c != 1 && c != 3)
    return CB_ERROR(CB_ERR_CONFIG, "data = synthetic-it: the model takes %d input channels (1 or 3 needed)", c);
  if (set == 0) {
    CB_CHECK(cb_synth_it_sample(s->train_seed, (uint64_t)idx, s->px, label));
    return to_input(s, c, h, w, x);
  }
  if (s->test == NULL) CB_CHECK(cb_synth_it_stimuli(s->test_seed, &s->test));
  if (idx < 0 || idx >= s->test->n_stim) return CB_ERROR(CB_ERR_ARG, "synthetic-it: no test image %lld", (long long)idx);
  memcpy(s->px, s->test->images + (size_t)idx * sizeof s->px, sizeof s->px);
  *label = cb_synth_it_stimulus_category((int)idx);
  return to_input(s, c, h, w, x);
}

cb_status cb_cli_train_synth_create(const cb_train_config *cfg, cb_par_train_source *out) {
  if (cfg == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-it source: NULL argument");
  synth_src *s = calloc(1, sizeof *s);
  if (s == NULL) return CB_ERROR(CB_ERR_NOMEM, "synthetic-it source: out of memory");
  s->train_seed = cfg->data_seed, s->test_seed = cfg->test_seed, s->mean = (float)cfg->mean, s->std = (float)cfg->std;
  *out = (cb_par_train_source){.classes = CB_SYNTH_IT_CATEGORIES, .n_test = CB_SYNTH_IT_STIMULI, .ctx = s,
                               .image = synth_image};
  return CB_OK;
}

void cb_cli_train_synth_destroy(cb_par_train_source *src) {
  if (src == NULL || src->ctx == NULL) return;
  synth_src *s = src->ctx;
  cb_synth_set_destroy(&s->test);
  free(s->chw);
  free(s);
  src->ctx = NULL;
}
