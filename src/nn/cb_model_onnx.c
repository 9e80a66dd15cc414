/* cb_model_onnx.c - an ONNX file as a model: loaded for one image
 * (symbolic batch = 1, symbolic H, W from the preprocessing). */
#include <stdio.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_onnx.h"

cb_status cb_model_load_onnx(const char *path, const cb_model_info *preprocessing, cb_model **out) {
  if (path == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "onnx model: NULL argument");
  cb_model_info info = {.name = NULL, .mean = {0, 0, 0}, .std = {1, 1, 1}, .visual_degrees = 8.0};
  if (preprocessing != NULL) info = *preprocessing;
  for (int c = 0; c < 3; ++c)
    if (!(info.std[c] > 0)) return CB_ERROR(CB_ERR_ARG, "%s: std[%d] = %g is not positive", path, c, info.std[c]);
  if (info.modality == CB_MODALITY_UNSET) info.modality = CB_MODALITY_VISUAL; /* the documented default */
  if (info.modality == CB_MODALITY_VISUAL && !(info.visual_degrees > 0))
    return CB_ERROR(CB_ERR_ARG, "%s: visual degrees %g not positive", path, info.visual_degrees);
  char name[128];
  const char *base = strrchr(path, '/');
  snprintf(name, sizeof name, "%s", base ? base + 1 : path);
  size_t len = strlen(name);
  if (len > 5 && strcmp(name + len - 5, ".onnx") == 0) name[len - 5] = '\0';
  info.name = name;
  cb_onnx_options opt;
  memset(&opt, 0, sizeof opt);
  opt.sym_dim = 1;
  cb_graph *g = NULL;
  if (info.in_h > 0 && info.in_w > 0) { /* (1, declared C, in_h, in_w) */
    opt.ndim = 4;
    opt.shape[0] = 1;
    opt.shape[1] = 0;
    opt.shape[2] = info.in_h;
    opt.shape[3] = info.in_w;
  }
  cb_status st = cb_onnx_load_graph(path, &opt, &g);
  if (st != CB_OK) return st;
  st = cb__model_from_graph(&info, g, out);
  if (st != CB_OK) return cb_error_prefix("%s", path);
  return CB_OK;
}
