/* cb_graph_impl.h - internal: the graph struct, values, nodes and the
 * operator table shared by the graph, the planner, the executor and the
 * per-kind operator files (cb_op_*.c). Not public. */
#ifndef CB_GRAPH_IMPL_H
#define CB_GRAPH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cb_graph.h"
#include "cb_nn_ops.h"
#include "cb_strmap.h"

#define CB__MAXD CB_GRAPH_MAX_DIMS

typedef enum cb__value_kind { CB__V_INPUT = 0, CB__V_CONST, CB__V_RUNTIME } cb__value_kind;

/* Every value's shape has passed cb_shape_numel (at most CB_TENSOR_MAX_NUMEL
 * elements, no negative dimension): products of its dimensions, byte sizes
 * and int casts of single dimensions cannot overflow. */
typedef struct cb__value {
  char *name;
  cb_dtype dtype;
  int ndim;
  int64_t shape[CB__MAXD]; /* (ndim) */
  cb__value_kind kind;
  void *cdata;   /* (numel) constant data, owned (CB__V_CONST) */
  void *data;    /* where the data is during a run: cdata, the caller's input or the arena */
  int producer;  /* node index, -1 for inputs and constants */
  int last_use;  /* last node reading it, -1 when none */
  int is_output; /* graph output: lives until the end of a run */
  int fixed;     /* a constant of the architecture, not a learned parameter (cb_graph_mark_fixed) */
  size_t offset; /* bytes into the arena (runtime values) */
} cb__value;

/* Operator parameters, parsed from attributes (and constant inputs) by the
 * op's prepare function. One struct per operator family. */
typedef struct cb__window {
  int nsp;             /* spatial dims: 1 or 2 (1-D runs as H = 1) */
  cb_conv2d_geom geom; /* per-image geometry; in_c/out_c filled at prepare */
} cb__window;

typedef struct cb__params {
  cb__window win;
  int64_t axis;
  int64_t ints[2 * CB__MAXD];  /* perm, pads, axes, ... op-specific */
  int64_t ints2[CB__MAXD];     /* slice ends, ... */
  int64_t ints3[CB__MAXD];     /* slice steps, ... */
  float f[4];                  /* alpha, beta, bias, eps, ... */
  int mode;                    /* op-specific selector */
  int trans_a, trans_b;
} cb__params;

typedef struct cb__node cb__node;
typedef struct cb__op cb__op;

struct cb__node {
  char *name;
  const cb__op *op;
  int n_in, n_out;
  int *in;      /* (n_in) value ids, -1 = absent optional input */
  int *out;     /* (n_out) value ids */
  int n_attr;
  cb_attr *attr; /* (n_attr) */
  int folded;   /* evaluated once at build time (all inputs constant) */
  size_t work;  /* floats of shared workspace run needs */
  cb__params p;
};

/* prepare: parses attributes into n->p, checks inputs (count, dtype, shape)
 * and sets the outputs' dtype, ndim and shape (and n->work).
 * run: computes the outputs from the inputs' data (shapes already checked). */
struct cb__op {
  const char *name;
  cb_status (*prepare)(cb_graph *g, cb__node *n);
  void (*run)(cb_graph *g, const cb__node *n, float *work);
  int shape_only; /* output depends on input shapes only (Shape, Size): always folded */
};

struct cb_graph {
  int opset;
  int n_values, cap_values;
  cb__value *values; /* (cap_values) */
  int n_nodes, cap_nodes;
  cb__node *nodes;   /* (cap_nodes) */
  int n_inputs, n_outputs, cap_io;
  int *inputs;       /* (cap_io) value ids */
  int *outputs;      /* (cap_io) value ids */
  cb_strmap names;   /* value name -> id (keys are the values' own names) */
  int finished;
  size_t arena_bytes;
  void *arena;       /* (arena_bytes) runtime values, planned */
  size_t work_floats;
  float *work;       /* (work_floats) shared im2col / scratch */
  char *needed;      /* (n_nodes) scratch for cb_graph_run */
  /* Kept between batched runs (fresh buffers cost a page fault per 4 KiB on every run), grown on demand: */
  char *batch_arena;        /* (batch_arena_bytes) arena copies of images 1.. of a group */
  size_t batch_arena_bytes;
};

/* Operator lookup by ONNX name; NULL when unsupported. */
const cb__op *cb__op_find(const char *name);

/* Helpers for operator files. */
static inline cb__value *cb__in(cb_graph *g, const cb__node *n, int k) {
  return k < n->n_in && n->in[k] >= 0 ? &g->values[n->in[k]] : NULL;
}
static inline cb__value *cb__out(cb_graph *g, const cb__node *n, int k) { return &g->values[n->out[k]]; }
int64_t cb__numel(const cb__value *v);
size_t cb__dtype_size(cb_dtype dt);
/* Attribute lookup: NULL when absent. */
const cb_attr *cb__attr(const cb__node *n, const char *name);
int64_t cb__attr_int(const cb__node *n, const char *name, int64_t dflt);
float cb__attr_float(const cb__node *n, const char *name, float dflt);
/* Fails with "node 'x' (op Y): attribute 'a' ..." unless every attribute of
 * n is in the NULL-terminated list `known`. */
cb_status cb__attrs_known(const cb__node *n, const char *const *known);
/* Error naming the node and op: CB__NODE_ERROR(st, n, "attribute 'x': ...") */
#define CB__NODE_ERROR(st, n, ...) cb__node_error((st), __FILE__, __LINE__, (n), __VA_ARGS__)
cb_status cb__node_error(cb_status st, const char *file, int line, const cb__node *n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Checks the input count (min..max, counting absent trailing ones) and that
 * required inputs are float32 unless listed in `int_ok` (bit k: input k may be int64). */
cb_status cb__check_inputs(cb_graph *g, const cb__node *n, int min, int max, unsigned int_ok);
/* Sets output k's dtype and shape. */
void cb__set_out(cb_graph *g, const cb__node *n, int k, cb_dtype dt, int ndim, const int64_t *shape);
/* float -> int64 without undefined behaviour: truncated toward zero,
 * saturated at the int64 range, NaN -> 0. */
static inline int64_t cb__f2i64(float f) {
  if (f != f) return 0;
  if (f >= 9.2233720368547758e18f) return INT64_MAX;
  if (f <= -9.2233720368547758e18f) return INT64_MIN;
  return (int64_t)f;
}
/* Reads a constant int64 (or float) input into v (up to max values);
 * fails naming the node when the input is not a constant. */
cb_status cb__const_ints(cb_graph *g, const cb__node *n, int k, int max, int64_t *v, int *count);
/* Normalises a possibly negative axis into [0, ndim); fails naming the node. */
cb_status cb__axis(const cb__node *n, int64_t axis, int ndim, int64_t *out);
/* Shape printed as "[1, 3, 32, 32]" into buf. */
const char *cb__shape_str(const cb__value *v, char *buf, size_t n);

/* MatMul's batch: the leading dims of a and b (all but the last two) broadcast as numpy does. */
typedef struct cb__mm_batch {
  int nb;                    /* batch dims */
  int64_t total;             /* matrix products: the product of shape */
  int64_t shape[CB__MAXD];   /* (nb) broadcast batch shape */
  int64_t astr[CB__MAXD];    /* (nb) a's stride in matrices per batch dim, 0 where a broadcasts */
  int64_t bstr[CB__MAXD];    /* (nb) b's, likewise */
} cb__mm_batch;
void cb__mm_batch_init(const cb__value *a, const cb__value *b, cb__mm_batch *mb);
/* The matrices of a and b (in matrices from their starts) that product q (row-major over shape) multiplies. */
void cb__mm_batch_offsets(const cb__mm_batch *mb, int64_t q, int64_t *oa, int64_t *ob);

/* Operators, one file per family. */
extern const cb__op cb__op_conv;                                     /* cb_op_conv.c */
extern const cb__op cb__op_maxpool, cb__op_avgpool, cb__op_gavgpool, cb__op_gmaxpool; /* cb_op_pool.c */
extern const cb__op cb__op_gemm, cb__op_matmul;                      /* cb_op_gemm.c */
extern const cb__op cb__op_batchnorm, cb__op_lrn, cb__op_softmax, cb__op_logsoftmax; /* cb_op_norm.c */
extern const cb__op cb__unary_ops[];                                 /* cb_op_unary.c, name NULL ends */
extern const cb__op cb__binary_ops[];                                /* cb_op_binary.c */
extern const cb__op cb__shape_ops[];                                 /* cb_op_shape.c */

#endif
