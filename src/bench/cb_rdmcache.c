/* cb_rdmcache.c - model RDMs kept from scoring for the report (cb_rdmcache.h). */
#include "cb_rdmcache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

static const char MAGIC[8] = {'C', 'B', 'R', 'D', 'M', '1', 0, 0};

cb_status cb_rdmcache_path(const char *work_dir, const char *key, char *out, size_t n) {
  char leaf[128];
  snprintf(leaf, sizeof leaf, "rdms/%.64s.rdm", key);
  return cb_path_join(out, n, work_dir, leaf);
}

cb_status cb_rdmcache_write(const char *path, const double *D, int n) {
  if (n < 2) return CB_ERROR(CB_ERR_ARG, "%s: an RDM needs n >= 2 stimuli (n = %d)", path, n);
  const size_t m = (size_t)n * (size_t)(n - 1) / 2, bytes = sizeof MAGIC + sizeof(int32_t) + m * sizeof(float);
  unsigned char *buf = malloc(bytes); /* magic, n, (m) float32 */
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "out of memory for the RDM of %d stimuli", n);
  const int32_t n32 = n;
  memcpy(buf, MAGIC, sizeof MAGIC);
  memcpy(buf + sizeof MAGIC, &n32, sizeof n32);
  float *v = (float *)(buf + sizeof MAGIC + sizeof n32);
  size_t k = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      const float x = (float)D[(size_t)i * n + j];
      memcpy(&v[k++], &x, sizeof x);
    }
  cb_status st = cb_file_write_atomic(path, buf, bytes);
  free(buf);
  return st;
}

cb_status cb_rdmcache_read(const char *path, int n, double *D) {
  char *buf = NULL;
  size_t len = 0;
  if (n < 2) return CB_ERROR(CB_ERR_ARG, "%s: an RDM needs n >= 2 stimuli (n = %d)", path, n);
  CB_CHECK(cb_file_read_all(path, &buf, &len));
  const size_t m = (size_t)n * (size_t)(n - 1) / 2;
  int32_t n32 = 0;
  if (len >= sizeof MAGIC + sizeof n32) memcpy(&n32, buf + sizeof MAGIC, sizeof n32);
  if (len != sizeof MAGIC + sizeof n32 + m * sizeof(float) || memcmp(buf, MAGIC, sizeof MAGIC) != 0 || n32 != n) {
    free(buf);
    return CB_ERROR(CB_ERR_FORMAT, "%s: not a cached RDM of %d stimuli", path, n);
  }
  const char *v = buf + sizeof MAGIC + sizeof n32;
  size_t k = 0;
  for (int i = 0; i < n; ++i) {
    D[(size_t)i * n + i] = 0;
    for (int j = i + 1; j < n; ++j, ++k) {
      float x;
      memcpy(&x, v + k * sizeof x, sizeof x);
      D[(size_t)i * n + j] = D[(size_t)j * n + i] = x;
    }
  }
  free(buf);
  return CB_OK;
}
