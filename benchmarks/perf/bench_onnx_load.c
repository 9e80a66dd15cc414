/* bench_onnx_load.c - time to load an ONNX model (cb_model_load_onnx: parse,
 * import, shape inference, folding, memory planning), the step that must stay
 * linear in the number of nodes. onnx_load_scaling.sh drives it.
 * usage: bench_onnx_load MODEL.onnx [REPEATS]   (prints the median seconds and the layer count) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cb_nn.h"
#include "cb_timer.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_onnx_load MODEL.onnx [REPEATS]\n");
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  if (reps < 1 || reps > 101) reps = 5;
  double t[101];
  int layers = 0;
  for (int r = 0; r < reps; ++r) {
    cb_model *m = NULL;
    double t0 = cb_now();
    if (cb_model_load_onnx(argv[1], NULL, &m) != CB_OK) {
      fprintf(stderr, "bench_onnx_load: %s\n", cb_error_message());
      return 1;
    }
    t[r] = cb_now() - t0;
    layers = cb_model_n_layers(m);
    cb_model_destroy(&m);
  }
  qsort(t, (size_t)reps, sizeof t[0], cmp);
  printf("%.4f %d\n", t[reps / 2], layers);
  return 0;
}
