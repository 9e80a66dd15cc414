/* cortexbench rsa A B: compare two RDM files. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_rdm.h"
#include "cb_rdm_sources.h"
#include "cb_rdmfile.h"
#include "cb_rsa.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench rsa A.h5 B.h5 [--compare spearman|kendall|pearson|cosine]\n"
         "       cortexbench rsa --activations F.h5 --layer NAME [--distance 1-pearson|euclidean|cosine]\n"
         "                       (NEURAL.h5 | --assembly A.nc [--region R] [--subject COORD] [--session COORD])\n"
         "                       [--compare ...] [--out MODEL_RDM.h5]\n\n"
         "Compares two RDM files (docs/formats.md, 'RDM files'; `cortexbench import rdm` makes them)\n"
         "on the upper triangle. Stimuli are matched by stimulus_id (both files must hold the\n"
         "same stimuli, in any order). RDMs with the same /subject name are sessions of one subject\n"
         "and are averaged into that subject first. A file with several subjects is compared through\n"
         "the mean of its subject RDMs, and its inter-subject noise ceiling (Nili et al. 2014, as\n"
         "rsatoolbox's boot_noise_ceiling: upper bound = mean over subjects of the comparison with the\n"
         "pooled RDM of all subjects, lower bound = with the pooled RDM of the others; pooling = mean\n"
         "of the subjects' ranks for spearman and kendall, of z-scores for pearson, of RMS-scaled RDMs\n"
         "for cosine) is printed too. Default comparison: spearman; kendall is Kendall's tau-a.\n\n"
         "With --activations and --layer, one side is the RDM of that layer (--distance, default\n"
         "1-pearson) over the neural side's stimuli (each must be in the activations file), and the\n"
         "neural side is an RDM file or an assembly (--assembly): one RDM per subject (the neuroid\n"
         "coordinate --subject, default `subject` when the assembly has it, else all neuroids are one\n"
         "subject) and session (--session, default `session` when present), from the stimulus means\n"
         "of the neuroids of --region; sessions are averaged within a subject and the subjects are the\n"
         "units of the noise ceiling. The score is printed with the ceiling band and where it falls\n"
         "(below, within or above). --out writes the model RDM as an RDM file.\n");
}

typedef struct rsa_args {
  const char *a, *b;         /* two RDM files; with acts: b = the neural RDM file or NULL (assembly) */
  cb_rdm_compare_kind k;
  const char *k_name;
  const char *acts, *layer;  /* a model layer as side A */
  cb_rdm_distance distance;
  const char *assembly, *region, *subject, *session, *out;
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

/* Prints the inter-subject noise ceiling of a source with >= 2 subjects; *lo, *up = its bounds (NaN: none). */
static cb_status print_ceiling(const char *path, const cb_rdmfile *r, const grouped *g, cb_rdm_compare_kind k,
                               const char *kname, double *lo, double *up) {
  char rdms[48] = "";
  *lo = *up = NAN;
  if (g->n_groups != r->n_subject) snprintf(rdms, sizeof rdms, " (%d RDMs)", r->n_subject);
  if (g->n_groups < 2) {
    if (r->n_subject > 1) printf("%s: 1 subject%s, no inter-subject noise ceiling\n", path, rdms);
    return CB_OK;
  }
  CB_CHECK(cb_rsa_ceiling_rdms(g->rdm, g->n_groups, r->n, k, up, lo));
  printf("%s: %d subjects%s, noise ceiling (%s) lower %.9f upper %.9f\n", path, g->n_groups, rdms, kname, *lo, *up);
  return CB_OK;
}

/* The two sides: RDM files, or a model layer's RDM (A) over the stimuli of the neural side (B). */
static cb_status load_sides(const rsa_args *a, cb_rdmfile **A, cb_rdmfile **B) {
  if (a->b) CB_CHECK(cb_rdmfile_read(a->b, B));
  else CB_CHECK(cb_rdms_from_assembly(a->assembly, a->region, a->subject, a->session, a->distance, B));
  if (!a->acts) return cb_rdmfile_read(a->a, A);
  CB_CHECK(cb_rdms_from_layer(a->acts, a->layer, (*B)->stimulus_id, (*B)->n, a->distance, A));
  return a->out ? cb_rdmfile_write(a->out, *A) : CB_OK;
}

/* Where a model's score falls against the neural side's ceiling band. */
static void print_band(const char *label, double v, double lo, double up, const char *kname) {
  if (isnan(lo)) return;
  const char *where = v < lo ? "below the noise ceiling band" : v > up ? "above the noise ceiling band"
                                                                        : "within the noise ceiling band";
  printf("%s: %s %.9f, %s [%.9f, %.9f]\n", label, kname, v, where, lo, up);
}

static cb_status rsa_rank0(void *arg) {
  rsa_args *a = arg;
  cb_status st = CB_OK;
  cb_rdmfile *A = NULL, *B = NULL;
  int *ia = NULL, *ib = NULL;
  double *MA = NULL, *MB = NULL;
  grouped GA = {NULL, 0}, GB = {NULL, 0};
  char la[600], lb[600];
  snprintf(la, sizeof la, "%s", a->acts ? a->acts : a->a);
  if (a->acts) snprintf(la, sizeof la, "%s:%s", a->acts, a->layer);
  snprintf(lb, sizeof lb, "%s", a->b ? a->b : a->assembly);
  CB_CHECK_GOTO(load_sides(a, &A, &B), st, done);
  if (A->n != B->n) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: has %d stimuli but %s has %d", lb, B->n, la, A->n);
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
  for (int i = 0; i < n; ++i) ia[i] = i;
  /* B's row of A's i-th stimulus */
  CB_CHECK_GOTO(cb_bench_match_ids(A->stimulus_id, n, B->stimulus_id, n, lb, ib), st, done);
  CB_CHECK_GOTO(cb_rsa_group_subjects(A->rdm, A->has_subject ? A->subject : NULL, A->n_subject, n, &GA.rdm,
                                      &GA.n_groups), st, done);
  CB_CHECK_GOTO(cb_rsa_group_subjects(B->rdm, B->has_subject ? B->subject : NULL, B->n_subject, n, &GB.rdm,
                                      &GB.n_groups), st, done);
  mean_rdm(&GA, n, ia, MA);
  mean_rdm(&GB, n, ib, MB);
  double v, lo, up;
  CB_CHECK_GOTO(cb_rdm_compare(MA, MB, n, a->k, &v), st, done);
  printf("%s vs %s: %s %.9f over %d stimuli (%ld pairs)\n", la, lb, a->k_name, v, n, (long)n * (n - 1) / 2);
  CB_CHECK_GOTO(print_ceiling(la, A, &GA, a->k, a->k_name, &lo, &up), st, done);
  CB_CHECK_GOTO(print_ceiling(lb, B, &GB, a->k, a->k_name, &lo, &up), st, done);
  if (a->acts) print_band(la, v, lo, up, a->k_name);
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
      {"compare", required_argument, 0, 'c'},  {"activations", required_argument, 0, 'a'},
      {"layer", required_argument, 0, 'l'},    {"distance", required_argument, 0, 'd'},
      {"assembly", required_argument, 0, 'A'}, {"region", required_argument, 0, 'r'},
      {"subject", required_argument, 0, 's'},  {"session", required_argument, 0, 'S'},
      {"out", required_argument, 0, 'o'},      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  rsa_args a = {NULL, NULL, CB_RDM_CMP_SPEARMAN, "spearman", NULL, NULL, CB_RDM_CORRELATION, NULL, NULL, NULL,
                NULL, NULL};
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("rsa", argc, argv, "c:a:l:d:A:r:s:S:o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'c':
      if (cb_rdm_compare_parse(optarg, &a.k) != CB_OK) return CB_USAGE("option --compare: %s", cb_error_message());
      a.k_name = optarg;
      break;
    case 'd':
      if (cb_rdm_distance_parse(optarg, &a.distance) != CB_OK)
        return CB_USAGE("option --distance: %s", cb_error_message());
      break;
    case 'a': a.acts = optarg; break;
    case 'l': a.layer = optarg; break;
    case 'A': a.assembly = optarg; break;
    case 'r': a.region = optarg; break;
    case 's': a.subject = optarg; break;
    case 'S': a.session = optarg; break;
    case 'o': a.out = optarg; break;
    case 'h':
      if (cb_par_rank(p) == 0) help();
      return CB_OK;
    }
  }
  const int npos = argc - optind;
  if (!a.acts) {
    if (a.layer || a.assembly || a.out || a.region || a.subject || a.session)
      return CB_USAGE("rsa: --layer, --assembly, --region, --subject, --session and --out need --activations");
    if (npos != 2) return CB_USAGE("rsa: expected two RDM files (see cortexbench rsa --help)");
    a.a = argv[optind];
    a.b = argv[optind + 1];
  } else {
    if (!a.layer) return CB_USAGE("rsa: --activations needs --layer");
    if ((npos == 1) == (a.assembly != NULL))
      return CB_USAGE("rsa: with --activations, give one neural RDM file or --assembly (see cortexbench rsa --help)");
    if (!a.assembly && (a.region || a.subject || a.session))
      return CB_USAGE("rsa: --region, --subject and --session need --assembly");
    a.b = npos == 1 ? argv[optind] : NULL;
  }
  return cb_cli_on_rank0(p, rsa_rank0, &a);
}
