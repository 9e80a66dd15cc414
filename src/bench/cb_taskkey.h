/* cb_taskkey.h - resume keys: a SHA-256 over everything that determines a
 * task's result, so that a committed result is reused only when it is
 * still valid and a changed input (model weights, stimuli, recordings,
 * benchmark parameters, seed, cortexbench version) is recomputed. */
#ifndef CB_TASKKEY_H
#define CB_TASKKEY_H

#include "cb_benchmark.h"
#include "cb_nn.h"
#include "cb_status.h"
#include "cb_stimuli.h"

#define CB_KEY_HEX 65 /* 64 hex digits + NUL */

/* Digest of a stimulus set: its CSV and the bytes of every stimulus file. */
cb_status cb_key_stimulus_set(const cb_stimulus_set *s, char out[CB_KEY_HEX]);
/* Digest of a file's bytes (e.g. an assembly). */
cb_status cb_key_file(const char *path, char out[CB_KEY_HEX]);
/* Activations of `layers` of a model (name, architecture and weights) on a
 * stimulus set placed at `degrees` of visual angle. */
void cb_key_activations(const cb_model *m, const char *model_name, const char *set_key, double degrees,
                        const char *const *layers, int n_layers, char out[CB_KEY_HEX]);
/* One (model, layer, benchmark) score. */
/* Key of an RDM-only model: its file's key and the RDM's name in the file. */
void cb_key_rdm_model(const char *file_key, const char *entry, char out[CB_KEY_HEX]);
void cb_key_score(const char *activations_key, const char *layer, const char *assembly_key,
                  const cb_bench_params *p, char out[CB_KEY_HEX]);
/* A selection score on PCA-projected activations: the plain score key plus
 * the requested components and the activations key of the fit set (which
 * covers its model, layers and stimulus bytes). */
void cb_key_score_pca(const char *score_key, int components, const char *fit_activations_key, char out[CB_KEY_HEX]);

#endif
