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
         "same stimuli, in any order). RDMs with the same /subject name are sessions of one subject\n"
         "and are averaged into that subject first. A file with several subjects is compared through\n"
         "the mean of its subject RDMs, and its inter-subject noise ceiling (Nili et al. 2014, as\n"
         "rsatoolbox's boot_noise_ceiling: upper bound = mean over subjects of the comparison with the\n"
         "pooled RDM of all subjects, lower bound = with the pooled RDM of the others; pooling = mean\n"
         "of the subjects' ranks for spearman and kendall, of z-scores for pearson, of RMS-scaled RDMs\n"
         "for cosine) is printed too. Default comparison: spearman; kendall is Kendall's tau-a.\n");
}

typedef struct rsa_args {
  const char *a, *b;
  cb_rdm_compare_kind k;
  const char *k_name;
} rsa_args;

/* One file's RDMs with sessions averaged into subjects (cb_rsa_group_subjects). */
typedef struct grouped {
  double *rdm; /* (G, n, n) */
  int n_groups;
} grouped;

/* Mean RDM over subjects, rows/columns reordered to `order` (n). */
static void mean_rdm(const grouped *g, int n, const int *order, double *out /* (n, n) */) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < g->n_groups; ++k) s += g->rdm[((size_t)k * n + order[i]) * n + order[j]];
      out[(size_t)i * n + j] = s / g->n_groups;
    }
}

static cb_status print_ceiling(const char *path, const cb_rdmfile *r, const grouped *g, cb_rdm_compare_kind k,
                               const char *kname) {
  char rdms[48] = "";
  if (g->n_groups != r->n_subject) snprintf(rdms, sizeof rdms, " (%d RDMs)", r->n_subject);
  if (g->n_groups < 2) {
    if (r->n_subject > 1) printf("%s: 1 subject%s, no inter-subject noise ceiling\n", path, rdms);
    return CB_OK;
  }
  double up, lo;
  CB_CHECK(cb_rsa_ceiling_rdms(g->rdm, g->n_groups, r->n, k, &up, &lo));
  printf("%s: %d subjects%s, noise ceiling (%s) lower %.9f upper %.9f\n", path, g->n_groups, rdms, kname, lo, up);
  return CB_OK;
}

static cb_status rsa_rank0(void *arg) {
  rsa_args *a = arg;
  cb_status st = CB_OK;
  cb_rdmfile *A = NULL, *B = NULL;
  int *ia = NULL, *ib = NULL;
  double *MA = NULL, *MB = NULL;
  grouped GA = {NULL, 0}, GB = {NULL, 0};
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
  CB_CHECK_GOTO(cb_rsa_group_subjects(A->rdm, A->has_subject ? A->subject : NULL, A->n_subject, n, &GA.rdm,
                                      &GA.n_groups), st, done);
  CB_CHECK_GOTO(cb_rsa_group_subjects(B->rdm, B->has_subject ? B->subject : NULL, B->n_subject, n, &GB.rdm,
                                      &GB.n_groups), st, done);
  mean_rdm(&GA, n, ia, MA);
  mean_rdm(&GB, n, ib, MB);
  double v;
  CB_CHECK_GOTO(cb_rdm_compare(MA, MB, n, a->k, &v), st, done);
  printf("%s vs %s: %s %.9f over %d stimuli (%ld pairs)\n", a->a, a->b, a->k_name, v, n, (long)n * (n - 1) / 2);
  CB_CHECK_GOTO(print_ceiling(a->a, A, &GA, a->k, a->k_name), st, done);
  CB_CHECK_GOTO(print_ceiling(a->b, B, &GB, a->k, a->k_name), st, done);
done:
  free(GA.rdm);
  free(GB.rdm);
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
