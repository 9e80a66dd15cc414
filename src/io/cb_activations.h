/* cb_activations.h - the activations file contract (serial reader and writer).
 *
 *   /stimulus_id         vlen UTF-8 strings (n)
 *   /layers/<layer>      float32 (n, features), features in C order of (channels, height, width)
 *   root attributes      model, cortexbench_version (strings, fixed or vlen)
 *
 * Layer datasets are chunked along stimuli, full feature width (about
 * chunk_bytes per chunk), optionally deflate-compressed after a byte shuffle;
 * readers need not know (HDF5 undoes the filters).
 *
 * Layer names must be valid HDF5 link names: non-empty, no '/', not "." .
 * The parallel writer lives in src/par and writes the same layout.
 */
#ifndef CB_ACTIVATIONS_H
#define CB_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "cb_status.h"

typedef struct cb_activations {
  char *model, *version;  /* "" when the attribute is absent */
  char *task_key;         /* root attribute task_key (what the file was computed from), "" when absent */
  int64_t n;
  char **stimulus_id;     /* (n) */
  int n_layers;
  char **layer_names;     /* (n_layers) sorted by HDF5 link creation order if tracked, else name order */
  int64_t *features;      /* (n_layers) second dimension of each layer dataset */
} cb_activations;

/* Reads metadata only (attributes, stimulus ids, layer names and shapes). */
/* HDF5 link name of a layer under /layers: '%' -> "%25", '/' -> "%2F" and
 * a name "." -> "%2E" (ONNX exporters name outputs like "/layer1/Relu_output_0",
 * which HDF5 would otherwise read as nested groups). Decoding reverses it;
 * readers show and accept the decoded names. */
/* A dataset-creation property list without modification times (HDF5
 * records them by default, which makes identical content differ in bytes);
 * owned by the library, do not close. */
hid_t cb_h5_dcpl_untimed(void);

/* Storage layout of layer datasets. A zeroed struct (or NULL where a
 * pointer is taken) is the default: no compression, 2 MiB chunks. */
typedef struct cb_activations_layout {
  int deflate;         /* 0 = none; 1..9 = zlib level, with byte shuffle */
  int64_t chunk_bytes; /* target bytes per chunk; 0 = CB_ACTIVATIONS_CHUNK_BYTES */
} cb_activations_layout;

#define CB_ACTIVATIONS_CHUNK_BYTES ((int64_t)2 << 20)

/* Rows per chunk of an (n, features) float32 layer: chunk_bytes / (4 features),
 * clamped to [1, n] (a function of n and features only, never of the rank
 * count, so that every rank count writes the same file). */
int64_t cb_activations_chunk_rows(int64_t n, int64_t features, const cb_activations_layout *layout);
/* Dataset-creation property list of an (n, features) layer: untimed; chunked
 * (chunk_rows, features) when n, features > 0, else contiguous; shuffle +
 * deflate when layout->deflate > 0. The caller closes *out with H5Pclose.
 * CB_ERR_ARG for a level outside 0..9. */
cb_status cb_activations_layer_dcpl(int64_t n, int64_t features, const cb_activations_layout *layout, hid_t *out);

cb_status cb_layer_link_encode(const char *name, char *out, size_t n);
cb_status cb_layer_link_decode(const char *link, char *out, size_t n);

cb_status cb_activations_open(const char *path, cb_activations **out);
/* Reads one layer as float32; *X is (n, *features), the caller frees it. An
 * unknown layer gives CB_ERR_ARG "F.h5: no layer 'x' (layers: a, b, …)". */
cb_status cb_activations_read_layer(const cb_activations *a, const char *path, const char *layer,
                                    float **X /* (n, features) */, int64_t *features);
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

#endif
