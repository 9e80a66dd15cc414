/* bench_train.c - times training steps (forward + backward + SGD update) of an ONNX model on one batch, with a
 * per-operator profile; train_vs_torch.py runs it and PyTorch on the same weights, batch and labels.
 *
 * usage: bench_train MODEL.onnx INPUT.bin LABELS.bin BATCH STEPS LR MOMENTUM WEIGHT_DECAY
 *   INPUT.bin: float32 (BATCH, C, H, W); LABELS.bin: int32 (BATCH) class indices.
 * Each step: training-mode forward (BatchNormalization on batch statistics), mean softmax cross-entropy, backward,
 * SGD (torch.optim.SGD's rule). After STEPS updates one more forward gives loss_after. Prints "key value" lines
 * (seconds): "step I LOSS SECONDS FORWARD BACKWARD UPDATE" per step, loss_after, the medians over steps 2..STEPS
 * (step 1 touches fresh memory), the backward's GEMM GFLOP/s (GEMM work of Conv/Gemm/MatMul over the whole
 * backward's time, and over the time of those nodes only), the peak resident memory, the sgemm peaks of
 * OpenBLAS and the engine's GEMM (2048^3, best of 3), and "op NAME NODES FORWARD BACKWARD GFLOPS" per operator
 * (seconds per call, averaged over all calls, the first included: STEPS + 1 forwards, STEPS backwards). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph.h"
#include "cb_train_ops.h"
#include "cb_onnx.h"
#include "cb_optim.h"
#include "cb_sgemm.h"
#include "cb_timer.h"
#include "cb_train.h"

#include "bench_util.h"

static int read_file(const char *path, void *buf, size_t bytes) {
  FILE *f = fopen(path, "rb");
  size_t got = f ? fread(buf, 1, bytes, f) : 0;
  int extra = f ? fgetc(f) : EOF;
  if (f) fclose(f);
  if (got != bytes || extra != EOF) {
    fprintf(stderr, "bench_train: %s: expected %zu bytes\n", path, bytes);
    return -1;
  }
  return 0;
}

typedef struct op_sum {
  const char *op;
  int nodes;
  double fwd, bwd, flops;
} op_sum;

/* Per-operator sums of the profile; also the GEMM work of one backward and the time of its GEMM nodes. */
static void profile(const cb_train *t, const cb_graph *g, int fwds, int steps, double *flops, double *gemm_s) {
  op_sum ops[64];
  int n_ops = 0;
  *flops = *gemm_s = 0.0;
  for (int i = 0; i < cb_graph_n_nodes(g); ++i) {
    cb_train_node_prof p;
    if (cb_train_node_profile(t, i, &p) != CB_OK) continue;
    int k = 0;
    while (k < n_ops && strcmp(ops[k].op, p.op) != 0) ++k;
    if (k == n_ops) {
      if (n_ops == 64) continue;
      ops[n_ops++] = (op_sum){.op = p.op};
    }
    ops[k].nodes += 1, ops[k].fwd += p.fwd_s, ops[k].bwd += p.bwd_s, ops[k].flops += p.bwd_flops * steps;
    *flops += p.bwd_flops;
    if (p.bwd_flops > 0) *gemm_s += p.bwd_s / steps;
  }
  for (int k = 0; k < n_ops; ++k)
    printf("op %s %d %.4f %.4f %.1f\n", ops[k].op, ops[k].nodes, ops[k].fwd / fwds, ops[k].bwd / steps,
           ops[k].bwd > 0 ? ops[k].flops / ops[k].bwd / 1e9 : 0.0);
}

/* One step; times[0..2] = forward, backward, update seconds. */
static cb_status step(cb_train *t, cb_optim *o, const float *x, const int *labels, int logits, int n, int c,
                      float *dz, double lr, double *loss, double *times) {
  double t0 = cb_now();
  CB_CHECK(cb_train_forward(t, (const float *const[]){x}));
  CB_CHECK(cb_softmax_xent(cb_train_value(t, logits), labels, n, c, loss, dz));
  double t1 = cb_now();
  cb_train_zero_grad(t);
  CB_CHECK(cb_train_backward(t, 1, &logits, (const float *const[]){dz}));
  double t2 = cb_now();
  CB_CHECK(cb_optim_step_train(o, t, lr));
  double t3 = cb_now();
  times[0] = t1 - t0, times[1] = t2 - t1, times[2] = t3 - t2;
  return CB_OK;
}

static int run(cb_graph *g, const float *x, const int *labels, int batch, int steps, const double *hyper) {
  cb_train *t = NULL;
  cb_optim *o = NULL;
  float *dz = NULL;
  double *tot = calloc((size_t)steps, sizeof *tot), *fwd = calloc((size_t)steps, sizeof *fwd),
         *bwd = calloc((size_t)steps, sizeof *bwd), loss = 0.0;
  int rc = 1;
  cb_status st = cb_train_create(g, &(cb_train_opts){.profile = 1}, &t);
  if (st == CB_OK)
    st = cb_optim_create_train(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .momentum = (float)hyper[1],
                                                .weight_decay = (float)hyper[2]}, t, &o);
  const int logits = cb_graph_output_id(g, 0);
  int64_t shape[8];
  const int nd = cb_graph_value_shape(g, logits, shape), c = nd == 2 ? (int)shape[1] : 0;
  if (st == CB_OK && (nd != 2 || shape[0] != batch)) st = CB_ERROR(CB_ERR_ARG, "output is not (batch, classes)");
  if (st == CB_OK && (dz = malloc(sizeof *dz * (size_t)batch * (size_t)c)) == NULL) st = CB_ERROR(CB_ERR_NOMEM, "dz");
  for (int s = 0; st == CB_OK && s < steps; ++s) {
    double tm[3] = {0, 0, 0};
    st = step(t, o, x, labels, logits, batch, c, dz, hyper[0], &loss, tm);
    tot[s] = tm[0] + tm[1] + tm[2], fwd[s] = tm[0], bwd[s] = tm[1];
    if (st == CB_OK) printf("step %d %.9g %.4f %.4f %.4f %.4f\n", s + 1, loss, tot[s], tm[0], tm[1], tm[2]);
  }
  if (st == CB_OK) st = cb_train_forward(t, (const float *const[]){x});
  if (st == CB_OK) st = cb_softmax_xent(cb_train_value(t, logits), labels, batch, c, &loss, dz);
  if (st != CB_OK) {
    fprintf(stderr, "bench_train: %s\n", cb_error_message());
    goto done;
  }
  printf("loss_after %.9g\n", loss);
  double flops, gemm_s;
  profile(t, g, steps + 1, steps, &flops, &gemm_s); /* steps + 1 forwards (loss_after), steps backwards */
  const int m = steps > 1 ? steps - 1 : 1, off = steps > 1 ? 1 : 0;
  const double step_s = bench_median(tot + off, m), bwd_s = bench_median(bwd + off, m);
  printf("step_s %.4f\nforward_s %.4f\nbackward_s %.4f\n", step_s, bench_median(fwd + off, m), bwd_s);
  printf("images_per_s %.2f\n", batch / step_s);
  printf("backward_gemm_gflop %.2f\nbackward_gflops %.1f\nbackward_gemm_nodes_gflops %.1f\n", flops / 1e9,
         flops / bwd_s / 1e9, gemm_s > 0 ? flops / gemm_s / 1e9 : 0.0);
  printf("peak_rss_mb %.1f\n", bench_peak_rss_mb());
  printf("sgemm_peak_openblas_gflops %.1f\n", bench_gemm_peak(2048, 0, 3));
  printf("sgemm_peak_engine_gflops %.1f\n", bench_gemm_peak(2048, 1, 3));
  rc = 0;
done:
  cb_optim_destroy(&o);
  cb_train_destroy(&t);
  free(dz), free(tot), free(fwd), free(bwd);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: bench_train MODEL.onnx INPUT.bin LABELS.bin BATCH STEPS LR MOMENTUM WEIGHT_DECAY\n");
    return 2;
  }
  const int batch = atoi(argv[4]), steps = atoi(argv[5]);
  const double hyper[3] = {atof(argv[6]), atof(argv[7]), atof(argv[8])};
  if (batch <= 0 || steps <= 0 || steps > 1000) {
    fprintf(stderr, "bench_train: bad BATCH or STEPS\n");
    return 2;
  }
  cb_graph *g = NULL;
  double t_load = cb_now();
  const cb_onnx_options opt = {.ndim = 4, .shape = {batch, 0, 0, 0}};
  if (cb_onnx_load_graph(argv[1], &opt, &g) != CB_OK || cb_graph_finish(g) != CB_OK) {
    fprintf(stderr, "bench_train: %s\n", cb_error_message());
    cb_graph_destroy(&g);
    return 1;
  }
  printf("load_s %.3f\n", cb_now() - t_load);
  printf("inference_arena_mb %.1f\n", (double)(cb_graph_arena_bytes(g) + cb_graph_work_bytes(g)) / 1048576.0);
  printf("openblas_core %s\nopenblas_threads %d\nengine_gemm %s\n", openblas_get_corename(),
         openblas_get_num_threads(), cb_sgemm_kernel());
  int64_t shape[8];
  cb_graph_value_shape(g, cb_graph_input_id(g, 0), shape);
  const size_t img = (size_t)(shape[1] * shape[2] * shape[3]);
  float *x = malloc(sizeof *x * img * (size_t)batch);
  int *labels = malloc(sizeof *labels * (size_t)batch), rc = 1;
  if (x && labels && read_file(argv[2], x, sizeof *x * img * (size_t)batch) == 0 &&
      read_file(argv[3], labels, sizeof *labels * (size_t)batch) == 0)
    rc = run(g, x, labels, batch, steps, hyper);
  free(x), free(labels);
  cb_graph_destroy(&g);
  return rc;
}
