/* cb_rdm_sources.h - RDMs built from what a user has: a model layer's activations, or a neural assembly (one RDM
 * per subject and session). Both give a cb_rdmfile in memory, so `cortexbench rsa` compares any two sources the way
 * it compares two RDM files (sessions averaged within a subject, subjects the units of the inter-subject ceiling). */
#ifndef CB_RDM_SOURCES_H
#define CB_RDM_SOURCES_H

#include "cb_rdm.h"
#include "cb_rdmfile.h"
#include "cb_status.h"

/* The RDM (one, no subject) of layer `layer` of the activations file `path` over the stimuli ids (n) in that order
 * (every id must be in the file; error naming the file and the id). identifier = "<model>:<layer>". */
cb_status cb_rdms_from_layer(const char *path, const char *layer, char *const *ids, int n, cb_rdm_distance d,
                             cb_rdmfile **out);

/* RDMs of the assembly `path` from its stimulus means (repetitions averaged, all time bins): the neuroids of
 * `region` (NULL: all) grouped by the neuroid coordinate `subject` and, within a subject, by the neuroid coordinate
 * `session` (each NULL: the coordinate of that name when the assembly has one, else no grouping); one RDM per
 * (subject, session) named by its subject, in order of first appearance. A group with one neuroid, a coordinate
 * that is missing (when named) or not on the neuroid dimension are errors naming the file. */
cb_status cb_rdms_from_assembly(const char *path, const char *region, const char *subject, const char *session,
                                cb_rdm_distance d, cb_rdmfile **out);

#endif
