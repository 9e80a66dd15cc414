/* cb_onnx.c - ONNX model import: protobuf (protoc-c, generated at build
 * time from the system onnx.proto) -> cb_graph. Every error is one line
 * "<file>: node 'n' (op T): ..." naming what is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_graph_impl.h"
#include "cb_onnx.h"
#include "cb_pbscan.h"
#include "cb_strmap.h"
#include "cb_tensor.h"
#include "onnx.pb-c.h"

#define OPSET_MIN 7
#define OPSET_MAX 17

int cb_onnx_op_supported(const char *op) { return op && (strcmp(op, "Constant") == 0 || cb__op_find(op) != NULL); }

static int default_domain(const char *d) { return d == NULL || d[0] == '\0' || strcmp(d, "ai.onnx") == 0; }

/* proto2 leaves absent strings NULL: reject unnamed values and attributes
 * here so that the importer can use every name as a C string. */
static cb_status check_names(const char *path, const Onnx__GraphProto *gp) {
  for (size_t i = 0; i < gp->n_input + gp->n_output; ++i) {
    const Onnx__ValueInfoProto *vi = i < gp->n_input ? gp->input[i] : gp->output[i - gp->n_input];
    if (vi->name == NULL) return CB_ERROR(CB_ERR_FORMAT, "%s: graph %s %zu has no name", path, i < gp->n_input ? "input" : "output", i < gp->n_input ? i : i - gp->n_input);
  }
  for (size_t i = 0; i < gp->n_initializer; ++i)
    if (gp->initializer[i]->name == NULL) return CB_ERROR(CB_ERR_FORMAT, "%s: initializer %zu has no name", path, i);
  for (size_t i = 0; i < gp->n_node; ++i)
    for (size_t k = 0; k < gp->node[i]->n_attribute; ++k)
      if (gp->node[i]->attribute[k]->name == NULL)
        return CB_ERROR(CB_ERR_FORMAT, "%s: node %zu: attribute %zu has no name", path, i, k);
  return CB_OK;
}

/* cb_pb_child_fn over protobuf-c descriptors: the message type of a field, NULL for scalars, strings, bytes. */
static const void *pb_child(const void *type, uint32_t field) {
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(type, field);
  return f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor : NULL;
}

/* protobuf-c unpacks (and frees) nested messages recursively: bound the nesting before it sees the bytes. */
static cb_status check_nesting(const char *path, const char *buf, size_t n, const ProtobufCMessageDescriptor *root) {
  cb_status st = cb_pb_check_depth((const uint8_t *)buf, n, root, pb_child, CB_ONNX_MAX_NESTING);
  if (st == CB_OK) return CB_OK;
  if (st == CB_ERR_UNSUPPORTED) /* nested too deep */
    return cb_error_prefix("%s: not a supported ONNX file (subgraphs or types nested too deep)", path);
  return CB_ERROR(CB_ERR_FORMAT, "%s: not a valid ONNX %s (malformed or truncated protobuf)", path,
                  root == &onnx__model_proto__descriptor ? "model" : "tensor");
}

static cb_status read_model(const char *path, Onnx__ModelProto **out) {
  char *buf = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &buf, &n));
  cb_status st = check_nesting(path, buf, n, &onnx__model_proto__descriptor);
  if (st != CB_OK) {
    free(buf);
    return st;
  }
  Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, n, (const uint8_t *)buf);
  free(buf);
  if (m == NULL) return CB_ERROR(CB_ERR_FORMAT, "%s: not a valid ONNX model (malformed or truncated protobuf)", path);
  if (m->graph == NULL) {
    onnx__model_proto__free_unpacked(m, NULL);
    return CB_ERROR(CB_ERR_FORMAT, "%s: ONNX model has no graph", path);
  }
  st = check_names(path, m->graph);
  if (st != CB_OK) {
    onnx__model_proto__free_unpacked(m, NULL);
    return st;
  }
  *out = m;
  return CB_OK;
}

static int model_opset(const Onnx__ModelProto *m) {
  for (size_t i = 0; i < m->n_opset_import; ++i)
    if (default_domain(m->opset_import[i]->domain)) return (int)m->opset_import[i]->version;
  return 0;
}

/* Converts a TensorProto into dtype (float32 or int64) data of *numel
 * elements; *data is malloc'ed. `what` names the tensor in errors. The
 * shape is checked (cb_shape_numel) and the data's length must match it
 * before anything is allocated. */
static cb_status tensor_data(const Onnx__TensorProto *t, const char *what, cb_dtype *dtype, int *ndim, int64_t *shape,
                             int64_t *numel_out, void **data) {
  if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "tensor '%s': external data unsupported", what);
  if (t->segment != NULL) return CB_ERROR(CB_ERR_UNSUPPORTED, "tensor '%s': segmented tensors unsupported", what);
  if (t->n_dims > CB_GRAPH_MAX_DIMS)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "tensor '%s': %zu dimensions (at most %d)", what, t->n_dims, CB_GRAPH_MAX_DIMS);
  for (size_t d = 0; d < t->n_dims; ++d) shape[d] = t->dims[d];
  int64_t numel = 0;
  if (cb_shape_numel((int)t->n_dims, shape, &numel) != CB_OK) return cb_error_prefix("tensor '%s'", what);
  *ndim = (int)t->n_dims;
  int dt = t->data_type;
  size_t esz;
  switch (dt) {
  case 1: *dtype = CB_DT_FLOAT, esz = 4; break;   /* FLOAT */
  case 7: *dtype = CB_DT_INT64, esz = 8; break;   /* INT64 */
  case 6: *dtype = CB_DT_INT64, esz = 4; break;   /* INT32, widened */
  case 11: *dtype = CB_DT_FLOAT, esz = 8; break;  /* DOUBLE, narrowed */
  case 9: *dtype = CB_DT_INT64, esz = 1; break;   /* BOOL, as 0 / 1 */
  default:
    return CB_ERROR(CB_ERR_UNSUPPORTED, "tensor '%s': data type %d unsupported (float32, double, int32, int64, bool)", what, dt);
  }
  if (t->has_raw_data) {
    int64_t bytes = 0;
    cb_size_mul(numel, (int64_t)esz, INT64_MAX, &bytes); /* numel <= CB_TENSOR_MAX_NUMEL: fits */
    if ((uint64_t)t->raw_data.len != (uint64_t)bytes)
      return CB_ERROR(CB_ERR_FORMAT, "tensor '%s': raw_data has %zu bytes, its shape needs %lld", what, t->raw_data.len,
                      (long long)bytes);
  } else {
    size_t have = dt == 1 ? t->n_float_data : dt == 7 ? t->n_int64_data : dt == 6 || dt == 9 ? t->n_int32_data
                                                                                             : t->n_double_data;
    if ((uint64_t)have != (uint64_t)numel)
      return CB_ERROR(CB_ERR_FORMAT, "tensor '%s': %zu values for the %lld elements of its shape", what, have, (long long)numel);
  }
  void *out = calloc((size_t)(numel > 0 ? numel : 1), cb__dtype_size(*dtype));
  if (out == NULL) return CB_ERROR(CB_ERR_NOMEM, "tensor '%s': out of memory for %lld elements", what, (long long)numel);
  if (t->has_raw_data) {
    const uint8_t *r = t->raw_data.data;
    for (int64_t i = 0; i < numel; ++i) { /* little-endian on disk, like the host */
      if (dt == 1) memcpy((float *)out + i, r + 4 * i, 4);
      else if (dt == 7) memcpy((int64_t *)out + i, r + 8 * i, 8);
      else if (dt == 9) ((int64_t *)out)[i] = r[i] != 0;
      else if (dt == 6) {
        int32_t v;
        memcpy(&v, r + 4 * i, 4);
        ((int64_t *)out)[i] = v;
      } else {
        double v;
        memcpy(&v, r + 8 * i, 8);
        ((float *)out)[i] = (float)v;
      }
    }
  } else {
    for (int64_t i = 0; i < numel; ++i) {
      if (dt == 1) ((float *)out)[i] = t->float_data[i];
      else if (dt == 7) ((int64_t *)out)[i] = t->int64_data[i];
      else if (dt == 6) ((int64_t *)out)[i] = t->int32_data[i];
      else if (dt == 9) ((int64_t *)out)[i] = t->int32_data[i] != 0;
      else ((float *)out)[i] = (float)t->double_data[i];
    }
  }
  *numel_out = numel;
  *data = out;
  return CB_OK;
}

static cb_status add_tensor_const(cb_graph *g, const char *name, const Onnx__TensorProto *t) {
  cb_dtype dt;
  int nd;
  int64_t shape[CB_GRAPH_MAX_DIMS], numel;
  void *data = NULL;
  CB_CHECK(tensor_data(t, name, &dt, &nd, shape, &numel, &data));
  cb_status st = cb_graph_const(g, name, dt, nd, shape, data, NULL);
  free(data);
  return st;
}

/* A Constant node becomes a graph constant named after its output. */
static cb_status constant_node(cb_graph *g, const Onnx__NodeProto *nd, const char *nname) {
  if (nd->n_output != 1 || nd->n_attribute != 1)
    return CB_ERROR(CB_ERR_FORMAT, "node '%s' (op Constant): expected one output and one attribute", nname);
  const Onnx__AttributeProto *a = nd->attribute[0];
  const char *out = nd->output[0];
  if (strcmp(a->name, "value") == 0 && a->t != NULL) {
    cb_status st = add_tensor_const(g, out, a->t);
    return st == CB_OK ? st : cb_error_prefix("node '%s' (op Constant)", nname);
  }
  if (strcmp(a->name, "value_float") == 0) return cb_graph_const(g, out, CB_DT_FLOAT, 0, NULL, &a->f, NULL);
  if (strcmp(a->name, "value_int") == 0) return cb_graph_const(g, out, CB_DT_INT64, 0, NULL, &a->i, NULL);
  if (strcmp(a->name, "value_floats") == 0) {
    int64_t n = (int64_t)a->n_floats;
    return cb_graph_const(g, out, CB_DT_FLOAT, 1, &n, a->floats, NULL);
  }
  if (strcmp(a->name, "value_ints") == 0) {
    int64_t n = (int64_t)a->n_ints;
    return cb_graph_const(g, out, CB_DT_INT64, 1, &n, a->ints, NULL);
  }
  return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op Constant): attribute '%s' unsupported", nname, a->name);
}

static cb_status convert_attr(const Onnx__AttributeProto *a, const char *nname, const char *op, cb_attr *out) {
  memset(out, 0, sizeof *out);
  if (strlen(a->name) >= sizeof out->name)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op %s): attribute '%s' unsupported", nname, op, a->name);
  strcpy(out->name, a->name);
  switch (a->type) {
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
    *out = cb_attr_int(a->name, a->i);
    return CB_OK;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
    *out = cb_attr_float(a->name, a->f);
    return CB_OK;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
    if (a->s.len >= sizeof out->s) break;
    out->type = CB_ATTR_STRING;
    if (a->s.len > 0) memcpy(out->s, a->s.data, a->s.len);
    out->s[a->s.len] = '\0';
    return CB_OK;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    if (a->n_ints > CB_ATTR_MAX) break;
    *out = cb_attr_ints(a->name, (int)a->n_ints, a->ints);
    return CB_OK;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
    if (a->n_floats > CB_ATTR_MAX) break;
    out->type = CB_ATTR_FLOATS;
    out->n = (int)a->n_floats;
    for (int k = 0; k < out->n; ++k) out->f[k] = a->floats[k];
    return CB_OK;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
    if (a->t == NULL) break;
    cb_dtype dt;
    int nd;
    int64_t shape[CB_GRAPH_MAX_DIMS], numel;
    void *data = NULL;
    cb_status st = tensor_data(a->t, a->name, &dt, &nd, shape, &numel, &data);
    if (st != CB_OK) return cb_error_prefix("node '%s' (op %s): attribute '%s'", nname, op, a->name);
    if (numel != 1) {
      free(data);
      break;
    }
    out->type = CB_ATTR_SCALAR_TENSOR;
    out->dtype = dt;
    out->n = 1;
    if (dt == CB_DT_FLOAT) out->f[0] = *(float *)data;
    else out->i[0] = *(int64_t *)data;
    free(data);
    return CB_OK;
  }
  default: break;
  }
  return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op %s): attribute '%s' (type %d) unsupported", nname, op, a->name,
                  (int)a->type);
}

/* Whether any node or graph output reads the value `name`. */
static int consumed(const Onnx__GraphProto *gp, const char *name) {
  for (size_t i = 0; i < gp->n_node; ++i)
    for (size_t k = 0; k < gp->node[i]->n_input; ++k)
      if (strcmp(gp->node[i]->input[k], name) == 0) return 1;
  for (size_t i = 0; i < gp->n_output; ++i)
    if (gp->output[i]->name && strcmp(gp->output[i]->name, name) == 0) return 1;
  return 0;
}

/* Optional outputs a training-mode export carries (BatchNormalization's running and saved statistics, Dropout's
 * mask, MaxPool's indices): outputs from `first` on that nothing reads are dropped (their values change nothing
 * the graph computes); one that is read stays, and the operator then refuses it. */
static size_t used_outputs(const Onnx__GraphProto *gp, const Onnx__NodeProto *nd, size_t n_out) {
  static const char *const ops[] = {"BatchNormalization", "Dropout", "MaxPool"};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; ++i)
    if (nd->op_type && strcmp(nd->op_type, ops[i]) == 0) {
      while (n_out > 1 && (nd->output[n_out - 1][0] == '\0' || !consumed(gp, nd->output[n_out - 1]))) --n_out;
      break;
    }
  return n_out;
}

static cb_status add_node(cb_graph *g, const Onnx__GraphProto *gp, const Onnx__NodeProto *nd, int index) {
  char fallback[64];
  snprintf(fallback, sizeof fallback, "#%d", index);
  const char *nname = nd->name && nd->name[0] ? nd->name : (nd->n_output > 0 && nd->output[0][0] ? nd->output[0] : fallback);
  const char *op = nd->op_type ? nd->op_type : "";
  if (!default_domain(nd->domain))
    return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op %s): domain '%s' unsupported", nname, op, nd->domain);
  if (strcmp(op, "Constant") == 0) return constant_node(g, nd, nname);
  if (cb__op_find(op) == NULL) return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op %s): unsupported operator", nname, op);
  if (nd->n_attribute > CB_ONNX_MAX_ATTRS) /* each is copied by value into the graph (cb_attr) */
    return CB_ERROR(CB_ERR_FORMAT, "node '%s' (op %s): %zu attributes (at most %d)", nname, op, nd->n_attribute,
                    CB_ONNX_MAX_ATTRS);
  cb_status st = CB_OK;
  cb_attr *attr = calloc(nd->n_attribute + 1, sizeof *attr);
  int *in = calloc(nd->n_input + 1, sizeof *in);
  const char **outs = calloc(nd->n_output + 1, sizeof *outs);
  char (*anon)[64] = calloc(nd->n_output + 1, sizeof *anon);
  CB_ALLOC_GOTO(attr, st, done);
  CB_ALLOC_GOTO(in, st, done);
  CB_ALLOC_GOTO(outs, st, done);
  CB_ALLOC_GOTO(anon, st, done);
  for (size_t k = 0; k < nd->n_attribute; ++k) CB_CHECK_GOTO(convert_attr(nd->attribute[k], nname, op, &attr[k]), st, done);
  for (size_t k = 0; k < nd->n_input; ++k) {
    if (nd->input[k][0] == '\0') {
      in[k] = -1;
      continue;
    }
    in[k] = cb_graph_find(g, nd->input[k]);
    if (in[k] < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "node '%s' (op %s): dangling input '%s' (not produced before this node)", nname, op, nd->input[k]);
      goto done;
    }
  }
  size_t n_out = used_outputs(gp, nd, nd->n_output);
  while (n_out > 1 && nd->output[n_out - 1][0] == '\0') --n_out; /* absent optional outputs */
  if (n_out == 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "node '%s' (op %s): no outputs", nname, op);
    goto done;
  }
  for (size_t k = 0; k < n_out; ++k) {
    if (nd->output[k][0] != '\0') {
      outs[k] = nd->output[k];
    } else {
      snprintf(anon[k], sizeof anon[k], "%.40s:unused%d", nname, (int)(k % 1000));
      outs[k] = anon[k];
    }
  }
  st = cb_graph_node(g, nname, op, (int)nd->n_attribute, attr, (int)nd->n_input, in, (int)n_out, outs, NULL);
done:
  free(attr);
  free(in);
  free(outs);
  free(anon);
  return st;
}

static cb_status add_input(cb_graph *g, const Onnx__ValueInfoProto *vi, const cb_onnx_options *opt, int first) {
  const Onnx__TypeProto *tp = vi->type;
  if (tp == NULL || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || tp->tensor_type == NULL)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "input '%s': only tensor inputs are supported", vi->name);
  const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
  if (tt->elem_type != 1)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "input '%s': element type %d unsupported (float32 only)", vi->name, (int)tt->elem_type);
  int64_t shape[CB_GRAPH_MAX_DIMS];
  int nd = 0;
  if (tt->shape != NULL) {
    if (tt->shape->n_dim > CB_GRAPH_MAX_DIMS)
      return CB_ERROR(CB_ERR_UNSUPPORTED, "input '%s': %zu dimensions (at most %d)", vi->name, tt->shape->n_dim, CB_GRAPH_MAX_DIMS);
    nd = (int)tt->shape->n_dim;
    for (int d = 0; d < nd; ++d) {
      const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
      if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dim->dim_value < 0)
        return CB_ERROR(CB_ERR_FORMAT, "input '%s': dimension %d is negative (%lld)", vi->name, d, (long long)dim->dim_value);
      shape[d] = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dim->dim_value > 0
                     ? dim->dim_value
                     : (opt && opt->sym_dim > 0 ? opt->sym_dim : 1);
    }
  }
  if (first && opt && opt->ndim > 0) {
    if (tt->shape != NULL && opt->ndim != nd)
      return CB_ERROR(CB_ERR_ARG, "input '%s': has %d dimensions, %d given", vi->name, nd, opt->ndim);
    for (int d = 0; d < opt->ndim; ++d) {
      if (opt->shape[d] <= 0 && d < nd) continue; /* 0: keep the declared dimension */
      const Onnx__TensorShapeProto__Dimension *dim = tt->shape ? tt->shape->dim[d] : NULL;
      if (dim && dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dim->dim_value > 0 &&
          dim->dim_value != opt->shape[d])
        return CB_ERROR(CB_ERR_ARG, "input '%s': dimension %d is fixed to %lld, %lld requested", vi->name, d,
                        (long long)dim->dim_value, (long long)opt->shape[d]);
      shape[d] = opt->shape[d];
    }
    nd = opt->ndim;
  }
  return cb_graph_input(g, vi->name, nd, shape, NULL);
}

cb_status cb_onnx_load_graph(const char *path, const cb_onnx_options *opt, cb_graph **out) {
  if (path == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "onnx load: NULL argument");
  Onnx__ModelProto *m = NULL;
  cb_graph *g = NULL;
  cb_status st = CB_OK;
  CB_CHECK(read_model(path, &m));
  const Onnx__GraphProto *gp = m->graph;
  int opset = model_opset(m);
  if (opset < OPSET_MIN || opset > OPSET_MAX) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: opset %d unsupported (%d to %d)", path, opset, OPSET_MIN, OPSET_MAX);
    goto done;
  }
  CB_CHECK_GOTO(cb_graph_create(&g), st, done);
  cb_graph_set_opset(g, opset);
  for (size_t i = 0; i < gp->n_initializer; ++i) {
    const Onnx__TensorProto *t = gp->initializer[i];
    CB_CHECK_GOTO(add_tensor_const(g, t->name ? t->name : "", t), st, fail);
  }
  if (gp->n_sparse_initializer > 0) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "sparse initializers unsupported");
    goto fail;
  }
  int first = 1;
  for (size_t i = 0; i < gp->n_input; ++i) {
    if (cb_graph_find(g, gp->input[i]->name) >= 0) continue; /* an initializer listed as input (IR < 4) */
    CB_CHECK_GOTO(add_input(g, gp->input[i], opt, first), st, fail);
    first = 0;
  }
  for (size_t i = 0; i < gp->n_node; ++i) CB_CHECK_GOTO(add_node(g, gp, gp->node[i], (int)i), st, fail);
  for (size_t i = 0; i < gp->n_output; ++i) {
    int id = cb_graph_find(g, gp->output[i]->name);
    if (id < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "output '%s' is not produced by any node", gp->output[i]->name);
      goto fail;
    }
    CB_CHECK_GOTO(cb_graph_mark_output(g, id), st, fail);
  }
  CB_CHECK_GOTO(cb_graph_finish(g), st, fail);
  *out = g;
  g = NULL;
  goto done;
fail:
  cb_error_prefix("%s", path);
done:
  cb_graph_destroy(&g);
  onnx__model_proto__free_unpacked(m, NULL);
  return st;
}

cb_status cb_onnx_summarize(const char *path, cb_onnx_summary *out) {
  Onnx__ModelProto *m = NULL;
  CB_CHECK(read_model(path, &m));
  memset(out, 0, sizeof *out);
  out->opset = model_opset(m);
  out->float_io = 1;
  const Onnx__GraphProto *gp = m->graph;
  cb_strmap inits = {0}; /* initializer names */
  for (size_t k = 0; k < gp->n_initializer; ++k)
    if (cb_strmap_put(&inits, gp->initializer[k]->name, 1) != CB_OK) {
      cb_strmap_free(&inits);
      onnx__model_proto__free_unpacked(m, NULL);
      return cb_error_prefix("%s", path);
    }
  for (size_t i = 0; i < gp->n_input + gp->n_output; ++i) {
    const Onnx__ValueInfoProto *vi = i < gp->n_input ? gp->input[i] : gp->output[i - gp->n_input];
    if (cb_strmap_get(&inits, vi->name) >= 0) continue;
    if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type ||
        vi->type->tensor_type->elem_type != 1)
      out->float_io = 0;
  }
  for (size_t i = 0; i < gp->n_node; ++i) {
    const char *op = gp->node[i]->op_type ? gp->node[i]->op_type : "";
    int seen = 0;
    for (int k = 0; k < out->n_ops && !seen; ++k) seen = strcmp(out->ops[k], op) == 0;
    if (!seen && out->n_ops < CB_ONNX_MAX_OPS) snprintf(out->ops[out->n_ops++], sizeof out->ops[0], "%s", op);
  }
  cb_strmap_free(&inits);
  onnx__model_proto__free_unpacked(m, NULL);
  return CB_OK;
}

cb_status cb_onnx_read_tensor(const char *path, cb_onnx_tensor **out) {
  char *buf = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &buf, &n));
  cb_status st = check_nesting(path, buf, n, &onnx__tensor_proto__descriptor);
  if (st != CB_OK) {
    free(buf);
    return st;
  }
  Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, n, (const uint8_t *)buf);
  free(buf);
  if (t == NULL) return CB_ERROR(CB_ERR_FORMAT, "%s: not a valid TensorProto", path);
  cb_onnx_tensor *r = calloc(1, sizeof *r);
  void *data = NULL;
  cb_dtype dt;
  CB_ALLOC_GOTO(r, st, done);
  snprintf(r->name, sizeof r->name, "%s", t->name ? t->name : "");
  r->dtype = t->data_type;
  st = tensor_data(t, r->name, &dt, &r->ndim, r->shape, &r->numel, &data);
  if (st != CB_OK) {
    cb_error_prefix("%s", path);
    goto done;
  }
  if (dt == CB_DT_INT64) {
    float *f = malloc((size_t)(r->numel > 0 ? r->numel : 1) * sizeof *f);
    CB_ALLOC_GOTO(f, st, done);
    for (int64_t i = 0; i < r->numel; ++i) f[i] = (float)((int64_t *)data)[i];
    free(data);
    data = f;
  }
  r->data = data;
  data = NULL;
  *out = r;
  r = NULL;
done:
  free(data);
  cb_onnx_tensor_destroy(&r);
  onnx__tensor_proto__free_unpacked(t, NULL);
  return st;
}

void cb_onnx_tensor_destroy(cb_onnx_tensor **t) {
  if (t == NULL || *t == NULL) return;
  free((*t)->data);
  free(*t);
  *t = NULL;
}
