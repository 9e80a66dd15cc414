/* cb_bench_config.c - what a suite configuration says of its metrics, checked through the metric table.
 *
 * io reads the configuration without knowing the metrics (it includes core only, the table lives in
 * src/metrics/): it keeps each [benchmark]'s `metric =` as written. The checks below run right after the read,
 * with the reader's one-line messages (file, section, key), so a configuration is refused before any work. */
#include "cb_benchmark.h"

#include <string.h>

/* The metric facts of one [benchmark] section. */
static cb_status check_benchmark(const cb_config *c, const cb_cfg_benchmark *b) {
  char names[256];
  const cb_metric_row *r = cb_metric_row_by_name(b->metric);
  if (!r)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'metric': expected one of: %s, got '%s'", c->path, b->id,
                    cb_metric_names(names, sizeof names, ", ", ", ", 0), b->metric);
  if (b->ceiling && !strcmp(b->ceiling, "voxel") && !r->voxel_ceiling)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'ceiling': 'voxel' needs metric %s (got '%s')", c->path,
                    b->id, cb_metric_names(names, sizeof names, ", ", " or ", 1), b->metric);
  const cb_cfg_dataset *d = cb_config_dataset(c, b->dataset);
  if (d && d->rdm && r->family != CB_METRIC_FAMILY_RDM)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [benchmark %s] key 'metric': [dataset %s] holds RDMs only (key 'rdm'): the "
                    "metric must be rdm (got '%s')", c->path, b->id, b->dataset, b->metric);
  return CB_OK;
}

cb_status cb_bench_config_check(const cb_config *c) {
  for (int i = 0; i < c->n_benchmarks; ++i) CB_CHECK(check_benchmark(c, &c->benchmarks[i]));
  return CB_OK;
}

cb_status cb_bench_config_read(const char *path, cb_config **out) {
  cb_config *c = NULL;
  CB_CHECK(cb_config_read(path, &c));
  cb_status st = cb_bench_config_check(c);
  if (st != CB_OK) {
    cb_config_destroy(&c);
    return st;
  }
  *out = c;
  return CB_OK;
}
