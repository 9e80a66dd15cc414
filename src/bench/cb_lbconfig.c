#include "cb_lbconfig.h"

#include <stdlib.h>
#include <string.h>

#include "cb_strbuf.h"

cb_status cb_lb_config_init(const cb_config *c, cb_lb_config *l) {
  memset(l, 0, sizeof *l);
  int n_fixed = 0;
  for (int m = 0; m < c->n_models; ++m) n_fixed += c->models[m].n_region_layers;
  l->models = calloc((size_t)c->n_models + 1, sizeof *l->models);
  l->benches = calloc((size_t)c->n_benchmarks + 1, sizeof *l->benches);
  l->regions = calloc((size_t)c->n_benchmarks + 1, sizeof *l->regions);
  l->selection = calloc((size_t)c->n_benchmarks + 1, sizeof *l->selection);
  l->fixed = calloc((size_t)n_fixed + 1, sizeof *l->fixed);
  l->fixed_store = calloc((size_t)2 * n_fixed + 1, sizeof *l->fixed_store);
  if (!l->models || !l->benches || !l->regions || !l->selection || !l->fixed || !l->fixed_store) {
    cb_lb_config_free(l);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  int n_sel = 0;
  for (int m = 0; m < c->n_models; ++m) l->models[m] = c->models[m].name;
  for (int b = 0; b < c->n_benchmarks; ++b) {
    l->benches[b] = c->benchmarks[b].id;
    l->regions[b] = (cb_lb_region){c->benchmarks[b].id, c->benchmarks[b].region};
    if (c->benchmarks[b].selection) l->selection[n_sel++] = c->benchmarks[b].id;
  }
  int k = 0;
  for (int m = 0; m < c->n_models; ++m)
    for (int i = 0; i < c->models[m].n_region_layers; ++i) {
      const char *s = c->models[m].region_layers[i], *colon = strchr(s, ':');
      char *region = malloc((size_t)(colon - s) + 1), *layer = cb_strdup(colon + 1);
      l->fixed_store[l->n_fixed_store++] = region;
      l->fixed_store[l->n_fixed_store++] = layer;
      if (!region || !layer) {
        cb_lb_config_free(l);
        return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      }
      memcpy(region, s, (size_t)(colon - s));
      region[colon - s] = '\0';
      l->fixed[k++] = (cb_lb_commit){c->models[m].name, region, layer};
    }
  l->opt = (cb_lb_options){.models = l->models,
                           .n_models = c->n_models,
                           .benchmarks = l->benches,
                           .n_bench = c->n_benchmarks,
                           .regions = l->regions,
                           .n_regions = c->n_benchmarks,
                           .layer_mode = c->per_benchmark_layers ? CB_LB_PER_BENCHMARK : CB_LB_PER_REGION,
                           .selection = l->selection,
                           .n_selection = n_sel,
                           .fixed = l->fixed,
                           .n_fixed = k,
                           .skip_missing = c->average_scored};
  return CB_OK;
}

void cb_lb_config_free(cb_lb_config *l) {
  if (!l) return;
  for (int i = 0; i < l->n_fixed_store; ++i) free(l->fixed_store[i]);
  free(l->fixed_store);
  free(l->models);
  free(l->benches);
  free(l->regions);
  free(l->selection);
  free(l->fixed);
  memset(l, 0, sizeof *l);
}
