/* cb_graph_plan.c - memory planning: each runtime value gets an offset in
 * one arena, reusing the bytes of values that are dead by the time it is
 * produced (first fit over the values alive at the same time), plus one
 * shared workspace sized to the largest node's need (none for convolutions:
 * their GEMM packs im2col blocks from the input). A run needs the live
 * tensors plus that workspace, not the sum of all layers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph_impl.h"

#define ALIGN 64

typedef struct placed {
  size_t off, size;
  int end; /* last node reading it (produced at or before the node being placed) */
} placed;

cb_status cb_graph_finish(cb_graph *g) {
  if (g == NULL) return CB_ERROR(CB_ERR_ARG, "graph finish: NULL graph");
  if (g->finished) return CB_OK;
  cb_status st = CB_OK;
  placed *live = NULL;
  for (int i = 0; i < g->n_values; ++i) g->values[i].last_use = -1;
  size_t work = 0;
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    if (n->work > work) work = n->work;
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0) g->values[n->in[k]].last_use = i;
  }
  /* The batched executor fuses a Conv with a Relu that takes its output, and its GEMM reads the Conv's input
   * while it writes the Relu's output: the input stays alive until that Relu, so they never share memory.
   * (Each Relu j reading a Conv's output: one pass, the producer of its input is that Conv.) */
  for (int j = 0; j < g->n_nodes; ++j) {
    const cb__node *r = &g->nodes[j];
    if (r->folded || r->n_in < 1 || r->in[0] < 0 || strcmp(r->op->name, "Relu") != 0) continue;
    const int i = g->values[r->in[0]].producer;
    if (i < 0 || i >= j) continue;
    const cb__node *n = &g->nodes[i];
    if (n->folded || n->op != &cb__op_conv || n->out[0] != r->in[0]) continue;
    for (int k = 0; k < n->n_in; ++k)
      if (n->in[k] >= 0 && g->values[n->in[k]].last_use < j) g->values[n->in[k]].last_use = j;
  }
  /* First fit in node order. The values placed so far all start at or before the current node, so those
   * alive with the new one are those whose end is not before it: `live` keeps exactly them, sorted by
   * offset (values whose end has passed are dropped as the scan meets them). Linear in the number of
   * values times the number alive at once. */
  live = malloc((size_t)(g->n_values + 1) * sizeof *live);
  CB_ALLOC_GOTO(live, st, done);
  int n_live = 0;
  size_t total = 0;
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    for (int k = 0; k < n->n_out; ++k) {
      cb__value *v = cb__out(g, n, k);
      size_t size = (size_t)cb__numel(v) * cb__dtype_size(v->dtype); /* <= 2^34: checked shapes */
      size = (size + ALIGN - 1) / ALIGN * ALIGN;
      if (size == 0) size = ALIGN;
      int end = v->last_use > i ? v->last_use : i;
      if (v->is_output) end = g->n_nodes;
      size_t off = 0;
      int at = -1, kept = 0; /* at: where the new value goes among the kept ones */
      for (int j = 0; j < n_live; ++j) {
        if (live[j].end < i) continue; /* dead before this node */
        if (at < 0 && live[j].off >= off + size) at = kept; /* the gap before live[j] fits */
        if (at < 0 && live[j].off + live[j].size > off) off = live[j].off + live[j].size;
        live[kept++] = live[j];
      }
      n_live = kept;
      if (at < 0) at = n_live;
      if (off > SIZE_MAX - size) {
        st = CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "activations need more than %zu bytes", (size_t)SIZE_MAX);
        goto done;
      }
      memmove(live + at + 1, live + at, (size_t)(n_live - at) * sizeof *live);
      live[at] = (placed){off, size, end};
      ++n_live;
      v->offset = off;
      if (off + size > total) total = off + size;
    }
  }
  g->arena_bytes = total;
  g->arena = aligned_alloc(ALIGN, total > 0 ? total : ALIGN);
  CB_ALLOC_GOTO(g->arena, st, done);
  memset(g->arena, 0, total > 0 ? total : ALIGN);
  g->work_floats = work;
  g->work = calloc(work > 0 ? work : 1, sizeof *g->work);
  CB_ALLOC_GOTO(g->work, st, done);
  g->needed = calloc((size_t)(g->n_nodes > 0 ? g->n_nodes : 1), 1);
  CB_ALLOC_GOTO(g->needed, st, done);
  for (int i = 0; i < g->n_values; ++i)
    if (g->values[i].kind == CB__V_RUNTIME) g->values[i].data = (char *)g->arena + g->values[i].offset;
  g->finished = 1;
done:
  free(live);
  return st;
}
