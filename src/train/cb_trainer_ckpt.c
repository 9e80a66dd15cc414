/* cb_trainer_ckpt.c - checkpoints: the graph as ONNX, then a state file (little-endian binary):
 *   "CBTRAIN1", int64 step, int64 optimiser steps, int64 n tensors, int64 has_m, int64 has_v,
 *   int64 numel (n), float32 m of every tensor (when has_m), float32 v of every tensor (when has_v). */
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_onnx.h"
#include "cb_trainer_impl.h"

#define MAGIC "CBTRAIN1"

cb_status cb_trainer_save(cb_trainer *t, const char *onnx_path, const char *state_path, int64_t step) {
  if (t == NULL || onnx_path == NULL || state_path == NULL) return CB_ERROR(CB_ERR_ARG, "checkpoint: NULL argument");
  CB_CHECK(cb_onnx_write_graph(t->g, onnx_path, &(cb_onnx_write_opts){.batch_param = "N"}));
  const int n = cb_optim_n_tensors(t->opt);
  int64_t hdr[5] = {step, cb_optim_steps(t->opt), n, 0, 0};
  hdr[3] = n > 0 && cb_optim_buffer(t->opt, 0, 0) != NULL;
  hdr[4] = n > 0 && cb_optim_buffer(t->opt, 0, 1) != NULL;
  int64_t floats = 0;
  for (int i = 0; i < n; ++i) {
    int64_t numel = 0;
    cb_train_param_data(t->tr, i, &numel);
    floats += numel * (hdr[3] + hdr[4]);
  }
  const size_t bytes = 8 + sizeof hdr + (size_t)n * sizeof(int64_t) + (size_t)floats * sizeof(float);
  char *buf = malloc(bytes), *p = buf;
  if (buf == NULL) return CB_ERROR(CB_ERR_NOMEM, "%s: out of memory", state_path);
  memcpy(p, MAGIC, 8), p += 8;
  memcpy(p, hdr, sizeof hdr), p += sizeof hdr;
  for (int i = 0; i < n; ++i, p += sizeof(int64_t)) {
    int64_t numel = 0;
    cb_train_param_data(t->tr, i, &numel);
    memcpy(p, &numel, sizeof numel);
  }
  for (int which = 0; which < 2; ++which)
    for (int i = 0; hdr[3 + which] && i < n; ++i) {
      int64_t numel = 0;
      cb_train_param_data(t->tr, i, &numel);
      memcpy(p, cb_optim_buffer(t->opt, i, which), (size_t)numel * sizeof(float)), p += (size_t)numel * sizeof(float);
    }
  cb_status st = cb_file_write_atomic(state_path, buf, bytes);
  free(buf);
  return st;
}

/* Checks the state file's header against the trainer's optimiser. */
static cb_status check_state(cb_trainer *t, const char *path, const char *buf, size_t n, int64_t *hdr) {
  const int nt = cb_optim_n_tensors(t->opt);
  if (n < 8 + 5 * sizeof(int64_t) || memcmp(buf, MAGIC, 8) != 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: not a cortexbench training state file", path);
  memcpy(hdr, buf + 8, 5 * sizeof(int64_t));
  const int has_m = nt > 0 && cb_optim_buffer(t->opt, 0, 0) != NULL, has_v = nt > 0 && cb_optim_buffer(t->opt, 0, 1) != NULL;
  if (hdr[0] < 0 || hdr[1] < 0 || hdr[2] != nt || hdr[3] != has_m || hdr[4] != has_v)
    return CB_ERROR(CB_ERR_FORMAT, "%s: training state of another model or optimiser (%lld tensors, %d expected)", path,
                    (long long)hdr[2], nt);
  size_t need = 8 + 5 * sizeof(int64_t) + (size_t)nt * sizeof(int64_t);
  for (int i = 0; i < nt; ++i) {
    int64_t numel = 0, stored = 0;
    cb_train_param_data(t->tr, i, &numel);
    if (need <= n) memcpy(&stored, buf + 8 + 5 * sizeof(int64_t) + (size_t)i * sizeof(int64_t), sizeof stored);
    if (stored != numel)
      return CB_ERROR(CB_ERR_FORMAT, "%s: tensor %d has %lld elements, the model's %lld", path, i, (long long)stored, (long long)numel);
    need += (size_t)numel * sizeof(float) * (size_t)(has_m + has_v);
  }
  if (need != n) return CB_ERROR(CB_ERR_FORMAT, "%s: %zu bytes, %zu expected (truncated or foreign)", path, n, need);
  return CB_OK;
}

cb_status cb_trainer_load_state(cb_trainer *t, const char *state_path, int64_t *step) {
  if (t == NULL || state_path == NULL || step == NULL) return CB_ERROR(CB_ERR_ARG, "checkpoint: NULL argument");
  char *buf = NULL;
  size_t n = 0;
  int64_t hdr[5];
  CB_CHECK(cb_file_read_all(state_path, &buf, &n));
  cb_status st = check_state(t, state_path, buf, n, hdr);
  if (st == CB_OK) {
    const int nt = (int)hdr[2];
    const char *p = buf + 8 + 5 * sizeof(int64_t) + (size_t)nt * sizeof(int64_t);
    for (int which = 0; which < 2; ++which)
      for (int i = 0; hdr[3 + which] && i < nt; ++i) {
        int64_t numel = 0;
        cb_train_param_data(t->tr, i, &numel);
        memcpy(cb_optim_buffer(t->opt, i, which), p, (size_t)numel * sizeof(float)), p += (size_t)numel * sizeof(float);
      }
    cb_optim_set_steps(t->opt, hdr[1]);
    *step = hdr[0];
  }
  free(buf);
  return st;
}
