/* test_train_data.c - the training data path of src/train/cb_train_data.c: seeded epoch shuffles, an 8-bit image
 * into a normalised input, and the augmentations (mirror, random crop with zero padding) as draws of
 * (seed, epoch, index). Independent expectations: each output is matched against every candidate transform of
 * its source image computed here from the definition (torchvision's RandomCrop(size, padding=P) then
 * RandomHorizontalFlip). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test_main.h"
#include "cb_trainer.h"

enum { N = 600, C = 2, H = 7, W = 9 };
static uint8_t pixels[N * C * H * W]; /* (N, C, H, W) random contents: every transform gives a different image */
static int labels[N];

static cb_train_images set(int flip, int crop) {
  return (cb_train_images){.n = N, .c = C, .h = H, .w = W, .pixels = pixels, .labels = labels, .mean = 0.25f,
                           .std = 0.5f, .flip = flip, .crop_padding = crop, .seed = 7};
}

/* Image idx under crop offset (oy, ox) (output (i, j) reads source (i + oy, j' + ox), j' = mirrored j when
 * flip), zeros outside, normalised as the set says. */
static void expected(const cb_train_images *d, int idx, int oy, int ox, int flip, float *x) {
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < W; ++j) {
        const int si = i + oy, sj = (flip ? W - 1 - j : j) + ox;
        const float v = si >= 0 && si < H && sj >= 0 && sj < W ? pixels[((idx * C + c) * H + si) * W + sj] / 255.0f : 0.0f;
        x[(c * H + i) * W + j] = (v - d->mean) / d->std;
      }
}

/* The one (oy, ox, flip) within padding P that gives x: its code (oy + P) * (2P + 1) + ox + P, plus
 * (2P + 1)^2 when mirrored; -1 when none or several match. */
static int which(const cb_train_images *d, int idx, int p, const float *x) {
  float e[C * H * W];
  int found = -1, count = 0;
  for (int flip = 0; flip < 2; ++flip)
    for (int oy = -p; oy <= p; ++oy)
      for (int ox = -p; ox <= p; ++ox) {
        expected(d, idx, oy, ox, flip, e);
        if (memcmp(e, x, sizeof e) == 0) {
          found = (oy + p) * (2 * p + 1) + ox + p + flip * (2 * p + 1) * (2 * p + 1);
          ++count;
        }
      }
  return count == 1 ? found : -1;
}

START_TEST(plain_is_normalised_pixels) {
  const cb_train_images d = set(0, 0);
  float x[C * H * W], e[C * H * W];
  for (int idx = 0; idx < 5; ++idx) {
    cb_train_images_fill(&d, idx, 3, x);
    expected(&d, idx, 0, 0, 0, e);
    ck_assert(memcmp(x, e, sizeof x) == 0);
  }
}
END_TEST

/* Every output is one of the (2P+1)^2 x 2 transforms; each is drawn about equally often; the same
 * (seed, epoch, index) gives the same transform, another epoch mostly another; evaluation (epoch < 0) none. */
START_TEST(crop_and_flip_draws) {
  const int p = 2, kinds = (2 * p + 1) * (2 * p + 1) * 2;
  const cb_train_images d = set(1, p);
  int count[50] = {0}, same_next_epoch = 0;
  float x[C * H * W], y[C * H * W];
  for (int idx = 0; idx < N; ++idx) {
    cb_train_images_fill(&d, idx, 4, x);
    const int k = which(&d, idx, p, x);
    ck_assert_msg(k >= 0, "image %d: not exactly one crop/mirror of its source", idx);
    count[k] += 1;
    cb_train_images_fill(&d, idx, 4, y);
    ck_assert(memcmp(x, y, sizeof x) == 0);
    cb_train_images_fill(&d, idx, 5, y);
    same_next_epoch += which(&d, idx, p, y) == k;
    cb_train_images_fill(&d, idx, -1, y);
    ck_assert_int_eq(which(&d, idx, p, y), p * (2 * p + 1) + p); /* offset (0, 0), not mirrored */
  }
  for (int k = 0; k < kinds; ++k) /* expected N / 50 = 12 each; a binomial below 2 or above 30 is < 1e-4 */
    ck_assert_msg(count[k] >= 2 && count[k] <= 30, "transform %d drawn %d times of %d", k, count[k], N);
  ck_assert_msg(same_next_epoch < N / 5, "%d of %d images kept their transform in the next epoch", same_next_epoch, N);
}
END_TEST

START_TEST(flip_alone_keeps_the_crop) {
  const cb_train_images d = set(1, 0);
  float x[C * H * W];
  int mirrored = 0;
  for (int idx = 0; idx < N; ++idx) {
    cb_train_images_fill(&d, idx, 0, x);
    const int k = which(&d, idx, 0, x);
    ck_assert(k == 0 || k == 1);
    mirrored += k;
  }
  ck_assert_msg(mirrored > N * 2 / 5 && mirrored < N * 3 / 5, "%d of %d mirrored", mirrored, N);
}
END_TEST

START_TEST(epoch_order_is_a_seeded_permutation) {
  cb_train_order a, b;
  ck_assert_int_eq(cb_train_order_init(&a, 11, N), CB_OK);
  ck_assert_int_eq(cb_train_order_init(&b, 11, N), CB_OK);
  char seen[N];
  int moved = 0;
  for (int e = 0; e < 2; ++e) {
    memset(seen, 0, sizeof seen);
    for (int64_t p = (int64_t)e * N; p < (int64_t)(e + 1) * N; ++p) {
      int64_t i, j, ep;
      ck_assert_int_eq(cb_train_order_at(&a, p, &i, &ep), CB_OK);
      ck_assert_int_eq(cb_train_order_at(&b, p, &j, NULL), CB_OK);
      ck_assert(i == j && ep == e && i >= 0 && i < N && !seen[i]);
      seen[i] = 1;
      moved += e == 0 && i != p;
    }
  }
  ck_assert_msg(moved > N / 2, "epoch 0 left %d of %d images in place", N - moved, N);
  cb_train_order_free(&a);
  cb_train_order_free(&b);
}
END_TEST

int main(void) {
  uint64_t z = 12345;
  for (size_t i = 0; i < sizeof pixels; ++i) { /* xorshift: contents only */
    z ^= z << 13, z ^= z >> 7, z ^= z << 17;
    pixels[i] = (uint8_t)(z >> 24);
  }
  Suite *s = suite_create("train_data");
  TCase *tc = tcase_create("augment");
  tcase_add_test(tc, plain_is_normalised_pixels);
  tcase_add_test(tc, crop_and_flip_draws);
  tcase_add_test(tc, flip_alone_keeps_the_crop);
  tcase_add_test(tc, epoch_order_is_a_seeded_permutation);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}
