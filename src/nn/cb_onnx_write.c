/* cb_onnx_write.c - ONNX export of a finished graph (checkpoints of training): the nodes that run (not the
 * folded ones), the constants they read as initializers (raw little-endian data, bit-exact), the inputs and
 * outputs with their shapes. Built with the protoc-c message types of the importer, packed, written atomically. */
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_graph_impl.h"
#include "cb_onnx.h"
#include "onnx.pb-c.h"

/* Every allocation of one export, freed together. */
typedef struct pool {
  void **p; /* (n) */
  size_t n, cap;
  int failed;
} pool;

static void *palloc(pool *P, size_t count, size_t size) {
  if (P->failed) return NULL;
  if (P->n == P->cap) {
    size_t cap = P->cap ? 2 * P->cap : 256;
    void **np = realloc(P->p, cap * sizeof *np);
    if (np == NULL) return P->failed = 1, NULL;
    P->p = np, P->cap = cap;
  }
  void *q = calloc(count > 0 ? count : 1, size);
  if (q == NULL) return P->failed = 1, NULL;
  return P->p[P->n++] = q;
}

static void pool_free(pool *P) {
  for (size_t i = 0; i < P->n; ++i) free(P->p[i]);
  free(P->p);
}

static Onnx__TensorProto *tensor(pool *P, const cb__value *v) {
  Onnx__TensorProto *t = palloc(P, 1, sizeof *t);
  int64_t *dims = palloc(P, (size_t)v->ndim, sizeof *dims);
  if (t == NULL || dims == NULL) return NULL;
  onnx__tensor_proto__init(t);
  memcpy(dims, v->shape, (size_t)v->ndim * sizeof *dims);
  t->n_dims = (size_t)v->ndim, t->dims = dims;
  t->has_data_type = 1, t->data_type = (int32_t)v->dtype;
  t->name = v->name;
  t->has_raw_data = 1;
  t->raw_data.len = (size_t)cb__numel(v) * cb__dtype_size(v->dtype);
  t->raw_data.data = v->cdata;
  return t;
}

/* A float tensor value info of v's shape; batch_param names dimension 0 when not NULL. */
static Onnx__ValueInfoProto *value_info(pool *P, const cb__value *v, const char *batch_param) {
  Onnx__ValueInfoProto *vi = palloc(P, 1, sizeof *vi);
  Onnx__TypeProto *tp = palloc(P, 1, sizeof *tp);
  Onnx__TypeProto__Tensor *tt = palloc(P, 1, sizeof *tt);
  Onnx__TensorShapeProto *sh = palloc(P, 1, sizeof *sh);
  Onnx__TensorShapeProto__Dimension **dims = palloc(P, (size_t)v->ndim, sizeof *dims);
  if (vi == NULL || tp == NULL || tt == NULL || sh == NULL || dims == NULL) return NULL;
  onnx__value_info_proto__init(vi), onnx__type_proto__init(tp), onnx__type_proto__tensor__init(tt);
  onnx__tensor_shape_proto__init(sh);
  for (int d = 0; d < v->ndim; ++d) {
    if ((dims[d] = palloc(P, 1, sizeof *dims[d])) == NULL) return NULL;
    onnx__tensor_shape_proto__dimension__init(dims[d]);
    if (d == 0 && batch_param != NULL) {
      dims[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
      dims[d]->dim_param = (char *)batch_param;
    } else {
      dims[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      dims[d]->dim_value = v->shape[d];
    }
  }
  sh->n_dim = (size_t)v->ndim, sh->dim = dims;
  tt->has_elem_type = 1, tt->elem_type = (int32_t)v->dtype, tt->shape = sh;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, tp->tensor_type = tt;
  vi->name = v->name, vi->type = tp;
  return vi;
}

static Onnx__AttributeProto *attribute(pool *P, cb_attr *a) {
  Onnx__AttributeProto *o = palloc(P, 1, sizeof *o);
  if (o == NULL) return NULL;
  onnx__attribute_proto__init(o);
  o->name = a->name, o->has_type = 1;
  switch (a->type) {
  case CB_ATTR_INT: o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, o->has_i = 1, o->i = a->i[0]; break;
  case CB_ATTR_FLOAT: o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, o->has_f = 1, o->f = a->f[0]; break;
  case CB_ATTR_STRING:
    o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING, o->has_s = 1;
    o->s.data = (uint8_t *)a->s, o->s.len = strlen(a->s);
    break;
  case CB_ATTR_INTS: o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, o->n_ints = (size_t)a->n, o->ints = a->i; break;
  case CB_ATTR_FLOATS:
    o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS, o->n_floats = (size_t)a->n, o->floats = a->f;
    break;
  case CB_ATTR_SCALAR_TENSOR: {
    const cb__value v = {.name = "value", .dtype = a->dtype, .ndim = 1, .shape = {1},
                         .cdata = a->dtype == CB_DT_FLOAT ? (void *)a->f : (void *)a->i};
    o->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if ((o->t = tensor(P, &v)) == NULL) return NULL;
    o->t->name = NULL;
    break;
  }
  }
  return o;
}

static Onnx__NodeProto *node(pool *P, const cb_graph *g, cb__node *n) {
  Onnx__NodeProto *o = palloc(P, 1, sizeof *o);
  char **in = palloc(P, (size_t)n->n_in, sizeof *in), **out = palloc(P, (size_t)n->n_out, sizeof *out);
  Onnx__AttributeProto **at = palloc(P, (size_t)n->n_attr, sizeof *at);
  if (o == NULL || in == NULL || out == NULL || at == NULL) return NULL;
  onnx__node_proto__init(o);
  for (int k = 0; k < n->n_in; ++k) in[k] = n->in[k] >= 0 ? g->values[n->in[k]].name : "";
  for (int k = 0; k < n->n_out; ++k) out[k] = g->values[n->out[k]].name;
  for (int k = 0; k < n->n_attr; ++k)
    if ((at[k] = attribute(P, &n->attr[k])) == NULL) return NULL;
  o->n_input = (size_t)n->n_in, o->input = in, o->n_output = (size_t)n->n_out, o->output = out;
  o->name = n->name, o->op_type = (char *)n->op->name, o->n_attribute = (size_t)n->n_attr, o->attribute = at;
  return o;
}

/* Marks in `used` (n_values) the constants that a running node reads; counts them and the running nodes. */
static void find_used(const cb_graph *g, char *used, size_t *n_init, size_t *n_node) {
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    ++*n_node;
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].kind == CB__V_CONST && !used[n->in[k]]) used[n->in[k]] = 1, ++*n_init;
  }
}

/* The graph's outputs, or the outputs of its last running node when none is marked. */
static int output_ids(const cb_graph *g, const int **ids) {
  if (g->n_outputs > 0) return *ids = g->outputs, g->n_outputs;
  for (int i = g->n_nodes - 1; i >= 0; --i)
    if (!g->nodes[i].folded) return *ids = g->nodes[i].out, g->nodes[i].n_out;
  return 0;
}

static cb_status fill_graph(pool *P, const cb_graph *g, const char *batch_param, Onnx__GraphProto *gp) {
  char *used = palloc(P, (size_t)g->n_values, 1);
  if (used == NULL) return CB_ERROR(CB_ERR_NOMEM, "ONNX export: out of memory");
  size_t n_init = 0, n_node = 0;
  find_used(g, used, &n_init, &n_node);
  const int *outs = NULL;
  const int n_out = output_ids(g, &outs);
  gp->node = palloc(P, n_node, sizeof *gp->node);
  gp->initializer = palloc(P, n_init, sizeof *gp->initializer);
  gp->input = palloc(P, (size_t)g->n_inputs, sizeof *gp->input);
  gp->output = palloc(P, (size_t)n_out, sizeof *gp->output);
  for (int i = 0; !P->failed && i < g->n_nodes; ++i)
    if (!g->nodes[i].folded) gp->node[gp->n_node++] = node(P, g, &g->nodes[i]);
  for (int id = 0; !P->failed && id < g->n_values; ++id)
    if (used[id]) gp->initializer[gp->n_initializer++] = tensor(P, &g->values[id]);
  for (int i = 0; !P->failed && i < g->n_inputs; ++i)
    gp->input[gp->n_input++] = value_info(P, &g->values[g->inputs[i]], batch_param);
  for (int i = 0; !P->failed && i < n_out; ++i) gp->output[gp->n_output++] = value_info(P, &g->values[outs[i]], batch_param);
  return P->failed ? CB_ERROR(CB_ERR_NOMEM, "ONNX export: out of memory") : CB_OK;
}

cb_status cb_onnx_write_graph(const cb_graph *g, const char *path, const cb_onnx_write_opts *o) {
  if (g == NULL || path == NULL) return CB_ERROR(CB_ERR_ARG, "ONNX export: NULL argument");
  if (!g->finished) return CB_ERROR(CB_ERR_ARG, "%s: ONNX export of a graph that is not finished", path);
  pool P = {0};
  Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
  Onnx__GraphProto gp = ONNX__GRAPH_PROTO__INIT;
  Onnx__OperatorSetIdProto ops = ONNX__OPERATOR_SET_ID_PROTO__INIT, *opsp = &ops;
  ops.domain = "", ops.has_version = 1, ops.version = g->opset;
  m.has_ir_version = 1, m.ir_version = 8;
  m.n_opset_import = 1, m.opset_import = &opsp;
  m.producer_name = "cortexbench";
  m.graph = &gp;
  gp.name = (char *)(o && o->graph_name ? o->graph_name : "cortexbench");
  cb_status st = fill_graph(&P, g, o ? o->batch_param : NULL, &gp);
  if (st == CB_OK) {
    const size_t n = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(n > 0 ? n : 1);
    if (buf == NULL) st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, n);
    else if (onnx__model_proto__pack(&m, buf) != n) st = CB_ERROR(CB_ERR_INTERNAL, "%s: ONNX packing failed", path);
    else st = cb_file_write_atomic(path, buf, n);
    free(buf);
  }
  pool_free(&P);
  return st;
}
