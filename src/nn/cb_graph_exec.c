/* cb_graph_exec.c - runs a finished graph: only the nodes the requested
 * values depend on, in insertion (topological) order, copying each
 * requested value out as soon as it is computed (so the arena never keeps
 * a layer alive for the caller). */
#include <string.h>

#include "cb_graph_impl.h"

static void copy_out(const cb__value *v, float *dst) {
  int64_t n = cb__numel(v);
  if (v->dtype == CB_DT_FLOAT) {
    memcpy(dst, v->data, (size_t)n * sizeof(float));
  } else {
    const int64_t *src = v->data;
    for (int64_t i = 0; i < n; ++i) dst[i] = (float)src[i];
  }
}

cb_status cb_graph_run(cb_graph *g, const float *const *inputs, int n_req, const int *req, float *const *out) {
  if (g == NULL || (g->n_inputs > 0 && inputs == NULL) || (n_req > 0 && (req == NULL || out == NULL)))
    return CB_ERROR(CB_ERR_ARG, "graph run: NULL argument");
  CB_CHECK(cb_graph_finish(g));
  for (int i = 0; i < g->n_inputs; ++i) {
    if (inputs[i] == NULL) return CB_ERROR(CB_ERR_ARG, "graph run: input '%s' is NULL", g->values[g->inputs[i]].name);
    g->values[g->inputs[i]].data = (void *)(uintptr_t)inputs[i]; /* read only */
  }
  memset(g->needed, 0, (size_t)g->n_nodes);
  for (int k = 0; k < n_req; ++k) {
    if (req[k] < 0 || req[k] >= g->n_values)
      return CB_ERROR(CB_ERR_ARG, "graph run: requested value %d out of range [0, %d)", req[k], g->n_values);
    if (out[k] == NULL) return CB_ERROR(CB_ERR_ARG, "graph run: output %d is NULL", k);
    const cb__value *v = &g->values[req[k]];
    if (v->kind == CB__V_RUNTIME) g->needed[v->producer] = 1;
    else copy_out(v, out[k]);
  }
  for (int i = g->n_nodes - 1; i >= 0; --i) {
    if (!g->needed[i]) continue;
    const cb__node *n = &g->nodes[i];
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].kind == CB__V_RUNTIME) g->needed[g->values[n->in[k]].producer] = 1;
  }
  for (int i = 0; i < g->n_nodes; ++i) {
    if (!g->needed[i] || g->nodes[i].folded) continue;
    const cb__node *n = &g->nodes[i];
    n->op->run(g, n, g->work);
    for (int k = 0; k < n_req; ++k)
      if (g->values[req[k]].producer == i && g->values[req[k]].kind == CB__V_RUNTIME)
        copy_out(&g->values[req[k]], out[k]);
  }
  return CB_OK;
}
