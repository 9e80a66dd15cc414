/* cb_partition.h - deterministic assignment of work to ranks (pure
 * functions, no MPI: every rank computes the same answer). */
#ifndef CB_PARTITION_H
#define CB_PARTITION_H

#include <stdint.h>

/* Longest-processing-time-first: tasks sorted by decreasing cost (ties by
 * index) go one by one to the least-loaded rank (ties: lowest rank).
 * owner[i] receives the rank of task i. Within 4/3 of the optimal makespan. */
void cb_partition_lpt(const double *cost /* (n) */, int n, int size, int *owner /* (n) */);

#endif
