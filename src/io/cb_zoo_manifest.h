/* cb_zoo_manifest.h - the zoo manifest (benchmarks/zoo.ini, read with
 * cb_ini): every model a user can name, with its preprocessing and where it
 * comes from. One [model] section per model (libinih cuts section names, so
 * the name is a key):
 *
 *   [model]
 *   name = resnet50_onnx        unique, [A-Za-z0-9._-]
 *   builder = resnet50          one source: a zoo builder (cb_zoo.h) ...
 *   onnx = models/my.onnx       ... or an ONNX file (relative to the manifest) ...
 *   url = https://.../x.tar.gz  ... or a download (.onnx, .tar.gz, .tgz, .tar)
 *   sha256 = <64 hex>           of the onnx file or download (required for url;
 *                               "unpinned" = not known yet: verify refuses
 *                               it unless given --sha256)
 *   member = resnet50/model.onnx  the model inside an archive
 *   input = 224x224             HxW (builder: default its own size)
 *   mean = 0.485, 0.456, 0.406  per-channel normalisation of [0, 1] pixels
 *   std = 0.229, 0.224, 0.225
 *   visual_degrees = 8
 *   modality = audio            the stimuli the model takes: visual or audio
 *                               (builder: must be the builder's; ONNX: default visual)
 *   front_end = cochleagram     its input front end (src/input/cb_front_end.h;
 *                               default: the modality's, image or cochleagram)
 *   seed = 1                    builder weights
 *   rtol = 0.001                tolerances of `cortexbench zoo verify`
 *   atol = 1e-7                 (the test_data_set_* of the archive)
 *   note = free text
 *
 * Lines start with ';' or '#' for comments. Unknown keys, duplicate names,
 * two sources, malformed numbers or checksums are errors naming the file,
 * the model and the key.
 *
 * This is the file format only (io): the model of an entry is built by
 * bench (cb_zoo_entry_model, cb_modelopen.h), which also reads the manifest
 * with the zoo's builders checked (cb_zoo_manifest_load). */
#ifndef CB_ZOO_MANIFEST_H
#define CB_ZOO_MANIFEST_H

#include <stdint.h>

#include "cb_modality.h"
#include "cb_status.h"

typedef enum cb_zoo_source { CB_ZOO_SRC_BUILDER = 1, CB_ZOO_SRC_ONNX, CB_ZOO_SRC_URL } cb_zoo_source;

typedef struct cb_zoo_entry {
  char *name;
  cb_zoo_source source;
  char *builder;          /* CB_ZOO_SRC_BUILDER: registry name */
  char *onnx;             /* CB_ZOO_SRC_ONNX: path, resolved against the manifest's directory */
  char *url;              /* CB_ZOO_SRC_URL */
  char *sha256;           /* lower-case hex, or NULL (unpinned / not given) */
  char *member;           /* archive member holding the model, or NULL */
  int in_h, in_w;         /* 0 = builder default */
  float mean[3], std[3];
  double visual_degrees;
  cb_modality modality;   /* UNSET: not declared (the builder's; visual for ONNX) */
  char *front_end;        /* or NULL: the modality's default */
  uint64_t seed;
  double rtol, atol;      /* verify tolerances (default 1e-3, 1e-7) */
  char *note;             /* or NULL */
} cb_zoo_entry;

typedef struct cb_zoo_manifest {
  char *path;
  int n;
  cb_zoo_entry *entries; /* (n) in file order */
} cb_zoo_manifest;

/* Reads and checks the manifest at `path`. A builder entry whose builder
 * `builder_known` refuses is an error "PATH: model NAME: unknown builder
 * 'B'" (NULL: builders are not checked; io does not know the zoo). */
cb_status cb_zoo_manifest_read(const char *path, int (*builder_known)(const char *builder), cb_zoo_manifest **out);
void cb_zoo_manifest_destroy(cb_zoo_manifest **m);
/* The entry called `name`, or NULL. */
const cb_zoo_entry *cb_zoo_manifest_find(const cb_zoo_manifest *m, const char *name);
/* "builder", "onnx" or "url". */
const char *cb_zoo_source_name(cb_zoo_source s);

#endif
