/* cb_synth_it_train.c - synthetic-it training images: a fresh object, view and background per index. */
#include <stdlib.h>

#include "cb_synth_it.h"
#include "cb_synth_it_impl.h"

#define STREAM_SAMPLE (13ull << 56)
#define IMAGES_PER_OBJECT 10

int cb_synth_it_stimulus_category(int k) {
  return k >= 0 && k < CB_SYNTH_IT_STIMULI ? k / (CB_SYNTH_IT_OBJECTS * IMAGES_PER_OBJECT) : -1;
}

cb_status cb_synth_it_sample(uint64_t seed, uint64_t index, uint8_t *px, int *category) {
  if (px == NULL || category == NULL || index >= (1ull << 56))
    return CB_ERROR(CB_ERR_ARG, "synthetic-it sample: NULL argument or index %llu out of range", (unsigned long long)index);
  static const int levels[IMAGES_PER_OBJECT] = {0, 0, 3, 3, 3, 3, 6, 6, 6, 6}; /* the set's mix */
  const int n = CB_SYNTH_IT_SIZE;
  double *img = malloc((size_t)n * (size_t)n * sizeof *img); /* (n, n) contrast */
  if (img == NULL) return CB_ERROR(CB_ERR_NOMEM, "synthetic-it sample: out of memory");
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_SAMPLE | index);
  const int cat = (int)cb_rng_below(&r, CB_SYNTH_IT_CATEGORIES);
  cb__it_obj ob;
  cb__it_object(&r, cat, &ob);
  double view[4];
  cb__it_view(&r, levels[cb_rng_below(&r, IMAGES_PER_OBJECT)], view);
  cb_status st = cb__it_background(&r, n, img);
  if (st == CB_OK) {
    cb__it_paint(&ob, n, view[0], view[1], view[2], view[3], img);
    cb__it_pixels(img, n, px);
    *category = cat;
  }
  free(img);
  return st;
}
