/* cb_train.h - reverse-mode differentiation over a finished cb_graph.
 *
 * A cb_train holds what one training step of a graph needs beside the graph
 * itself: a copy of every value the forward pass computes (the planned arena
 * of inference reuses memory, training keeps everything backward reads), the
 * per-node state of the training-mode operators (BatchNormalization's batch
 * statistics, Dropout's mask), one gradient buffer per parameter, and a pool
 * of gradient buffers for the runtime values (each held only between its
 * first consumer's backward and its producer's).
 *
 * Parameters are the float constants that a node reads at a differentiable
 * input (Conv W and B, Gemm B and C, MatMul operands, BatchNormalization scale
 * and bias, Add operands) and that are not marked fixed (cb_graph_mark_fixed).
 * BatchNormalization's running mean and variance are buffers: the training
 * forward updates them (ONNX momentum m: r = m r + (1 - m) s, PyTorch's
 * momentum is 1 - m), backward never writes them.
 *
 * Determinism: the gradients of Conv, Gemm and MatMul are products on the
 * engine's GEMM (cb_sgemm.h, one FMA chain per element in a fixed order);
 * a weight gradient is one chain over the images of the batch in order, then
 * over the output pixels, whatever the thread count. Input gradients of an
 * image depend on that image only (no batch statistics involved). The other
 * reductions (biases, BatchNormalization, broadcast Add) run in double in a
 * fixed order. Same inputs, same parameters and same seed give the same bits.
 *
 *   cb_train_create(g, NULL, &t);                 // g finished, batch = input's first dim
 *   cb_train_forward(t, inputs);                  // training mode: keeps every value
 *   cb_softmax_xent(logits, labels, n, c, &loss, dlogits);   (cb_loss.h)
 *   cb_train_backward(t, 1, &logits_id, (const float *const[]){dlogits});
 *   float *dw = cb_train_grad(t, cb_graph_find(g, "conv1.weight"));
 *
 * The graph stays usable for inference (cb_graph_run) between steps. */
#ifndef CB_TRAIN_H
#define CB_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cb_graph.h"
#include "cb_status.h"

typedef struct cb_train cb_train;

typedef struct cb_train_opts {
  uint64_t seed;   /* Dropout masks: a pure function of (seed, step, node name, element), cb_dropout_mask */
  int input_grads; /* also compute the gradients of the graph inputs */
  int bn_frozen;   /* BatchNormalization with its running statistics (PyTorch eval()), not the batch's */
  int threads;     /* threads of the backward GEMMs; <= 0: cb_sgemm_default_threads() */
  int profile;     /* time every node's forward and backward (cb_train_node_profile) */
} cb_train_opts;

/* Training state for g (finished here if it is not; not owned, must outlive t). opts NULL: all defaults
 * (seed 0, no input gradients, batch statistics, default threads). Fails with CB_ERR_UNSUPPORTED naming
 * the first node whose operator has no backward. */
cb_status cb_train_create(cb_graph *g, const cb_train_opts *opts, cb_train **out);
void cb_train_destroy(cb_train **t);

/* Training-mode forward pass: inputs[i] feeds graph input i (its declared shape, copied). Every node
 * runs; BatchNormalization uses the batch statistics and updates the running ones; Dropout draws its
 * mask for this step (the step counter then advances). */
cb_status cb_train_forward(cb_train *t, const float *const *inputs);
/* Sets the step counter Dropout's masks read (it counts forwards by default): data-parallel training gives each
 * micro-shard its own global number, so a mask never depends on which rank ran the shard. */
void cb_train_set_step(cb_train *t, uint64_t step);
/* Value id as computed by the last forward (runtime values and inputs), or a constant's data; NULL when
 * id is out of range or no forward ran yet. (numel) floats. */
const float *cb_train_value(const cb_train *t, int id);

/* Backward pass of the last forward: the gradient of values ids[k] is seeds[k] (their shape); gradients
 * flow back through every node and are added to the parameters' (and inputs') gradient buffers, which
 * keep accumulating over calls until cb_train_zero_grad. Activation gradients are recomputed each call. */
cb_status cb_train_backward(cb_train *t, int n_seed, const int *ids, const float *const *seeds);
/* Gradient buffer of value id ((numel) floats): parameters, and inputs when input_grads; NULL otherwise. The
 * gradients of runtime values (layers) exist only while cb_train_backward runs: each is taken from a pool when
 * its first consumer adds to it and given back once its producer has read it, so the memory of a step holds the
 * largest set alive at once, not one buffer per layer. */
float *cb_train_grad(cb_train *t, int id);
/* Sets every parameter (and input) gradient to zero. */
void cb_train_zero_grad(cb_train *t);

/* Parameters, in value-id order: count, value id of the i-th, its data (writable, the graph's own
 * constant: an optimiser updates it in place) and element count. */
int cb_train_n_params(const cb_train *t);
int cb_train_param_id(const cb_train *t, int i);
float *cb_train_param_data(cb_train *t, int i, int64_t *numel);

/* Forward, mean softmax cross-entropy of output value logits_id ((batch, classes)) against labels
 * ((batch) class indices), backward from it. *loss receives the mean loss. */
cb_status cb_train_step_xent(cb_train *t, const float *const *inputs, int logits_id, const int *labels,
                             double *loss);

/* Profile of node i (0 <= i < the graph's node count; opts.profile): operator and node name, seconds spent
 * in its forward and backward since create (summed over calls), and the multiply-adds x 2 of its backward
 * GEMMs per call (Conv, Gemm, MatMul: the data and parameter gradients it computes; 0 for other operators).
 * CB_ERR_ARG when i is out of range, the node is folded away, or profiling is off. */
typedef struct cb_train_node_prof {
  const char *op, *name;
  double fwd_s, bwd_s, bwd_flops;
} cb_train_node_prof;
cb_status cb_train_node_profile(const cb_train *t, int i, cb_train_node_prof *out);

#endif
