/* cb_plan.h - a suite resolved for running: the configuration, and what the
 * stages learn and share about its datasets and models (paths, keys,
 * modalities, layers), with the queries every stage asks (is model m run on
 * dataset d, where do its activations and scores go). Serial: the MPI driver
 * (src/par/cb_suite.c) fills it stage by stage, every rank the same, and the
 * leaderboard and report read it (src/report/cb_report_suite.c). */
#ifndef CB_PLAN_H
#define CB_PLAN_H

#include <stdint.h>

#include "cb_config.h"
#include "cb_fs.h"
#include "cb_modality.h"
#include "cb_status.h"
#include "cb_taskkey.h"

typedef struct cb_plan {
  cb_config *cfg; /* owned */
  char out_dir[CB_PATH_MAX];
  char work_dir[CB_PATH_MAX];
  int sharded; /* 1: this run scores one shard of the models (no leaderboard files) */
  /* per dataset */
  char (*stimuli)[CB_PATH_MAX];  /* (n_datasets) resolved stimulus-set CSV */
  char (*assembly)[CB_PATH_MAX]; /* (n_datasets) resolved assembly (or RDM file, rdm_set) */
  double *degrees;               /* (n_datasets) stimulus degrees (NaN: the model's) */
  int *used;                     /* (n_datasets) 1 when a benchmark uses it */
  char (*set_key)[CB_KEY_HEX];   /* (n_datasets) digest of the stimulus set */
  char (*asm_key)[CB_KEY_HEX];   /* (n_datasets) digest of the assembly file */
  cb_modality *set_modality;     /* (n_datasets) declared, or the kind of its files */
  int *rdm_set;                  /* (n_datasets) 1: the dataset's responses are RDMs (assembly[] is the RDM file) */
  int *act_src;                  /* (n_datasets) the dataset whose activations files d uses: the first with the same
                                    stimulus set (key) and degrees (e.g. two RDM datasets of one image set) */
  /* per model */
  cb_modality *model_modality;   /* (n_models) declared by the model; UNSET for RDM-only models */
  int *n_layers;                 /* (n_models) */
  char ***layers;                /* (n_models) each (n_layers[m]) layer names */
  int64_t **features;            /* (n_models) each (n_layers[m]) features per stimulus */
  int *rdm_entry;                /* (n_models) RDM-only models: the RDM's index in its file */
  /* per model x dataset */
  char (*act_key)[CB_KEY_HEX];   /* (n_models * n_datasets) activations keys */
  int *rdm_ok;                   /* (n_models * n_datasets) RDM-only models: 1 when the file covers the stimuli */
  /* per benchmark */
  int *selection;                /* (n_benchmarks) 1: chooses its region's layer */
  int pca_d;                     /* [suite] selection_pca_dataset index, -1: no PCA */
} cb_plan;

/* The run that executes a plan, as its report states it (filled by the driver, which knows MPI). */
typedef struct cb_run_info {
  char mpi_version[256]; /* the MPI library */
  int ranks;
  int threads;    /* OpenBLAS threads per rank outside scoring */
  double t_start; /* cb_now() when the run started */
} cb_run_info;

/* Takes cfg (freed by cb_plan_free, on failure too), allocates the tables, sets the output and work directories
 * (work NULL: <out_root>/<suite>/work), the layer-choosing benchmark of every region and the PCA fit set. */
cb_status cb_plan_init(cb_plan *pl, cb_config *cfg, const char *out_root, const char *work, int sharded);
void cb_plan_free(cb_plan *pl); /* NULL-safe; zeroes pl */

/* Index of dataset `id` in c, -1 when absent. */
int cb_plan_dataset_index(const cb_config *c, const char *id);
/* 1 when model m runs on dataset d: same modality (RDM-only models: their file covers its stimuli) and listed. */
int cb_plan_compatible(const cb_plan *pl, int m, int d);
/* 1 when model m is scored on benchmark b: compatible with its dataset; an RDM-only model only on rdm benchmarks. */
int cb_plan_takes_part(const cb_plan *pl, int m, int b);
/* <work>/activations/<model>/<dataset>.h5 of model m on dataset d (the dataset whose files d shares). */
cb_status cb_plan_activations_path(const cb_plan *pl, int m, int d, char *out /* (CB_PATH_MAX) */);
/* <out>/scores/<benchmark>/<model>/<layer, '/' encoded>.json */
cb_status cb_plan_score_path(const cb_plan *pl, const char *bench, const char *model, const char *layer,
                             char *out /* (CB_PATH_MAX) */);

#endif
