/* cb_modelopen.h - a model by name, as suites and the command line name
 * them: a path ending in .onnx, an entry of the zoo manifest
 * (benchmarks/zoo.ini: a builder, a local ONNX file, or a downloaded
 * pretrained model once `cortexbench zoo verify NAME` fetched it), or a
 * built-in zoo builder seeded with `seed`. */
#ifndef CB_MODELOPEN_H
#define CB_MODELOPEN_H

#include <stddef.h>
#include <stdint.h>

#include "cb_nn.h"
#include "cb_status.h"
#include "cb_zoo_manifest.h"

/* Completes the zoo with the models defined outside nn (the synthetic generators' truth models, src/synth) so that
 * every model is openable and listed by name; idempotent. The functions below call it; so do listings. */
cb_status cb_models_register(void);

/* The zoo manifest: override, else $CORTEXBENCH_ZOO, else
 * <executable>/../../benchmarks/zoo.ini, else benchmarks/zoo.ini. */
cb_status cb_zoo_manifest_path(const char *override, char *out, size_t n);
/* Reads the zoo manifest at `path` (cb_zoo_manifest_read), every builder
 * entry checked against the zoo's builders. */
cb_status cb_zoo_manifest_load(const char *path, cb_zoo_manifest **out);
/* The model of an entry, named after the entry, with its preprocessing:
 * builder entries are built, onnx entries loaded from e->onnx, url entries
 * from `onnx_path` (the fetched and unpacked file; NULL otherwise). */
cb_status cb_zoo_entry_model(const cb_zoo_entry *e, const char *onnx_path, cb_model **out);
cb_status cb_model_open(const char *name, uint64_t seed, cb_model **out);
/* Same with an input size (in_h, in_w > 0) for builders that accept one
 * (0, 0: the model's default). */
cb_status cb_model_open_sized(const char *name, uint64_t seed, int in_h, int in_w, cb_model **out);

/* A model as a suite's [model] section describes it (docs/config.md). */
typedef struct cb_model_spec {
  const char *zoo;         /* zoo builder or zoo-manifest name, or NULL when onnx is given */
  const char *onnx;        /* an ONNX file, or NULL */
  uint64_t seed;           /* builder weights, and the reinit streams */
  int in_h, in_w;          /* input size (0: the model's own) */
  const float *mean, *std; /* (3) onnx: normalisation of [0, 1] pixels (NULL: 0 and 1) */
  double visual_degrees;   /* onnx: field of view (NaN: 8) */
  const char *reinit;      /* NULL, or a scheme of cb_model_reinit: every weight re-drawn (the untrained twin) */
  cb_modality modality;    /* declared; UNSET: the builder's (zoo), visual (onnx) */
  const char *front_end;   /* declared input front end, NULL: the modality's default (cb_front_end.h) */
} cb_model_spec;

/* The model, checked to have an input front end that can fill its input (cb_front_end_check): a suite's model
 * must be extractable. */
cb_status cb_model_open_spec(const cb_model_spec *s, cb_model **out);

#endif
