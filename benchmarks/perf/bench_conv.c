/* bench_conv.c - per-layer speed of the engine's batched convolution (the
 * path cb_model_forward takes: implicit-im2col GEMM, bias and ReLU fused)
 * on the conv layers of torchvision AlexNet and ResNet-18 at 224 x 224 (and a
 * sample of ResNet-50's pointwise layers),
 * against OpenBLAS sgemm on a product of the same M and K, timed in the same
 * run. Not a test: it prints figures.
 *
 * usage: bench_conv [IMAGES [REPS]]   (defaults 64 images, best of 3 after a warm-up)
 * Threads: OpenBLAS's (OPENBLAS_NUM_THREADS), which the engine's GEMM also uses.
 * Per layer: conv GFLOP/s, OpenBLAS sgemm GFLOP/s on (M, K) x (K, N) with N the columns of up to 4096 output
 * pixels (whole images), and their ratio; per network: the conv rate over all its layers (each counted as
 * often as it occurs) against the OpenBLAS 2048^3 sgemm peak measured at the end. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_nn_batch.h"
#include "cb_nn_ops.h"
#include "cb_sgemm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct layer {
  const char *net, *name;
  int in_c, hw, out_c, k, stride, pad, count; /* count: occurrences in the network */
} layer;

static const layer layers[] = {
    {"alexnet", "features.0", 3, 224, 64, 11, 4, 2, 1},
    {"alexnet", "features.3", 64, 27, 192, 5, 1, 2, 1},
    {"alexnet", "features.6", 192, 13, 384, 3, 1, 1, 1},
    {"alexnet", "features.8", 384, 13, 256, 3, 1, 1, 1},
    {"alexnet", "features.10", 256, 13, 256, 3, 1, 1, 1},
    {"resnet18", "conv1", 3, 224, 64, 7, 2, 3, 1},
    {"resnet18", "layer1.*.conv*", 64, 56, 64, 3, 1, 1, 4},
    {"resnet18", "layer2.0.conv1", 64, 56, 128, 3, 2, 1, 1},
    {"resnet18", "layer2.*.conv*", 128, 28, 128, 3, 1, 1, 3},
    {"resnet18", "layer2.0.downsample", 64, 56, 128, 1, 2, 0, 1},
    {"resnet18", "layer3.0.conv1", 128, 28, 256, 3, 2, 1, 1},
    {"resnet18", "layer3.*.conv*", 256, 14, 256, 3, 1, 1, 3},
    {"resnet18", "layer3.0.downsample", 128, 28, 256, 1, 2, 0, 1},
    {"resnet18", "layer4.0.conv1", 256, 14, 512, 3, 2, 1, 1},
    {"resnet18", "layer4.*.conv*", 512, 7, 512, 3, 1, 1, 3},
    {"resnet18", "layer4.0.downsample", 256, 14, 512, 1, 2, 0, 1},
    /* ResNet-50's pointwise (1x1, stride 1) layers, a sample: not summed into a network */
    {"resnet50", "layer1.0.conv1", 64, 56, 64, 1, 1, 0, 1},
    {"resnet50", "layer1.*.conv3", 64, 56, 256, 1, 1, 0, 1},
    {"resnet50", "layer1.*.conv1", 256, 56, 64, 1, 1, 0, 1},
    {"resnet50", "layer3.*.conv3", 256, 14, 1024, 1, 1, 0, 1},
    {"resnet50", "layer3.*.conv1", 1024, 14, 256, 1, 1, 0, 1},
};

/* x[i] = a small deterministic pattern in [-0.5, 0.5) */
static void fill(float *x, size_t n, size_t mul) {
  for (size_t i = 0; i < n; ++i) x[i] = (float)((i * mul) % 1000) / 1000.0f - 0.5f;
}

/* Best of reps OpenBLAS C (m, n) = A (m, k) B (k, n), GFLOP/s; 0 when out of memory. */
static double openblas_rate(int m, int n, int k, int reps) {
  float *a = malloc(sizeof *a * (size_t)m * k), *b = malloc(sizeof *b * (size_t)k * n);
  float *c = malloc(sizeof *c * (size_t)m * n);
  double best = 0.0;
  if (a != NULL && b != NULL && c != NULL) {
    fill(a, (size_t)m * k, 7919);
    fill(b, (size_t)k * n, 104729);
    for (int r = 0; r <= reps; ++r) { /* the first run touches fresh buffers */
      double t = now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
      t = now() - t;
      if (r > 0 && 2.0 * m * (double)n * k / t / 1e9 > best) best = 2.0 * m * (double)n * k / t / 1e9;
    }
  }
  free(a), free(b), free(c);
  return best;
}

int main(int argc, char **argv) {
  const int images = argc > 1 ? atoi(argv[1]) : 64, reps = argc > 2 ? atoi(argv[2]) : 3;
  if (images <= 0 || reps <= 0 || argc > 3) {
    fprintf(stderr, "usage: bench_conv [IMAGES [REPS]]\n");
    return 2;
  }
  const int threads = cb_sgemm_default_threads();
  printf("openblas_core %s\nopenblas_threads %d\nengine_gemm %s\nimages %d\n", openblas_get_corename(),
         openblas_get_num_threads(), cb_sgemm_kernel(), images);
  printf("%-22s %5s %5s %7s %10s %10s %6s\n", "layer", "M", "K", "pixels", "conv GF/s", "sgemm GF/s", "ratio");
  const int n_layers = (int)(sizeof layers / sizeof layers[0]);
  double sec[2] = {0, 0}, flops[2] = {0, 0}; /* per network: alexnet, resnet18 */
  for (int li = 0; li < n_layers; ++li) {
    const layer *l = &layers[li];
    cb_conv2d_geom g = {.in_c = l->in_c, .in_h = l->hw, .in_w = l->hw, .out_c = l->out_c, .kh = l->k, .kw = l->k,
                        .stride_h = l->stride, .stride_w = l->stride, .pad_t = l->pad, .pad_l = l->pad,
                        .pad_b = l->pad, .pad_r = l->pad, .dil_h = 1, .dil_w = 1, .groups = 1};
    int oh, ow;
    cb_conv2d_out(&g, &oh, &ow);
    const size_t in_size = (size_t)l->in_c * l->hw * l->hw, out_size = (size_t)l->out_c * oh * ow;
    const int kdim = l->in_c * l->k * l->k;
    float *x = malloc(sizeof *x * in_size * images), *y = malloc(sizeof *y * out_size * images);
    float *w = malloc(sizeof *w * (size_t)l->out_c * kdim), *b = malloc(sizeof *b * (size_t)l->out_c);
    const float **xs = malloc(sizeof *xs * (size_t)images);
    float **ys = malloc(sizeof *ys * (size_t)images);
    if (x == NULL || y == NULL || w == NULL || b == NULL || xs == NULL || ys == NULL) {
      fprintf(stderr, "bench_conv: out of memory for layer %s\n", l->name);
      return 1;
    }
    fill(x, in_size * images, 7919);
    fill(w, (size_t)l->out_c * kdim, 104729);
    fill(b, (size_t)l->out_c, 31);
    for (int i = 0; i < images; ++i) xs[i] = x + in_size * i, ys[i] = y + out_size * i;
    double best = 1e30;
    for (int r = 0; r <= reps; ++r) { /* run 0 is the warm-up */
      double t = now();
      cb__conv2d_images(&g, w, b, 1, images, xs, ys, threads);
      t = now() - t;
      if (r > 0 && t < best) best = t;
    }
    const double f = 2.0 * l->out_c * (double)kdim * oh * ow * images;
    int per = (4096 + oh * ow - 1) / (oh * ow);
    if (per > images) per = images;
    const double ob = openblas_rate(l->out_c, per * oh * ow, kdim, reps);
    printf("%-22s %5d %5d %7d %10.1f %10.1f %5.0f%%\n", l->name, l->out_c, kdim, oh * ow, f / best / 1e9, ob,
           ob > 0 ? 100.0 * f / best / 1e9 / ob : 0.0);
    if (strcmp(l->net, "resnet50") == 0) {
      free(x), free(y), free(w), free(b), free(xs), free(ys);
      continue;
    }
    const int net = strcmp(l->net, "resnet18") == 0;
    sec[net] += best * l->count;
    flops[net] += f * l->count;
    free(x), free(y), free(w), free(b), free(xs), free(ys);
  }
  const double peak = openblas_rate(2048, 2048, 2048, 3);
  printf("sgemm_peak_openblas_gflops %.1f\n", peak);
  for (int net = 0; net < 2; ++net)
    printf("%s_conv_gflops %.1f (%.0f%% of the OpenBLAS peak; %.3f s for %d images)\n", net ? "resnet18" : "alexnet",
           flops[net] / sec[net] / 1e9, 100.0 * flops[net] / sec[net] / 1e9 / peak, sec[net], images);
  return 0;
}
