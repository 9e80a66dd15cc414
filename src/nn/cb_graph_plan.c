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

typedef struct gap {
  size_t off, size;
} gap;

/* The arena below the high-water mark `top`: the free gaps between live values, sorted by offset, adjacent gaps
 * merged; `total` is the largest `top` so far. */
typedef struct gap_list {
  gap *v; /* (n) */
  int n;
  size_t top, total;
} gap_list;

/* Frees [o, o + s): merged with the gaps either side, lowering `top` when it is the top block. */
static void gaps_release(gap_list *gl, size_t o, size_t s) {
  gap *gaps = gl->v;
  int lo = 0, hi = gl->n; /* first gap after o */
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (gaps[mid].off < o) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && gaps[lo - 1].off + gaps[lo - 1].size == o) { /* merge with the gap before */
    --lo;
    o = gaps[lo].off;
    s += gaps[lo].size;
    memmove(gaps + lo, gaps + lo + 1, (size_t)(gl->n - lo - 1) * sizeof *gaps);
    --gl->n;
  }
  if (lo < gl->n && o + s == gaps[lo].off) { /* and with the gap after */
    s += gaps[lo].size;
    memmove(gaps + lo, gaps + lo + 1, (size_t)(gl->n - lo - 1) * sizeof *gaps);
    --gl->n;
  }
  if (o + s == gl->top) { /* the top block: lower the high-water mark */
    gl->top = o;
  } else {
    memmove(gaps + lo + 1, gaps + lo, (size_t)(gl->n - lo) * sizeof *gaps);
    gaps[lo] = (gap){o, s};
    ++gl->n;
  }
}

/* Offset of a new block of `size` bytes: the lowest gap that fits, else on top. 0 when the top would pass
 * SIZE_MAX, 1 otherwise. */
static int gaps_place(gap_list *gl, size_t size, size_t *offset) {
  gap *gaps = gl->v;
  int j = 0;
  while (j < gl->n && gaps[j].size < size) ++j;
  if (j < gl->n) {
    *offset = gaps[j].off;
    gaps[j].off += size;
    gaps[j].size -= size;
    if (gaps[j].size == 0) {
      memmove(gaps + j, gaps + j + 1, (size_t)(gl->n - j - 1) * sizeof *gaps);
      --gl->n;
    }
    return 1;
  }
  if (gl->top > SIZE_MAX - size) return 0;
  *offset = gl->top;
  gl->top += size;
  if (gl->top > gl->total) gl->total = gl->top;
  return 1;
}

/* First fit of every runtime value, in node order, into one arena (offsets into v->offset; the peak into
 * *total). A value produced at node i is alive until its last reader (graph outputs: to the end). The arena
 * below the high-water mark `top` is the live values and the free gaps between them (sorted by offset,
 * adjacent gaps merged); a new value takes the lowest gap that fits, else goes on top. Values are freed when
 * the walk passes their last reader (lists per node). That is first fit over the values alive at the same
 * time, at a cost per value of the number of gaps, not of the number of live values (a graph whose every
 * output is kept has no gaps). */
static cb_status plan(cb_graph *g, size_t *total_out) {
  cb_status st = CB_OK;
  const int nv = g->n_values, nn = g->n_nodes;
  gap_list gl = {malloc((size_t)(nv + 1) * sizeof *gl.v), 0, 0, 0};
  size_t *vsize = malloc((size_t)(nv + 1) * sizeof *vsize); /* (nv) bytes given to each value */
  /* head (nn + 1): first value ending at each node; next (nv): the next value ending at the same node */
  int *next = malloc((size_t)(nv + 1) * sizeof *next), *head = malloc((size_t)(nn + 1) * sizeof *head);
  CB_ALLOC_GOTO(gl.v, st, done);
  CB_ALLOC_GOTO(vsize, st, done);
  CB_ALLOC_GOTO(next, st, done);
  CB_ALLOC_GOTO(head, st, done);
  for (int e = 0; e <= nn; ++e) head[e] = -1;
  int freed = 0; /* freed: values ending before node `freed` are free */
  for (int i = 0; i < nn; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    for (; freed < i; ++freed)
      for (int id = head[freed]; id >= 0; id = next[id]) gaps_release(&gl, g->values[id].offset, vsize[id]);
    for (int k = 0; k < n->n_out; ++k) {
      cb__value *v = cb__out(g, n, k);
      size_t size = (size_t)cb__numel(v) * cb__dtype_size(v->dtype); /* <= 2^31 bytes: checked shapes */
      size = (size + ALIGN - 1) / ALIGN * ALIGN;
      if (size == 0) size = ALIGN;
      int end = v->last_use > i ? v->last_use : i;
      if (v->is_output) end = nn;
      if (!gaps_place(&gl, size, &v->offset)) {
        st = CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "activations need more than %zu bytes", (size_t)SIZE_MAX);
        goto done;
      }
      const int id = (int)(v - g->values);
      vsize[id] = size;
      next[id] = head[end];
      head[end] = id;
    }
  }
  *total_out = gl.total;
done:
  free(gl.v);
  free(vsize);
  free(next);
  free(head);
  return st;
}


cb_status cb_graph_finish(cb_graph *g) {
  if (g == NULL) return CB_ERROR(CB_ERR_ARG, "graph finish: NULL graph");
  if (g->finished) return CB_OK;
  cb_status st = CB_OK;
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
  size_t total = 0;
  CB_CHECK(plan(g, &total));
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
  return st;
}
