/* cb_graph.h - the compute graph behind every model: named values (inputs,
 * constants, node outputs) and nodes (ONNX operators), built with this API
 * by the zoo builders or by the ONNX importer, then finished once
 * (shape inference, constant folding, memory planning) and run many times.
 *
 * Values are float32 tensors of up to CB_GRAPH_MAX_DIMS dimensions (int64
 * tensors exist only as constants: shapes, axes, indices, folded at finish).
 * Every node output is addressable by name: these are the "layers" users
 * score. Ops follow the ONNX operator semantics (opsets 7-17); attributes use
 * the ONNX names.
 *
 * Building a graph (darknet-like convenience helpers, names are module paths):
 *   int x, y;
 *   cb_graph_create(&g);
 *   cb_graph_input(g, "input", 4, (int64_t[]){1, 3, 64, 64}, &x);
 *   cb_graph_add_conv(g, "features.0", x, 16, 5, 2, 2, 1, NULL, NULL, &y);
 *   cb_graph_add_relu(g, "features.1", y, &y);
 *   cb_graph_finish(g);
 * Weights passed as NULL start at zero; cb_graph_param gives a writable
 * pointer to them until cb_graph_finish. */
#ifndef CB_GRAPH_H
#define CB_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

#define CB_GRAPH_MAX_DIMS 8
#define CB_ATTR_MAX 16 /* values in a list attribute */

typedef enum cb_dtype { CB_DT_FLOAT = 1, CB_DT_INT64 = 7 } cb_dtype; /* ONNX TensorProto codes */

typedef enum cb_attr_type {
  CB_ATTR_INT = 1,
  CB_ATTR_FLOAT,
  CB_ATTR_STRING,
  CB_ATTR_INTS,
  CB_ATTR_FLOATS,
  CB_ATTR_SCALAR_TENSOR /* a one-element tensor (ConstantOfShape value): dtype + i[0] or f[0] */
} cb_attr_type;

/* One ONNX attribute, by value. */
typedef struct cb_attr {
  char name[32];
  cb_attr_type type;
  int n;                 /* values in i[] or f[] (1 for scalars) */
  int64_t i[CB_ATTR_MAX]; /* (n) INT, INTS, SCALAR_TENSOR of int64 */
  float f[CB_ATTR_MAX];   /* (n) FLOAT, FLOATS, SCALAR_TENSOR of float */
  cb_dtype dtype;         /* SCALAR_TENSOR only */
  char s[32];             /* STRING */
} cb_attr;

/* Attribute constructors for builders. */
cb_attr cb_attr_int(const char *name, int64_t v);
cb_attr cb_attr_float(const char *name, float v);
cb_attr cb_attr_ints(const char *name, int n, const int64_t *v);
cb_attr cb_attr_string(const char *name, const char *v);

typedef struct cb_graph cb_graph;

cb_status cb_graph_create(cb_graph **out);
void cb_graph_destroy(cb_graph **g);
/* ONNX opset the node semantics follow (default 17). */
void cb_graph_set_opset(cb_graph *g, int opset);

/* A float32 input fed at run time. *id receives its value id. */
cb_status cb_graph_input(cb_graph *g, const char *name, int ndim, const int64_t *shape, int *id);
/* A constant (data copied; NULL data = zeros). */
cb_status cb_graph_const(cb_graph *g, const char *name, cb_dtype dt, int ndim, const int64_t *shape,
                         const void *data, int *id);
/* A node of ONNX operator `op`. in[k] = -1 marks an absent optional input.
 * out_names (n_out names) become the output value names; out_ids (n_out)
 * receives their ids (may be NULL). Output shapes are inferred at once, so
 * a shape mismatch is reported here, naming the node, op and attribute. */
cb_status cb_graph_node(cb_graph *g, const char *name, const char *op, int n_attr, const cb_attr *attr, int n_in,
                        const int *in, int n_out, const char *const *out_names, int *out_ids);
/* Marks a value as a graph output (kept until the end of cb_graph_run). */
cb_status cb_graph_mark_output(cb_graph *g, int id);
/* Declares constant id part of the architecture, not a learned parameter
 * (e.g. the averaging matrix of an adaptive pooling, a fixed filter bank):
 * cb_graph_reinit leaves it, whatever operator reads it. */
cb_status cb_graph_mark_fixed(cb_graph *g, int id);

/* Convenience builders; the output value (and node) is called `name`,
 * parameters "<name>.weight", "<name>.bias" (PyTorch module paths).
 * Weights (out_c, in_c/groups, k, k), bias (out_c); NULL = zeros. */
cb_status cb_graph_add_conv(cb_graph *g, const char *name, int x, int out_c, int k, int stride, int pad, int groups,
                            const float *w, const float *b, int *y);
cb_status cb_graph_add_relu(cb_graph *g, const char *name, int x, int *y);
/* PyTorch MaxPool2d / AvgPool2d (count_include_pad as PyTorch's default 1). */
cb_status cb_graph_add_maxpool(cb_graph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode,
                               int *y);
cb_status cb_graph_add_avgpool(cb_graph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode,
                               int *y);
cb_status cb_graph_add_global_avgpool(cb_graph *g, const char *name, int x, int *y);
/* y = x W^T + b, W (out_f, in_f) like nn.Linear; x (N, in_f). */
cb_status cb_graph_add_linear(cb_graph *g, const char *name, int x, int out_f, const float *w, const float *b,
                              int *y);
/* (N, ...) -> (N, prod(...)) */
cb_status cb_graph_add_flatten(cb_graph *g, const char *name, int x, int *y);
/* Inference BatchNormalization with PyTorch's parameter names
 * (weight, bias, running_mean, running_var); NULL = 1, 0, 0, 1. */
cb_status cb_graph_add_batchnorm(cb_graph *g, const char *name, int x, float eps, const float *scale,
                                 const float *shift, const float *mean, const float *var, int *y);
cb_status cb_graph_add_lrn(cb_graph *g, const char *name, int x, int size, float alpha, float beta, float bias,
                           int *y);
cb_status cb_graph_add_binary(cb_graph *g, const char *name, const char *op, int a, int b, int *y);
cb_status cb_graph_add_concat(cb_graph *g, const char *name, int n, const int *xs, int axis, int *y);
cb_status cb_graph_add_unary(cb_graph *g, const char *name, const char *op, int x, int *y);
/* Writable float data of a constant (e.g. "features.0.weight") until
 * cb_graph_finish: for seeded initialisations. n receives its element count. */
cb_status cb_graph_param(cb_graph *g, const char *name, float **data, int64_t *n);

/* Shape inference is done; folds constants, plans memory. Idempotent. */
cb_status cb_graph_finish(cb_graph *g);

int cb_graph_n_values(const cb_graph *g);
/* Nodes of the graph (folded ones included), indexed from 0 in execution order. */
int cb_graph_n_nodes(const cb_graph *g);
int cb_graph_find(const cb_graph *g, const char *name);
const char *cb_graph_value_name(const cb_graph *g, int id);
/* ndim and shape (CB_GRAPH_MAX_DIMS) of value id; -1 when out of range. */
int cb_graph_value_shape(const cb_graph *g, int id, int64_t *shape);
/* 1 when value id is computed by a node at run time (a "layer"). */
int cb_graph_value_is_layer(const cb_graph *g, int id);
cb_dtype cb_graph_value_dtype(const cb_graph *g, int id);
int cb_graph_n_inputs(const cb_graph *g);
int cb_graph_input_id(const cb_graph *g, int i);
int cb_graph_n_outputs(const cb_graph *g);
int cb_graph_output_id(const cb_graph *g, int i);
/* Bytes of the planned activation arena and of the operators' shared workspace (0 when none needs one:
 * convolutions pack their im2col blocks from the input). */
size_t cb_graph_arena_bytes(const cb_graph *g);
size_t cb_graph_work_bytes(const cb_graph *g);
/* FNV-1a over ops, attributes, shapes and constant bytes. */
uint64_t cb_graph_hash(const cb_graph *g);

/* cb_model_reinit (cb_nn.h) on a graph, finished or not (a graph without
 * parameters is left as it is, CB_OK). report may be NULL. */
typedef struct cb_reinit_report {
  int n_params;            /* parameter tensors set */
  int64_t n_values;        /* their elements */
  int n_untouched;         /* float constants of > 64 values that a running operator reads, not fixed,
                              left as they were (weights of operators reinit does not know) */
  int64_t untouched_numel; /* the largest of them: elements and name ("" when none) */
  char untouched[128];
} cb_reinit_report;
cb_status cb_graph_reinit(cb_graph *g, const char *scheme, uint64_t seed, cb_reinit_report *report);

/* Runs the graph once: inputs[i] feeds input i (its declared shape, float32).
 * Only the nodes that the requested values depend on run; out[k] receives
 * value req[k] (float32 as such; int64 constants converted to float),
 * copied as soon as it is computed. */
cb_status cb_graph_run(cb_graph *g, const float *const *inputs, int n_req, const int *req, float *const *out);

#endif
