/* cb_par.h - the only interface to MPI. Everything numeric is sequential
 * and lives elsewhere; this folder partitions work, agrees on errors,
 * reduces timers and writes HDF5 collectively (PETSc style: a sequential
 * kernel plus a thin parallel wrapper). */
#ifndef CB_PAR_H
#define CB_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"
#include "cb_timer.h"

typedef struct cb_par cb_par; /* opaque: communicator, rank, size, node layout */

/* Initialises MPI (if not yet) on MPI_COMM_WORLD, tells cb_log the rank. */
cb_status cb_par_init(int *argc, char ***argv, cb_par **out);
/* For commands with nothing to distribute (score, leaderboard, list, rsa, ..., and every --help): MPI is not
 * started (about 0.1 s saved per command). rank = the launcher's rank when one started the process (mpirun:
 * OMPI_COMM_WORLD_RANK, PMIX_RANK or PMI_RANK; srun: SLURM_PROCID in a job step), so that under mpirun rank 0
 * alone does the work; size 1. The collectives act on this rank alone (cb_par_agree returns its status). */
cb_status cb_par_init_serial(cb_par **out);
/* Finalises MPI if cb_par_init initialised it. NULL-safe. */
void cb_par_destroy(cb_par **p);

int cb_par_rank(const cb_par *p);
int cb_par_size(const cb_par *p);
/* Ranks sharing this node, and this node's online cores. */
int cb_par_local_size(const cb_par *p);
int cb_par_node_cores(const cb_par *p);

/* Sets OpenBLAS threads to this rank's share of the node's cores
 * (max(1, cores / ranks on the node), capped by the CPUs this rank may run
 * on), unless OPENBLAS_NUM_THREADS is set. Returns the thread count. */
int cb_par_set_blas_threads(cb_par *p);

/* Collective: every rank passes its local status; returns CB_OK on every
 * rank if all succeeded, else the lowest failing rank's status on every
 * rank, with that rank's message installed as the current error. */
cb_status cb_par_agree(cb_par *p, cb_status local);
cb_status cb_par_barrier(cb_par *p);
/* Collective: rank 0's NUL-terminated string (buffer of n bytes) reaches
 * every rank. */
cb_status cb_par_bcast_string(cb_par *p, char *buf, size_t n);
/* Collective sum of doubles in place. */
cb_status cb_par_allreduce_sum(cb_par *p, double *v, int n);

/* Contiguous block of [0, n) owned by `rank` of `size` (sizes differ by at
 * most one, lower ranks get the larger blocks). */
void cb_par_block(int64_t n, int rank, int size, int64_t *start, int64_t *count);

/* Collective: prints on rank 0 a table of every stage with max/min/mean
 * time across ranks and items per rank. */
cb_status cb_par_timers_report(cb_par *p, const cb_timers *t);

/* "Open MPI v4.1.4, ..." (first line of MPI_Get_library_version). */
void cb_par_mpi_version(char *out, size_t n);

/* Collective write of an activations file (the Foundation's contract):
 * /stimulus_id (n vlen UTF-8 strings), /layers/<name> float32 (n, features),
 * root attributes model, cortexbench_version and (when not NULL) task_key.
 * Each rank passes the rows
 * [start, start + count) it computed; all ranks pass the same n, ids,
 * layer names and features. Written to a temporary name, renamed on
 * success by rank 0, removed on failure. Rank 0 first reserves an upper
 * bound of the file's size on disk (a full disk is reported there, before
 * any collective write), and every write step ends with an agreement, so
 * all ranks fail together with one message (see cb_par_hdf5.c). */
cb_status cb_par_write_activations(cb_par *p, const char *path, const char *model, const char *task_key, int64_t n,
                                   const char *const *stimulus_id /* (n) */, int n_layers,
                                   const char *const *layer_names /* (n_layers) */,
                                   const int64_t *features /* (n_layers) */, int64_t start, int64_t count,
                                   const float *const *X /* per layer (count, features[l]) */);

/* Same, with the storage layout of the layer datasets (chunk size,
 * deflate level; cb_activations.h). NULL = default (2 MiB chunks along
 * stimuli, shuffle + deflate level CB_ACTIVATIONS_DEFLATE). The file's bytes are the same for any rank
 * count and any block split. */
typedef struct cb_activations_layout cb_activations_layout;
cb_status cb_par_write_activations_layout(cb_par *p, const char *path, const char *model, const char *task_key,
                                          int64_t n, const char *const *stimulus_id /* (n) */, int n_layers,
                                          const char *const *layer_names /* (n_layers) */,
                                          const int64_t *features /* (n_layers) */, int64_t start, int64_t count,
                                          const float *const *X /* per layer (count, features[l]) */,
                                          const cb_activations_layout *layout);
/* Same, with each layer's per-stimulus shape (cb_act_names.h; NULL: each
 * layer (features[l])): layer l is stored (n, shapes[l].dims...). */
typedef struct cb_act_shape cb_act_shape;
cb_status cb_par_write_activations_shaped(cb_par *p, const char *path, const char *model, const char *task_key,
                                          int64_t n, const char *const *stimulus_id /* (n) */, int n_layers,
                                          const char *const *layer_names /* (n_layers) */,
                                          const int64_t *features /* (n_layers) */,
                                          const cb_act_shape *shapes /* (n_layers) */, int64_t start, int64_t count,
                                          const float *const *X /* per layer (count, features[l]) */,
                                          const cb_activations_layout *layout);

#endif
