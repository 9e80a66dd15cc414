/* grad_fixture.h - reader of the gradient goldens of tests/reference/make_grad_goldens.py
 * (tests/reference/fixtures/grad_ops.txt, grad_net.txt), and the comparison every train test uses. */
#ifndef GRAD_FIXTURE_H
#define GRAD_FIXTURE_H

#include <stdint.h>

#include "cb_graph.h"

#define GF_MAX_T 96
#define GF_MAX_IN 8
#define GF_MAX_ATTR 16

typedef struct gf_tensor {
  char name[64];
  int ndim;
  int64_t shape[CB_GRAPH_MAX_DIMS]; /* (ndim) */
  int64_t n;
  double *v; /* (n) */
} gf_tensor;

typedef struct gf_case {
  char name[64], op[32];
  int n_in, rt;                 /* node inputs; the first rt are graph inputs */
  char in[GF_MAX_IN][32];       /* (n_in) tensor names; '#' = int64 constant */
  int n_attr;
  cb_attr attr[GF_MAX_ATTR];    /* (n_attr) */
  uint64_t seed;                /* o:seed */
  int bn_frozen;                /* o:bn_frozen */
  int n_t;
  gf_tensor t[GF_MAX_T];        /* (n_t) */
} gf_case;

/* Reads every case of a grad_ops-style file (calloc'd array into *cases); 0 on failure. */
int gf_read_cases(const char *path, gf_case **cases, int *n);
/* Reads a grad_net-style file: tensors only (lines "t ..."), into one case. */
int gf_read_tensors(const char *path, gf_case *c);
void gf_free_cases(gf_case *cases, int n);
const gf_tensor *gf_find(const gf_case *c, const char *name);
/* float copy of a tensor's values (malloc'd). */
float *gf_floats(const gf_tensor *t);

/* The one-node graph of a case: graph inputs and constants for c->in (ids: (n_in) their value ids), the
 * node named after the case, output "y" (*y). 0 on failure (message in cb_error). */
int gf_build(const gf_case *c, cb_graph **g, int *ids, int *y);

/* Relative error of a against b: max_i |a_i - b_i| / max(|b_i|, floor * max_j |b_j|) (floor: below that
 * fraction of the tensor's largest magnitude an element is compared relative to it). */
#define GF_FLOOR 1e-2
double gf_relerr_f(const float *a, const double *b, int64_t n);
double gf_relerr_d(const double *a, const double *b, int64_t n);

#endif
