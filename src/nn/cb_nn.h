/* cb_nn.h - the model stage: a graph engine (cb_graph.h), its zoo and ONNX
 * import (cb_onnx.h).
 *
 * Tensors are float32 NCHW. A model is a graph planned for one image; its
 * layers are the values its nodes compute, in execution order, named by
 * module path (builders) or ONNX node output name. Forward runs the graph
 * once per image, so an image's activations never depend on which other
 * images share its batch (results are the same on any MPI rank count).
 * The caller applies the normalisation in cb_model_info (mean/std on [0,1]
 * pixels) before cb_model_forward: x is the preprocessed input. */
#ifndef CB_NN_H
#define CB_NN_H

#include <stdint.h>

#include "cb_modality.h"
#include "cb_status.h"

typedef struct cb_model_info {
  const char *name;
  int in_c, in_h, in_w;  /* input the model expects, e.g. 3, 64, 64 */
  float mean[3], std[3]; /* per-channel normalisation applied to [0,1] pixels */
  double visual_degrees; /* the model's field of view, e.g. 8 (visual models) */
  cb_modality modality;  /* declared: the stimuli the model takes (every builder declares it; ONNX: visual unless
                            the preprocessing given to cb_model_load_onnx declares otherwise) */
  const char *front_end; /* its input front end by name (src/input/cb_front_end.h), NULL: the modality's default;
                            nn keeps the name and does not interpret it */
} cb_model_info;

typedef struct cb_model cb_model;

/* Zoo names now: "pixels" (one identity layer named "pixels", input 3x32x32)
 * and "tinycnn" (3x64x64 input, seeded He-normal conv weights, zero biases):
 *   features.0 conv 3->16 k5 s2 p2, features.1 relu, features.2 maxpool k2 s2,
 *   features.3 conv 16->32 k3 s1 p1, features.4 relu, features.5 maxpool k2 s2.
 * Unknown name -> CB_ERR_ARG. *out is written only on success. */
cb_status cb_model_create(const char *zoo_name, uint64_t seed, cb_model **out);
void cb_model_destroy(cb_model **m);
const cb_model_info *cb_model_get_info(const cb_model *m);
/* Declares m's input front end by name (NULL or "": its modality's default); nn keeps the name only (checked by
 * src/input/cb_front_end.h where stimuli are loaded). CB_ERR_ARG: NULL model, or a name of 32 characters or more. */
cb_status cb_model_set_front_end(cb_model *m, const char *front_end);
int cb_model_n_layers(const cb_model *m);
/* NULL when i is out of range. */
const char *cb_model_layer_name(const cb_model *m, int i);
/* Per-image output shape of layer i (all 0 when i is out of range). A layer
 * of shape (1, d1, d2, d3, ...) reports (d1, d2, d3*...); (1, f) reports
 * (f, 1, 1); c*h*w is always the per-image feature count. */
void cb_model_layer_shape(const cb_model *m, int i, int *c, int *h, int *w);
/* Index of the layer called `name`, -1 when unknown. */
int cb_model_find_layer(const cb_model *m, const char *name);
/* x: (batch, in_c, in_h, in_w). For each k in 0..n_req-1, out[k] receives
 * (batch, c*h*w) of layer req[k] (C order of (c, h, w)). Runs only up to the
 * deepest requested layer; intermediate buffers are reused. */
cb_status cb_model_forward(cb_model *m, const float *x, int batch, const int *req, int n_req,
                           float *const *out);
/* FNV-1a (64-bit) over every layer's kind, shape and weight bytes, in
 * order: a key for caches of activations. */
uint64_t cb_model_weights_hash(const cb_model *m);
/* Loads an ONNX model (see cb_onnx.h) as a model for one image per run: its
 * single float32 input must be (N, C, H, W) with N symbolic or 1; symbolic H
 * and W take preprocessing->in_h/in_w. preprocessing gives mean, std,
 * visual_degrees (checked positive for visual models), the modality and
 * front end (unset: visual, the image front end) and (when > 0) the input
 * size; NULL: mean 0, std 1, 8 degrees, visual. The model is called after
 * the file's base name without ".onnx". */
cb_status cb_model_load_onnx(const char *path, const cb_model_info *preprocessing, cb_model **out);
/* Untrained twin: re-draws every parameter of m in place with the
 * initialisation `scheme` (NULL = "pytorch"), so that a trained network gets
 * a control with the same layers, layer names and shapes. Works on ONNX
 * models (cb_model_load_onnx) and zoo models alike. Errors, with m unchanged:
 *   CB_ERR_ARG          NULL model, or unknown scheme: "model 'm': reinit scheme 'x'
 *                       unknown (accepted: pytorch, kaiming-normal-fan-out)"
 *   CB_ERR_UNSUPPORTED  no parameter found: "model 'm': no learned parameters to
 *                       re-draw (...)" (pixels, the fixed filter banks v1like, hmax,
 *                       stm-baseline and the synthetic-*-truth generators)
 *   CB_ERR_NOMEM
 *
 * Parameters are the float constants (ONNX initializers) that these
 * operators read; fan_in / fan_out are computed from the weight as torch
 * does (size(1) * prod(kernel), size(0) * prod(kernel)):
 *   Conv                weight (out, in/groups, k...): fan_in = in/groups * kh * kw; bias = input C, or
 *                       the (C, 1, 1) / (1, C, 1, 1) constant of an Add right after a Conv without C
 *   Gemm (runtime A)    weight B: (out, in) with transB = 1, (in, out) with transB = 0; fan_in = in;
 *                       bias = input C, or an Add of an (out) / (1, out) constant right after it
 *   MatMul (runtime A)  weight B (in, out) (nn.Linear exported as MatMul + Add); fan_in = in;
 *                       bias = an Add of an (out) / (1, out) constant right after it
 *   BatchNormalization  scale, bias, mean, var
 *   PRelu               slope
 * Everything else (Reshape targets, Pad amounts, Constant nodes, Mul/Add
 * constants that are not such biases, LRN, ...) is left as it is. A weight
 * that the loader folded from an initializer through layout-only ops
 * (Identity, Dropout, Reshape, Flatten, Squeeze, Unsqueeze, Transpose) is
 * drawn in that initializer and re-folded; a weight folded otherwise (e.g.
 * Mul of two initializers) is drawn itself. Shared weights are drawn once,
 * for the first operator (in graph order) that reads them. Constants
 * declared fixed (cb_graph_mark_fixed: the zoo's adaptive-pooling matrix,
 * every constant of the zoo models without learned weights) are never
 * drawn. A float constant of more than 64 values that a running operator
 * reads but reinit leaves (an operator it does not know, e.g. MatMul with
 * the constant first) is reported with a warning on rank 0 naming it.
 *
 * Schemes (bound = 1/sqrt(fan_in)):
 *   "pytorch" (torch.nn reset_parameters(), PyTorch 1.13):
 *       Conv and Linear weight U(-bound, bound) (kaiming_uniform_, a = sqrt(5): std = 1/sqrt(3 fan_in)),
 *       their bias U(-bound, bound); BatchNorm scale 1, bias 0, running mean 0, running var 1;
 *       PReLU slope 0.25.
 *   "kaiming-normal-fan-out" (torchvision ResNet / VGG __init__):
 *       Conv weight N(0, sqrt(2/fan_out)) (fan_out = out * kh * kw), Conv bias 0; Linear weight
 *       N(0, 0.01), bias 0 (VGG; torchvision's ResNet keeps its fc at the "pytorch" default);
 *       BatchNorm 1, 0, 0, 1; PReLU 0.25.
 * Every parameter draws from its own stream (seed, FNV-1a of its ONNX
 * initializer name) like the zoo builders: the result depends only on the
 * scheme, seed and names (not on graph order); same seed, same bits.
 * Values differ from torch's own draws (its RNG stream is not reproduced);
 * the distributions match (tests/reference/make_reinit_goldens.py).
 *
 * Call it right after opening the model and before cb_model_weights_hash
 * (cache keys) and the first cb_model_forward that should see the new
 * weights; the graph reads weights in place (no pre-packing), so calling it
 * later is also correct. cb_model_weights_hash changes with the weights. */
cb_status cb_model_reinit(cb_model *m, const char *scheme, uint64_t seed);
/* Names of the reinit schemes, "pytorch" first (NULL-terminated static list). */
const char *const *cb_model_reinit_schemes(void);
/* The model's graph (read only use: names, shapes). */
const struct cb_graph *cb_model_graph(const cb_model *m);
/* Names of all zoo models (NULL-terminated static list). */
const char *const *cb_zoo_names(void);

#endif
