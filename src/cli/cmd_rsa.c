/* cortexbench rsa A B: compare two RDM files. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_rdm.h"
#include "cb_rdmfile.h"
#include "cb_rsa.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench rsa A.h5 B.h5 [--compare spearman|kendall|pearson|cosine]\n\n"
         "Compares two RDM files (docs/formats.md, 'RDM files'; `cortexbench import rdm` makes them)\n"
         "on the upper triangle. Stimuli are matched by stimulus_id (both files must hold the\n"
         "same stimuli, in any order). A file with several subjects/sessions is compared through\n"
         "the mean of its RDMs, and its inter-subject noise ceiling (Nili et al. 2014: upper bound =\n"
         "mean over subjects of the comparison with the mean of all, lower bound = with the mean of\n"
         "the others) is printed too. Default comparison: spearman; kendall is Kendall's tau-a.\n");
}

typedef struct rsa_args {
  const char *a, *b;
  cb_rdm_compare_kind k;
  const char *k_name;
} rsa_args;

/* Mean RDM over subjects, rows/columns reordered to `order` (n). */
static void mean_rdm(const cb_rdmfile *r, const int *order, double *out /* (n, n) */) {
  const int n = r->n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < r->n_subject; ++k) s += r->rdm[((size_t)k * n + order[i]) * n + order[j]];
      out[(size_t)i * n + j] = s / r->n_subject;
    }
}

static cb_status print_ceiling(const char *path, const cb_rdmfile *r, cb_rdm_compare_kind k, const char *kname) {
  if (r->n_subject < 2) return CB_OK;
  double up, lo;
  CB_CHECK(cb_rsa_ceiling_rdms(r->rdm, r->n_subject, r->n, k, &up, &lo));
  printf("%s: %d subjects, noise ceiling (%s) lower %.6f upper %.6f\n", path, r->n_subject, kname, lo, up);
  return CB_OK;
}

static cb_status rsa_rank0(void *arg) {
  rsa_args *a = arg;
  cb_status st = CB_OK;
  cb_rdmfile *A = NULL, *B = NULL;
  int *ia = NULL, *ib = NULL;
  double *MA = NULL, *MB = NULL;
  CB_CHECK_GOTO(cb_rdmfile_read(a->a, &A), st, done);
  CB_CHECK_GOTO(cb_rdmfile_read(a->b, &B), st, done);
  if (A->n != B->n) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: has %d stimuli but %s has %d", a->b, B->n, a->a, A->n);
    goto done;
  }
  const int n = A->n;
  ia = malloc(sizeof *ia * (size_t)n);
  ib = malloc(sizeof *ib * (size_t)n);
  MA = malloc(sizeof *MA * (size_t)n * n);
  MB = malloc(sizeof *MB * (size_t)n * n);
  CB_ALLOC_GOTO(ia, st, done);
  CB_ALLOC_GOTO(ib, st, done);
  CB_ALLOC_GOTO(MA, st, done);
  CB_ALLOC_GOTO(MB, st, done);
  /* B's row of A's i-th stimulus (quadratic, RDMs hold at most a few thousand stimuli). */
  for (int i = 0; i < n; ++i) {
    ia[i] = i;
    ib[i] = -1;
    for (int j = 0; j < n && ib[i] < 0; ++j)
      if (!strcmp(A->stimulus_id[i], B->stimulus_id[j])) ib[i] = j;
    if (ib[i] < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: has no stimulus '%s' (of %s)", a->b, A->stimulus_id[i], a->a);
      goto done;
    }
  }
  mean_rdm(A, ia, MA);
  mean_rdm(B, ib, MB);
  double v;
  CB_CHECK_GOTO(cb_rdm_compare(MA, MB, n, a->k, &v), st, done);
  printf("%s vs %s: %s %.6f over %d stimuli (%ld pairs)\n", a->a, a->b, a->k_name, v, n, (long)n * (n - 1) / 2);
  CB_CHECK_GOTO(print_ceiling(a->a, A, a->k, a->k_name), st, done);
  CB_CHECK_GOTO(print_ceiling(a->b, B, a->k, a->k_name), st, done);
done:
  free(ia);
  free(ib);
  free(MA);
  free(MB);
  cb_rdmfile_destroy(&A);
  cb_rdmfile_destroy(&B);
  return st;
}

cb_status cb_cmd_rsa(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {
      {"compare", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  rsa_args a = {NULL, NULL, CB_RDM_CMP_SPEARMAN, "spearman"};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("rsa", argc, argv, "c:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'c':
      if (cb_rdm_compare_parse(optarg, &a.k) != CB_OK) return CB_USAGE("option --compare: %s", cb_error_message());
      a.k_name = optarg;
      break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  if (argc - optind != 2) return CB_USAGE("rsa: expected two RDM files (see cortexbench rsa --help)");
  a.a = argv[optind];
  a.b = argv[optind + 1];
  return cb_cli_on_rank0(p, rsa_rank0, &a);
}
