/* cb_api_params.h - private to src/api: "name=value" options of cb_api_score
 * into cb_bench_params, with the names, checks and defaults of
 * `cortexbench score` (src/cli/cmd_score.c). */
#ifndef CB_API_PARAMS_H
#define CB_API_PARAMS_H

#include "cb_benchmark.h"

/* Owns the strings and the alpha grid that params point into. */
typedef struct cb_api_params {
  cb_bench_params bp;
  char **own;     /* (n_own) copies of the values */
  int n_own;
  double *alphas; /* (bp.n_alphas) */
} cb_api_params;

/* The defaults of `cortexbench score` (benchmark id from the assembly), then
 * each option in turn (NULL-terminated; NULL = none), then resolved from the
 * metric table. An unknown name or a bad value is CB_ERR_ARG naming it. */
cb_status cb_api_params_parse(const char *const *options, cb_api_params *out);
void cb_api_params_free(cb_api_params *p);

#endif
