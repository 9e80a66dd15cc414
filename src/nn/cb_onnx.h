/* cb_onnx.h - ONNX import: a .onnx file (protobuf, parsed with the protoc-c
 * code generated at build time from the system onnx.proto) becomes a
 * cb_graph; TensorProto files (.pb) become float arrays.
 *
 * Supported: opsets 7-17 of the default domain, float32 inputs and outputs,
 * initializers in raw_data or typed fields (float32, int64, int32), the ops
 * of cb_onnx_op_supported. Rejected with one line naming the file, node, op
 * and attribute: malformed or truncated files, external data, unsupported
 * operators, attributes or attribute values, dangling inputs, shape
 * mismatches, negative dimensions, tensors (declared or inferred) of more
 * than CB_TENSOR_MAX_NUMEL elements (cb_tensor.h), data whose length does
 * not match its shape, and messages nested deeper than CB_ONNX_MAX_NESTING
 * (checked on the wire bytes before protobuf-c, which recurses, sees them).
 * Loading is linear in the number of nodes and values. */
#ifndef CB_ONNX_H
#define CB_ONNX_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_status.h"

/* Deepest protobuf message nesting accepted (the ModelProto is level 1; a
 * plain model needs about 7, each level of If/Loop subgraph 3 more): the
 * default recursion limit of Google's own protobuf parsers. */
#define CB_ONNX_MAX_NESTING 100
/* Most attributes on one node (ONNX operators have at most about 10). */
#define CB_ONNX_MAX_ATTRS 256

typedef struct cb_onnx_options {
  int sym_dim;                        /* value of symbolic/unknown dimensions (default 1 when 0) */
  int ndim;                           /* > 0: shape of the first graph input, replacing its declared one */
  int64_t shape[CB_GRAPH_MAX_DIMS];   /* (ndim) a value <= 0 keeps the declared dimension */
} cb_onnx_options;

/* Loads and finishes a graph (opt may be NULL). Graph inputs are the ONNX
 * inputs that are not initializers; graph outputs the ONNX outputs. */
cb_status cb_onnx_load_graph(const char *path, const cb_onnx_options *opt, cb_graph **out);

/* 1 when the importer handles ONNX operator `op` (including Constant). */
int cb_onnx_op_supported(const char *op);

#define CB_ONNX_MAX_OPS 64
/* What a model uses, for selecting test cases without loading them. */
typedef struct cb_onnx_summary {
  int opset;       /* default-domain opset, 0 when absent */
  int float_io;    /* 1 when every graph input and output is float32 */
  int n_ops;       /* distinct op types (at most CB_ONNX_MAX_OPS) */
  char ops[CB_ONNX_MAX_OPS][48];
} cb_onnx_summary;
cb_status cb_onnx_summarize(const char *path, cb_onnx_summary *out);

/* A TensorProto read from a .pb file, converted to float32. */
typedef struct cb_onnx_tensor {
  char name[128];
  int dtype; /* ONNX data type of the file */
  int ndim;
  int64_t shape[CB_GRAPH_MAX_DIMS];
  int64_t numel;
  float *data; /* (numel), owned */
} cb_onnx_tensor;
cb_status cb_onnx_read_tensor(const char *path, cb_onnx_tensor **out);
void cb_onnx_tensor_destroy(cb_onnx_tensor **t);

/* ONNX export of a finished graph (training checkpoints): the running nodes with their attributes, the
 * constants they read as initializers (raw data: the exact bits), the inputs and the outputs (the marked
 * outputs, else the last running node's) with their shapes; IR 8, the graph's opset. Folded nodes are not
 * written (their results are initializers). Written atomically (cb_file_write_atomic). o may be NULL. */
typedef struct cb_onnx_write_opts {
  const char *batch_param; /* not NULL: dimension 0 of inputs and outputs is this symbolic name (e.g. "N") */
  const char *graph_name;  /* NULL: "cortexbench" */
} cb_onnx_write_opts;
cb_status cb_onnx_write_graph(const cb_graph *g, const char *path, const cb_onnx_write_opts *o);

#endif
