/* cb_nn_layer.c - helpers shared by every layer kind. */
#include "cb_nn_layer.h"

#include <stdlib.h>
#include <string.h>

/* Common part of every init: name and shapes; the kind file fills the rest. */
cb_status cb__layer_begin(cb__layer *l, cb__layer_kind kind, const char *name, int c, int h, int w) {
  if (l == NULL || name == NULL) return CB_ERROR(CB_ERR_ARG, "layer init: NULL argument");
  if (strlen(name) >= CB__LAYER_NAME_MAX)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': name longer than %d characters", name, CB__LAYER_NAME_MAX - 1);
  if (c <= 0 || h <= 0 || w <= 0)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': input shape (%d, %d, %d) is not positive", name, c, h, w);
  memset(l, 0, sizeof *l);
  l->kind = kind;
  strcpy(l->name, name);
  l->in_c = l->out_c = c;
  l->in_h = l->out_h = h;
  l->in_w = l->out_w = w;
  return CB_OK;
}

void cb__layer_release(cb__layer *l) {
  if (l == NULL) return;
  free(l->weights);
  free(l->bias);
  l->weights = NULL;
  l->bias = NULL;
}
