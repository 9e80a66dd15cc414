/* cb_lbconfig.h - leaderboard options from a suite configuration: model and
 * benchmark order, each benchmark's region, the layer-commitment mode, the
 * selection benchmarks and fixed region->layer maps. */
#ifndef CB_LBCONFIG_H
#define CB_LBCONFIG_H

#include "cb_config.h"
#include "cb_leaderboard.h"

typedef struct cb_lb_config {
  cb_lb_options opt;    /* points into the arrays below and into the config */
  const char **models;  /* (n_models) */
  const char **benches; /* (n_benchmarks) */
  cb_lb_region *regions;
  const char **selection;
  cb_lb_commit *fixed;
  char **fixed_store;   /* owned "REGION" / "LAYER" halves */
  int n_fixed_store;
} cb_lb_config;

cb_status cb_lb_config_init(const cb_config *c, cb_lb_config *out);
void cb_lb_config_free(cb_lb_config *l);

#endif
