/* bench_nn.c - times cortexbench's model path (cb_model_forward, batched
 * executor) on an ONNX file written by nn_vs_torch.py, with a per-operator
 * profile and the sgemm peak of the same machine for reference.
 *
 * usage: bench_nn MODEL.onnx INPUT.bin BATCH REPS OUTPUT.bin
 *   INPUT.bin: float32 (BATCH, C, H, W), preprocessed; OUTPUT.bin: float32
 *   (BATCH, features) of the graph's first output, from the last run.
 * Prints "key value" lines (times in seconds, rates per second). conv_gflops is the fastest timed run's conv
 * rate (best of REPS, as the sgemm peaks are best of 3), conv_gflops_mean the rate over all timed runs,
 * conv_fraction_paired_median the median over the runs of (the run's conv rate / one OpenBLAS 2048^3 sgemm
 * timed right after it): the figure least disturbed by other processes' load on a shared machine. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_nn_batch.h"
#include "cb_sgemm.h"
#include "cb_timer.h"

#include "bench_util.h"

static double now(void) { return cb_now(); }

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: bench_nn MODEL.onnx INPUT.bin BATCH REPS OUTPUT.bin\n");
    return 2;
  }
  const int batch = atoi(argv[3]), reps = atoi(argv[4]);
  if (batch <= 0 || reps <= 0 || reps > 100) {
    fprintf(stderr, "bench_nn: bad BATCH or REPS\n");
    return 2;
  }
  int rc = 1;
  cb_model *m = NULL;
  float *x = NULL, *y = NULL;
  double *times = NULL, *frac = NULL;
  cb_model_info pre = {.mean = {0, 0, 0}, .std = {1, 1, 1}, .visual_degrees = 8.0};
  double t_load = now();
  if (cb_model_load_onnx(argv[1], &pre, &m) != CB_OK) {
    fprintf(stderr, "bench_nn: %s\n", cb_error_message());
    return 1;
  }
  t_load = now() - t_load;
  const cb_model_info *info = cb_model_get_info(m);
  const size_t in_size = (size_t)info->in_c * info->in_h * info->in_w;
  const struct cb_graph *g = cb_model_graph(m);
  const int layer = cb_model_find_layer(m, cb_graph_value_name(g, cb_graph_output_id(g, 0)));
  int c, h, w;
  cb_model_layer_shape(m, layer, &c, &h, &w);
  const size_t out_size = (size_t)c * h * w;
  x = malloc(sizeof *x * in_size * batch);
  y = malloc(sizeof *y * out_size * batch);
  times = calloc((size_t)reps, sizeof *times);
  frac = calloc((size_t)reps, sizeof *frac);
  FILE *f = fopen(argv[2], "rb");
  if (x == NULL || y == NULL || times == NULL || frac == NULL || f == NULL || fread(x, sizeof *x, in_size * batch, f) != in_size * batch) {
    fprintf(stderr, "bench_nn: cannot read %s (%zu floats expected)\n", argv[2], in_size * batch);
    if (f) fclose(f);
    goto done;
  }
  fclose(f);
  printf("openblas_core %s\n", openblas_get_corename());
  printf("openblas_threads %d\n", openblas_get_num_threads());
  printf("engine_gemm %s\n", cb_sgemm_kernel());
  printf("load_s %.3f\n", t_load);
  printf("arena_mb_per_image %.2f\n", cb_graph_arena_bytes(g) / 1048576.0);
  cb_nn_profile prof;
  memset(&prof, 0, sizeof prof);
  /* warm-up (page faults, caches), then timed runs; the profile covers the timed runs */
  if (cb_model_forward(m, x, batch, &layer, 1, &y) != CB_OK) {
    fprintf(stderr, "bench_nn: %s\n", cb_error_message());
    goto done;
  }
  /* per-run profiles: the aggregate for the listing, and the fastest run's conv rate (best of REPS, like the
   * sgemm peaks below: on a shared machine other processes' load only ever slows a run down) */
  double conv_best = 0.0;
  for (int r = 0; r < reps; ++r) {
    cb_nn_profile one;
    memset(&one, 0, sizeof one);
    cb_nn_profile_attach(&one);
    double t = now();
    cb_status st = cb_model_forward(m, x, batch, &layer, 1, &y);
    times[r] = now() - t;
    cb_nn_profile_attach(NULL);
    if (st != CB_OK) {
      fprintf(stderr, "bench_nn: %s\n", cb_error_message());
      goto done;
    }
    double cs = 0.0, cf = 0.0;
    for (int i = 0; i < one.n; ++i) {
      if (strncmp(one.op[i], "Conv", 4) == 0) cs += one.seconds[i], cf += one.flops[i];
      int k = 0;
      while (k < prof.n && strcmp(prof.op[k], one.op[i]) != 0) ++k;
      if (k == prof.n) {
        if (prof.n == CB_NN_PROFILE_MAX) continue;
        memcpy(prof.op[k], one.op[i], sizeof prof.op[k]);
        ++prof.n;
      }
      prof.seconds[k] += one.seconds[i];
      prof.flops[k] += one.flops[i];
      prof.calls[k] += one.calls[i];
    }
    if (cs > 0 && cf / cs / 1e9 > conv_best) conv_best = cf / cs / 1e9;
    /* paired: the OpenBLAS peak measured right after this run (a shared machine's load changes by the second) */
    const double peak = bench_gemm_peak(2048, 0, 2); /* the first try touches fresh buffers */
    frac[r] = peak > 0 && cs > 0 ? cf / cs / 1e9 / peak : 0.0;
  }
  qsort(frac, (size_t)reps, sizeof *frac, bench_cmp_double);
  qsort(times, (size_t)reps, sizeof *times, bench_cmp_double);
  const double med = times[reps / 2];
  printf("batch_s_median %.4f\n", med);
  printf("images_per_s %.2f\n", batch / med);
  printf("peak_rss_mb %.1f\n", bench_peak_rss_mb());
  double total = 0, conv_s = 0, conv_f = 0;
  for (int i = 0; i < prof.n; ++i) total += prof.seconds[i];
  for (int i = 0; i < prof.n; ++i) {
    printf("op %s %.4f %.1f%% %.1f\n", prof.op[i], prof.seconds[i] / reps, 100.0 * prof.seconds[i] / total,
           prof.seconds[i] > 0 ? prof.flops[i] / prof.seconds[i] / 1e9 : 0.0);
    if (strncmp(prof.op[i], "Conv", 4) == 0) {
      conv_s += prof.seconds[i];
      conv_f += prof.flops[i];
    }
  }
  printf("conv_gflops_mean %.1f\n", conv_s > 0 ? conv_f / conv_s / 1e9 : 0.0);
  printf("conv_gflops %.1f\n", conv_best);
  printf("conv_fraction_paired_median %.3f\n", frac[reps / 2]);
  printf("sgemm_peak_openblas_gflops %.1f\n", bench_gemm_peak(2048, 0, 3));
  printf("sgemm_peak_engine_gflops %.1f\n", bench_gemm_peak(2048, 1, 3));
  f = fopen(argv[5], "wb");
  if (f == NULL || fwrite(y, sizeof *y, out_size * batch, f) != out_size * batch) {
    fprintf(stderr, "bench_nn: cannot write %s\n", argv[5]);
    if (f) fclose(f);
    goto done;
  }
  if (fclose(f) != 0) goto done;
  rc = 0;
done:
  cb_model_destroy(&m);
  free(x);
  free(y);
  free(times);
  free(frac);
  return rc;
}
