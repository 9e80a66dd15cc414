/* cb_graph.c - graph construction: values, nodes, shape inference at insert
 * time, constant folding of nodes whose inputs are all constants (so that
 * the shape arithmetic exporters emit is gone before planning), queries. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph_impl.h"
#include "cb_strbuf.h"
#include "cb_tensor.h"

int64_t cb__numel(const cb__value *v) {
  int64_t n = 1;
  for (int d = 0; d < v->ndim; ++d) n *= v->shape[d];
  return n;
}

size_t cb__dtype_size(cb_dtype dt) { return dt == CB_DT_INT64 ? 8 : 4; }

cb_attr cb_attr_int(const char *name, int64_t v) {
  cb_attr a;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  a.type = CB_ATTR_INT;
  a.n = 1;
  a.i[0] = v;
  return a;
}

cb_attr cb_attr_float(const char *name, float v) {
  cb_attr a;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  a.type = CB_ATTR_FLOAT;
  a.n = 1;
  a.f[0] = v;
  return a;
}

cb_attr cb_attr_ints(const char *name, int n, const int64_t *v) {
  cb_attr a;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  a.type = CB_ATTR_INTS;
  a.n = n < 0 ? 0 : (n > CB_ATTR_MAX ? CB_ATTR_MAX : n);
  for (int k = 0; k < a.n; ++k) a.i[k] = v[k];
  return a;
}

cb_attr cb_attr_string(const char *name, const char *v) {
  cb_attr a;
  memset(&a, 0, sizeof a);
  snprintf(a.name, sizeof a.name, "%s", name);
  a.type = CB_ATTR_STRING;
  snprintf(a.s, sizeof a.s, "%s", v);
  return a;
}

cb_status cb_graph_create(cb_graph **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "graph create: NULL argument");
  cb_graph *g = calloc(1, sizeof *g);
  if (g == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph create: out of memory");
  g->opset = 17;
  *out = g;
  return CB_OK;
}

void cb_graph_destroy(cb_graph **gp) {
  if (gp == NULL || *gp == NULL) return;
  cb_graph *g = *gp;
  for (int i = 0; i < g->n_values; ++i) {
    free(g->values[i].name);
    free(g->values[i].cdata);
  }
  for (int i = 0; i < g->n_nodes; ++i) {
    free(g->nodes[i].name);
    free(g->nodes[i].in);
    free(g->nodes[i].out);
    free(g->nodes[i].attr);
  }
  free(g->values);
  free(g->nodes);
  free(g->inputs);
  free(g->outputs);
  free(g->arena);
  free(g->work);
  free(g->needed);
  free(g->batch_arena);
  cb_strmap_free(&g->names);
  free(g);
  *gp = NULL;
}

void cb_graph_set_opset(cb_graph *g, int opset) {
  if (g) g->opset = opset;
}

const cb_attr *cb__attr(const cb__node *n, const char *name) {
  for (int k = 0; k < n->n_attr; ++k)
    if (strcmp(n->attr[k].name, name) == 0) return &n->attr[k];
  return NULL;
}

int64_t cb__attr_int(const cb__node *n, const char *name, int64_t dflt) {
  const cb_attr *a = cb__attr(n, name);
  return a && a->type == CB_ATTR_INT ? a->i[0] : dflt;
}

float cb__attr_float(const cb__node *n, const char *name, float dflt) {
  const cb_attr *a = cb__attr(n, name);
  return a && a->type == CB_ATTR_FLOAT ? a->f[0] : dflt;
}

cb_status cb__node_error(cb_status st, const char *file, int line, const cb__node *n, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return cb_error_set(st, file, line, "node '%s' (op %s): %s", n->name, n->op ? n->op->name : "?", msg);
}

cb_status cb__attrs_known(const cb__node *n, const char *const *known) {
  for (int k = 0; k < n->n_attr; ++k) {
    int ok = 0;
    for (const char *const *s = known; *s && !ok; ++s) ok = strcmp(*s, n->attr[k].name) == 0;
    if (!ok) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute '%s' unsupported", n->attr[k].name);
  }
  return CB_OK;
}

cb_status cb__check_inputs(cb_graph *g, const cb__node *n, int min, int max, unsigned int_ok) {
  int count = n->n_in;
  while (count > 0 && n->in[count - 1] < 0) --count;
  if (count < min || count > max)
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "%d inputs, expected %d to %d", count, min, max);
  for (int k = 0; k < count; ++k) {
    const cb__value *v = cb__in(g, n, k);
    if (v == NULL) {
      if (k < min) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "required input %d is missing", k);
      continue;
    }
    if (v->dtype != CB_DT_FLOAT && !(int_ok & (1u << k)))
      return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input '%s' has an integer type; float32 expected", v->name);
  }
  return CB_OK;
}

void cb__set_out(cb_graph *g, const cb__node *n, int k, cb_dtype dt, int ndim, const int64_t *shape) {
  cb__value *v = cb__out(g, n, k);
  v->dtype = dt;
  v->ndim = ndim;
  for (int d = 0; d < ndim; ++d) v->shape[d] = shape[d];
}

cb_status cb__const_ints(cb_graph *g, const cb__node *n, int k, int max, int64_t *v, int *count) {
  const cb__value *c = cb__in(g, n, k);
  if (c == NULL) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input %d is missing", k);
  if (c->kind != CB__V_CONST)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input '%s' must be a constant (computed at load time)", c->name);
  int64_t m = cb__numel(c);
  if (m > max) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "input '%s' has %lld values (at most %d)", c->name, (long long)m, max);
  for (int64_t i = 0; i < m; ++i)
    v[i] = c->dtype == CB_DT_INT64 ? ((const int64_t *)c->cdata)[i] : cb__f2i64(((const float *)c->cdata)[i]);
  *count = (int)m;
  return CB_OK;
}

cb_status cb__axis(const cb__node *n, int64_t axis, int ndim, int64_t *out) {
  if (axis < -ndim || axis >= (ndim > 0 ? ndim : 1))
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "axis %lld out of range for rank %d", (long long)axis, ndim);
  *out = axis < 0 ? axis + ndim : axis;
  return CB_OK;
}

const char *cb__shape_str(const cb__value *v, char *buf, size_t n) {
  size_t used = (size_t)snprintf(buf, n, "[");
  for (int d = 0; d < v->ndim && used < n; ++d)
    used += (size_t)snprintf(buf + used, n - used, "%s%lld", d ? ", " : "", (long long)v->shape[d]);
  if (used < n) snprintf(buf + used, n - used, "]");
  return buf;
}

/* Appends a value; returns its id or -1 (error recorded). */
static int add_value(cb_graph *g, const char *name, cb__value_kind kind) {
  if (name == NULL || name[0] == '\0') {
    CB_ERROR(CB_ERR_FORMAT, "graph: empty value name");
    return -1;
  }
  if (cb_graph_find(g, name) >= 0) {
    CB_ERROR(CB_ERR_FORMAT, "graph: value '%s' defined twice", name);
    return -1;
  }
  if (g->n_values == g->cap_values) {
    int cap = g->cap_values ? 2 * g->cap_values : 64;
    cb__value *v = realloc(g->values, (size_t)cap * sizeof *v);
    if (v == NULL) {
      CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
      return -1;
    }
    g->values = v;
    g->cap_values = cap;
  }
  cb__value *v = &g->values[g->n_values];
  memset(v, 0, sizeof *v);
  v->name = cb_strdup(name);
  if (v->name == NULL) {
    CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
    return -1;
  }
  if (cb_strmap_put(&g->names, v->name, g->n_values) != CB_OK) {
    free(v->name);
    return -1;
  }
  v->kind = kind;
  v->producer = -1;
  v->last_use = -1;
  v->dtype = CB_DT_FLOAT;
  return g->n_values++;
}

static cb_status check_shape(const char *name, int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > CB__MAXD)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "graph: value '%s' has %d dimensions (at most %d)", name, ndim, CB__MAXD);
  int64_t numel;
  if (cb_shape_numel(ndim, shape, &numel) != CB_OK) return cb_error_prefix("value '%s'", name ? name : "");
  return CB_OK;
}

static cb_status grow_io(cb_graph *g) {
  if (g->n_inputs < g->cap_io && g->n_outputs < g->cap_io) return CB_OK;
  int cap = g->cap_io ? 2 * g->cap_io : 8;
  int *a = realloc(g->inputs, (size_t)cap * sizeof *a);
  if (a == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
  g->inputs = a;
  int *b = realloc(g->outputs, (size_t)cap * sizeof *b);
  if (b == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
  g->outputs = b;
  g->cap_io = cap;
  return CB_OK;
}

cb_status cb_graph_input(cb_graph *g, const char *name, int ndim, const int64_t *shape, int *id) {
  if (g == NULL || (ndim > 0 && shape == NULL)) return CB_ERROR(CB_ERR_ARG, "graph input: NULL argument");
  if (g->finished) return CB_ERROR(CB_ERR_ARG, "graph input '%s': graph already finished", name);
  CB_CHECK(check_shape(name, ndim, shape));
  CB_CHECK(grow_io(g));
  int v = add_value(g, name, CB__V_INPUT);
  if (v < 0) return cb_error_status();
  g->values[v].ndim = ndim;
  for (int d = 0; d < ndim; ++d) g->values[v].shape[d] = shape[d];
  g->inputs[g->n_inputs++] = v;
  if (id) *id = v;
  return CB_OK;
}

cb_status cb_graph_const(cb_graph *g, const char *name, cb_dtype dt, int ndim, const int64_t *shape,
                         const void *data, int *id) {
  if (g == NULL || (ndim > 0 && shape == NULL)) return CB_ERROR(CB_ERR_ARG, "graph constant: NULL argument");
  if (g->finished) return CB_ERROR(CB_ERR_ARG, "graph constant '%s': graph already finished", name);
  if (dt != CB_DT_FLOAT && dt != CB_DT_INT64)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "graph: constant '%s' has data type %d (float32 and int64 only)", name, (int)dt);
  CB_CHECK(check_shape(name, ndim, shape));
  int v = add_value(g, name, CB__V_CONST);
  if (v < 0) return cb_error_status();
  cb__value *val = &g->values[v];
  val->dtype = dt;
  val->ndim = ndim;
  for (int d = 0; d < ndim; ++d) val->shape[d] = shape[d];
  size_t bytes = (size_t)cb__numel(val) * cb__dtype_size(dt);
  val->cdata = calloc(bytes > 0 ? bytes : 1, 1);
  if (val->cdata == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph: out of memory for constant '%s'", name);
  if (data && bytes) memcpy(val->cdata, data, bytes);
  val->data = val->cdata;
  if (id) *id = v;
  return CB_OK;
}

/* Evaluates a node whose inputs are all constant; its outputs become constants. */
static cb_status fold(cb_graph *g, cb__node *n) {
  for (int k = 0; k < n->n_out; ++k) {
    cb__value *v = cb__out(g, n, k);
    size_t bytes = (size_t)cb__numel(v) * cb__dtype_size(v->dtype);
    v->cdata = calloc(bytes > 0 ? bytes : 1, 1);
    if (v->cdata == NULL) return CB__NODE_ERROR(CB_ERR_NOMEM, n, "out of memory folding constants");
    v->data = v->cdata;
    v->kind = CB__V_CONST;
  }
  float *work = n->work ? malloc(n->work * sizeof *work) : NULL;
  if (n->work && work == NULL) return CB__NODE_ERROR(CB_ERR_NOMEM, n, "out of memory folding constants");
  n->op->run(g, n, work);
  free(work);
  n->folded = 1;
  return CB_OK;
}

cb_status cb_graph_node(cb_graph *g, const char *name, const char *op, int n_attr, const cb_attr *attr, int n_in,
                        const int *in, int n_out, const char *const *out_names, int *out_ids) {
  if (g == NULL || op == NULL || (n_in > 0 && in == NULL) || n_out <= 0 || out_names == NULL)
    return CB_ERROR(CB_ERR_ARG, "graph node: NULL argument");
  if (g->finished) return CB_ERROR(CB_ERR_ARG, "graph node '%s': graph already finished", name ? name : "");
  const char *nm = name && name[0] ? name : out_names[0];
  const cb__op *def = cb__op_find(op);
  if (def == NULL) return CB_ERROR(CB_ERR_UNSUPPORTED, "node '%s' (op %s): unsupported operator", nm, op);
  for (int k = 0; k < n_in; ++k)
    if (in[k] < -1 || in[k] >= g->n_values)
      return CB_ERROR(CB_ERR_FORMAT, "node '%s' (op %s): input %d is not a defined value", nm, op, k);
  if (g->n_nodes == g->cap_nodes) {
    int cap = g->cap_nodes ? 2 * g->cap_nodes : 32;
    cb__node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
    if (nodes == NULL) return CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
    g->nodes = nodes;
    g->cap_nodes = cap;
  }
  int idx = g->n_nodes;
  cb__node *n = &g->nodes[idx];
  memset(n, 0, sizeof *n);
  n->op = def;
  n->name = cb_strdup(nm);
  n->in = malloc((size_t)(n_in > 0 ? n_in : 1) * sizeof *n->in);
  n->out = malloc((size_t)n_out * sizeof *n->out);
  n->attr = malloc((size_t)(n_attr > 0 ? n_attr : 1) * sizeof *n->attr);
  g->n_nodes++; /* owned by the graph from here: destroy frees it */
  if (n->name == NULL || n->in == NULL || n->out == NULL || n->attr == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "graph: out of memory");
  n->n_in = n_in;
  memcpy(n->in, in, (size_t)n_in * sizeof *in);
  n->n_attr = n_attr;
  if (n_attr > 0) memcpy(n->attr, attr, (size_t)n_attr * sizeof *attr);
  n->n_out = 0;
  for (int k = 0; k < n_out; ++k) {
    int v = add_value(g, out_names[k], CB__V_RUNTIME);
    n = &g->nodes[idx];
    if (v < 0) return cb_error_prefix("node '%s' (op %s)", nm, op);
    g->values[v].producer = idx;
    n->out[n->n_out++] = v;
  }
  CB_CHECK(def->prepare(g, n));
  int all_const = 1;
  for (int k = 0; k < n->n_in; ++k)
    if (n->in[k] >= 0 && g->values[n->in[k]].kind != CB__V_CONST) all_const = 0;
  /* Every inferred shape is checked before anything is sized from it (folding below, planning, writing). */
  for (int k = 0; k < n->n_out; ++k) {
    cb__value *v = cb__out(g, n, k);
    int64_t numel;
    if (v->ndim < 0 || v->ndim > CB__MAXD)
      return CB__NODE_ERROR(CB_ERR_INTERNAL, n, "output '%s' has %d dimensions", v->name, v->ndim);
    if (cb_shape_numel(v->ndim, v->shape, &numel) != CB_OK)
      return cb_error_prefix("node '%s' (op %s): output '%s'", n->name, def->name, v->name);
  }
  if (all_const || def->shape_only) {
    CB_CHECK(fold(g, n));
  } else {
    for (int k = 0; k < n->n_out; ++k)
      if (cb__out(g, n, k)->dtype != CB_DT_FLOAT)
        return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "output '%s' is an integer tensor computed at run time (only float32 is)",
                              cb__out(g, n, k)->name);
  }
  if (out_ids)
    for (int k = 0; k < n_out; ++k) out_ids[k] = n->out[k];
  return CB_OK;
}

cb_status cb_graph_mark_output(cb_graph *g, int id) {
  if (g == NULL || id < 0 || id >= g->n_values) return CB_ERROR(CB_ERR_ARG, "graph output: bad value id %d", id);
  CB_CHECK(grow_io(g));
  g->values[id].is_output = 1;
  g->outputs[g->n_outputs++] = id;
  return CB_OK;
}

cb_status cb_graph_mark_fixed(cb_graph *g, int id) {
  if (g == NULL || id < 0 || id >= g->n_values || g->values[id].kind != CB__V_CONST)
    return CB_ERROR(CB_ERR_ARG, "graph: value %d is not a constant", id);
  g->values[id].fixed = 1;
  return CB_OK;
}

cb_status cb_graph_param(cb_graph *g, const char *name, float **data, int64_t *n) {
  int id = cb_graph_find(g, name);
  if (id < 0 || g->values[id].kind != CB__V_CONST || g->values[id].dtype != CB_DT_FLOAT)
    return CB_ERROR(CB_ERR_ARG, "graph: no float constant named '%s'", name ? name : "");
  if (g->finished) return CB_ERROR(CB_ERR_ARG, "graph: parameter '%s' is read-only after finish", name);
  *data = g->values[id].cdata;
  if (n) *n = cb__numel(&g->values[id]);
  return CB_OK;
}

int cb_graph_n_values(const cb_graph *g) { return g ? g->n_values : 0; }
int cb_graph_n_nodes(const cb_graph *g) { return g ? g->n_nodes : 0; }

int cb_graph_find(const cb_graph *g, const char *name) {
  if (g == NULL || name == NULL) return -1;
  return cb_strmap_get(&g->names, name);
}

const char *cb_graph_value_name(const cb_graph *g, int id) {
  return g && id >= 0 && id < g->n_values ? g->values[id].name : NULL;
}

int cb_graph_value_shape(const cb_graph *g, int id, int64_t *shape) {
  if (g == NULL || id < 0 || id >= g->n_values) return -1;
  const cb__value *v = &g->values[id];
  if (shape)
    for (int d = 0; d < v->ndim; ++d) shape[d] = v->shape[d];
  return v->ndim;
}

int cb_graph_value_is_layer(const cb_graph *g, int id) {
  return g && id >= 0 && id < g->n_values && g->values[id].kind == CB__V_RUNTIME;
}

cb_dtype cb_graph_value_dtype(const cb_graph *g, int id) {
  return g && id >= 0 && id < g->n_values ? g->values[id].dtype : CB_DT_FLOAT;
}

int cb_graph_n_inputs(const cb_graph *g) { return g ? g->n_inputs : 0; }
int cb_graph_input_id(const cb_graph *g, int i) { return g && i >= 0 && i < g->n_inputs ? g->inputs[i] : -1; }
int cb_graph_n_outputs(const cb_graph *g) { return g ? g->n_outputs : 0; }
int cb_graph_output_id(const cb_graph *g, int i) { return g && i >= 0 && i < g->n_outputs ? g->outputs[i] : -1; }
size_t cb_graph_arena_bytes(const cb_graph *g) { return g ? g->arena_bytes : 0; }
size_t cb_graph_work_bytes(const cb_graph *g) { return g ? g->work_floats * sizeof(float) : 0; }

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t cb_graph_hash(const cb_graph *g) {
  uint64_t h = 0xCBF29CE484222325ull;
  if (g == NULL) return h;
  for (int i = 0; i < g->n_values; ++i) {
    const cb__value *v = &g->values[i];
    h = fnv1a(h, v->name, strlen(v->name) + 1);
    int meta[3] = {(int)v->kind, (int)v->dtype, v->ndim};
    h = fnv1a(h, meta, sizeof meta);
    h = fnv1a(h, v->shape, (size_t)v->ndim * sizeof v->shape[0]);
    if (v->kind == CB__V_CONST && v->producer < 0)
      h = fnv1a(h, v->cdata, (size_t)cb__numel(v) * cb__dtype_size(v->dtype));
  }
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    h = fnv1a(h, n->op->name, strlen(n->op->name) + 1);
    h = fnv1a(h, n->in, (size_t)n->n_in * sizeof *n->in);
    for (int k = 0; k < n->n_attr; ++k) {
      const cb_attr *a = &n->attr[k];
      h = fnv1a(h, a->name, strlen(a->name) + 1);
      h = fnv1a(h, &a->type, sizeof a->type);
      h = fnv1a(h, a->i, (size_t)a->n * sizeof a->i[0]);
      h = fnv1a(h, a->f, (size_t)a->n * sizeof a->f[0]);
      h = fnv1a(h, a->s, strlen(a->s));
    }
  }
  return h;
}
