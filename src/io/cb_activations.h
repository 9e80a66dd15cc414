/* cb_activations.h - the activations file contract (serial reader and writer).
 *
 * Version 2 (written; docs/formats.md "Activations"): a netCDF-4 file.
 *   /stimulus_id         vlen UTF-8 strings (n), coordinate variable (dimension scale)
 *   /<var>               float32 (n, <per-stimulus shape>) per layer, in model order
 *                        (link creation order), attribute `layer` = exact layer name;
 *                        names from cb_act_names.h
 *   /<role>_<size>       dimension scales without values (netCDF dimensions)
 *   root attributes      model, cortexbench_version, task_key, activations_format = 2
 * Version 1 (still read): /stimulus_id and /layers/<percent-encoded name>
 * float32 (n, features).
 *
 * Layer datasets are chunked along stimuli, full per-stimulus width (about
 * chunk_bytes per chunk), deflate-compressed after a byte shuffle unless
 * turned off; readers need not know (HDF5 undoes the filters).
 * The parallel writer lives in src/par and writes the same layout, through
 * the HDF5-level helpers of the private header cb_act_impl.h.
 */
#ifndef CB_ACTIVATIONS_H
#define CB_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_act_names.h"
#include "cb_status.h"

typedef struct cb_activations {
  char *model, *version;  /* "" when the attribute is absent */
  char *task_key;         /* root attribute task_key (what the file was computed from), "" when absent */
  int64_t n;
  char **stimulus_id;     /* (n) */
  int n_layers;
  char **layer_names;     /* (n_layers) sorted by HDF5 link creation order if tracked, else name order */
  int64_t *features;      /* (n_layers) elements per stimulus of each layer dataset */
  char **layer_paths;     /* (n_layers) HDF5 path of each layer dataset ("/conv1", "/layers/fc%2Fout") */
  int format;             /* 1 or 2 */
} cb_activations;

/* Storage layout of layer datasets. NULL where a pointer is taken is the
 * default: shuffle + deflate level CB_ACTIVATIONS_DEFLATE, 2 MiB chunks.
 * A zeroed struct means no compression, 2 MiB chunks. */
typedef struct cb_activations_layout {
  int deflate;         /* 0 = none; 1..9 = zlib level, with byte shuffle */
  int64_t chunk_bytes; /* target bytes per chunk; 0 = CB_ACTIVATIONS_CHUNK_BYTES */
} cb_activations_layout;

#define CB_ACTIVATIONS_CHUNK_BYTES ((int64_t)2 << 20)
#define CB_ACTIVATIONS_DEFLATE 1 /* default level: see docs/formats.md for the measurements */

/* The deflate level of layout (NULL: the default). */
int cb_activations_deflate(const cb_activations_layout *layout);

/* Rows per chunk of an (n, features) float32 layer: chunk_bytes / (4 features),
 * clamped to [1, n] (a function of n and features only, never of the rank
 * count, so that every rank count writes the same file). */
int64_t cb_activations_chunk_rows(int64_t n, int64_t features, const cb_activations_layout *layout);

/* HDF5 link name of a layer under /layers: '%' -> "%25", '/' -> "%2F" and
 * a name "." -> "%2E" (ONNX exporters name outputs like "/layer1/Relu_output_0",
 * which HDF5 would otherwise read as nested groups). Decoding reverses it;
 * readers show and accept the decoded names. */
cb_status cb_layer_link_encode(const char *name, char *out, size_t n);
cb_status cb_layer_link_decode(const char *link, char *out, size_t n);

/* Reads metadata only (attributes, stimulus ids, layer names and shapes) of
 * a version 1 or 2 file. */
cb_status cb_activations_open(const char *path, cb_activations **out);
/* Reads one layer as float32; *X is (n, *features), the caller frees it. An
 * unknown layer gives CB_ERR_ARG "F.h5: no layer 'x' (layers: a, b, …)". */
cb_status cb_activations_read_layer(const cb_activations *a, const char *path, const char *layer,
                                    float **X /* (n, features) */, int64_t *features);
/* The rows `rows` (m; each in [0, n)) of one layer in that order: *X is (m, *features), the caller frees it; rows
 * NULL: every row (m ignored). The layer is copied once (a file this process wrote is read in place; another one by
 * the isolated reader, which decodes it into shared memory this process maps). */
cb_status cb_activations_read_rows(const cb_activations *a, const char *path, const char *layer,
                                   const int64_t *rows /* (m) or NULL */, int64_t m, float **X /* (m, features) */,
                                   int64_t *features);
void cb_activations_destroy(cb_activations **a);
/* Writes the whole file atomically (temp + rename; parent directories made).
 * X[l] is (n, features[l]). Link creation order is tracked so that readers
 * list layers in the order given. */
cb_status cb_activations_write(const char *path, const char *model, const char *version, int64_t n,
                               const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                               const float *const *X /* per layer (n, features[l]) */, const int64_t *features);
/* Same, with the layer storage layout (NULL = default). */
cb_status cb_activations_write_layout(const char *path, const char *model, const char *version, int64_t n,
                                      const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                                      const float *const *X /* per layer (n, features[l]) */,
                                      const int64_t *features, const cb_activations_layout *layout);
/* Same, with per-stimulus shapes (shapes NULL: each layer (features[l])). */
cb_status cb_activations_write_shaped(const char *path, const char *model, const char *version, int64_t n,
                                      const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                                      const float *const *X /* per layer (n, features[l]) */,
                                      const int64_t *features, const cb_act_shape *shapes /* (n_layers) */,
                                      const cb_activations_layout *layout);

#endif
