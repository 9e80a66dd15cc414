/* cb_nn_layer.h - internal: one layer of a sequential model. Each layer kind
 * lives in its own source file with an init function and a forward function
 * reached through a pointer (darknet style). Not installed, not public. */
#ifndef CB_NN_LAYER_H
#define CB_NN_LAYER_H

#include <stddef.h>

#include "cb_nn_ops.h"
#include "cb_rng.h"
#include "cb_status.h"

#define CB__LAYER_NAME_MAX 64

typedef enum cb__layer_kind {
  CB__LAYER_IDENTITY = 0,
  CB__LAYER_CONV2D = 1,
  CB__LAYER_RELU = 2,
  CB__LAYER_MAXPOOL2D = 3
} cb__layer_kind;

typedef struct cb__layer cb__layer;

/* Runs the layer on one image: x (in_c, in_h, in_w) -> y (out_c, out_h, out_w).
 * work is the model's shared scratch of at least l->workspace floats. */
typedef void (*cb__forward_fn)(const cb__layer *l, const float *x, float *work, float *y);

struct cb__layer {
  cb__layer_kind kind;
  char name[CB__LAYER_NAME_MAX];
  int in_c, in_h, in_w;    /* per-image input shape */
  int out_c, out_h, out_w; /* per-image output shape */
  int k, stride, pad;      /* conv / pool window (square) */
  cb_conv2d_geom conv;     /* conv only */
  float *weights;          /* (out_c, in_c, k, k), conv only, owned */
  float *bias;             /* (out_c), conv only, owned */
  size_t workspace;        /* floats of shared scratch forward needs */
  cb__forward_fn forward;
};

/* Common start of every init: validates, zeroes *l, sets kind, name and
 * in/out shape (c, h, w); the kind's init fills the rest. */
cb_status cb__layer_begin(cb__layer *l, cb__layer_kind kind, const char *name, int c, int h, int w);
cb_status cb__identity_init(cb__layer *l, const char *name, int c, int h, int w);
cb_status cb__relu_init(cb__layer *l, const char *name, int c, int h, int w);
cb_status cb__maxpool2d_init(cb__layer *l, const char *name, int c, int h, int w, int k, int stride);
/* Allocates zero weights and biases. */
cb_status cb__conv2d_init(cb__layer *l, const char *name, int in_c, int in_h, int in_w, int out_c, int k,
                          int stride, int pad);
/* He/Kaiming-normal weights, std = sqrt(2 / fan_in), fan_in = in_c*k*k; biases 0. */
void cb__conv2d_init_he(cb__layer *l, cb_rng *rng);
/* Frees what the layer owns (NULL-safe fields). */
void cb__layer_release(cb__layer *l);

#endif
