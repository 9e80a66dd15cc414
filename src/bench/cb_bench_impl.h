/* cb_bench_impl.h - private to cb_bench: what the assembly benchmarks
 * (cb_benchmark.c) and the RDM-dataset benchmarks (cb_bench_rdm.c) share. */
#ifndef CB_BENCH_IMPL_H
#define CB_BENCH_IMPL_H

#include "cb_benchmark.h"

/* Class ids (n) = rank of each label among the sorted distinct labels. */
cb_status cb__labels_to_classes(char **labels, int n, int **out);
/* b->groups and b->n_groups from the group values of the stimuli (n_stim strings, freed here); NULL: no group. */
cb_status cb__bench_set_groups(cb_bench *b, char **values);
/* b->splits from b->params over b->neural->n_stim stimuli (b->labels when stratified, b->groups when grouped). */
cb_status cb__bench_make_splits(cb_bench *b);
/* b->ceiling (and error) from b->params. */
cb_status cb__bench_make_ceiling(cb_bench *b);
/* RDM datasets: the inter-subject noise ceiling of Nili et al. (2014) on every split's test stimuli; ceiling =
 * mean upper bound, ceiling_lower = mean lower bound, ceiling_error = standard error of the upper bounds. */
cb_status cb__bench_nili_ceiling(cb_bench *b);

/* 1 when the bootstrap of b's replicates goes by pair weights (rdm with spearman, pearson or cosine). */
int cb__bench_boot_weighted(const cb_bench *b);
/* vals (bootstrap) = ceiled replicate scores of the model RDM Dm (n, n, benchmark stimulus order), by pair weights:
 * the same resamples and values as the expanded computation (up to rounding). */
cb_status cb__bench_boot_rdm(const cb_bench *b, const double *Dm, double *vals);
/* vals (bootstrap) = ceiled replicate scores of CKA between the activations X (n, p) and the brain's mean responses
 * by stimulus weights (cb_cka_weighted.h: the same resamples as the expanded computation; the unbiased estimator
 * leaves pairs of copies of one stimulus out). */
cb_status cb__bench_boot_cka(const cb_bench *b, const float *X, int p, double *vals);

/* Sets params.id of a benchmark that names none from `identifier` (non-empty) or the file name (cb_benchmark.c). */
cb_status cb__bench_default_id(cb_bench *b, const char *identifier);

/* The record of b (cb_bench_record.c): identifiers, SHA-256 of params.stimuli when given, the parameters text.
 * Called once b->params is resolved and b->metric set. */
cb_status cb__bench_record_init(cb_bench *b, const char *identifier, const char *set_identifier,
                                const char *stimuli_csv);
/* Copies b's record into a score (identifiers, ceiling_method when unset, parameters, version and git commit). */
cb_status cb__bench_record_fill(const cb_bench *b, cb_score *out);

#endif
