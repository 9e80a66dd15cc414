/* cortexbench import: foreign data into assemblies and RDM files. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_import.h"
#include "cb_rdmfile.h"
#include "cb_strbuf.h"
#include "cli.h"

static void help(void) {
  printf("usage: cortexbench import assembly INPUT --out A.nc [--var NAME] [--dims neuroid,stimulus,repetition]\n"
         "                [--stimulus-ids FILE | --stimulus-prefix P] [--neuroid-prefix P] [--region R]\n"
         "                [--identifier ID] [--stimulus-set ID] [--time-bin START:END]\n"
         "       cortexbench import rdm INPUT --out R.h5 [--var NAME] [--element K] [--stimulus-ids FILE]\n"
         "                [--identifier ID] [--distance D] [--tolerance T] [--subjects NAME1,NAME2,...]\n\n"
         "INPUT: NumPy .npy, MATLAB .mat (v5 or v7.3; --var NAME or NAME.FIELD of a struct array),\n"
         "HDF5 (--var = dataset), or for assemblies a CSV (stimulus_id, [repetition,] one column per neuroid).\n"
         "Assemblies: --dims names the array's axes (default neuroid,stimulus,repetition); one\n"
         "presentation per (stimulus, repetition) that is not all NaN. Stimulus ids from FILE (a\n"
         "stimulus-set CSV or one id per line, in array order) or P0001, P0002, ... (default P=stimulus).\n"
         "RDMs: square (n,n) / (S,n,n) or condensed n(n-1)/2 vectors; symmetry (relative --tolerance,\n"
         "default 1e-6) and zero diagonal checked; --element K keeps the K-th (1-based) of a stack.\n"
         "--subjects names the RDMs (one name per RDM written, in file order; replaces the struct's\n"
         "'name' field or 1..S); RDMs with the same name are sessions of one subject, averaged into\n"
         "that subject by `cortexbench rsa` (e.g. 92_brainRDMs.mat: BE,KO,SN,TI,BE,KO,SN,TI).\n");
}

typedef struct import_args {
  const char *kind, *input, *out, *ids_file;
  char **subjects; /* (o.n_subjects), from --subjects */
  cb_import_opts o;
} import_args;

static cb_status import_rank0(void *arg) {
  import_args *a = arg;
  cb_status st = CB_OK;
  char **ids = NULL;
  int n_ids = 0;
  if (a->ids_file) {
    CB_CHECK(cb_import_read_ids(a->ids_file, &ids, &n_ids));
    a->o.stimulus_ids = ids;
    a->o.n_ids = n_ids;
  }
  if (strcmp(a->kind, "assembly") == 0) {
    cb_assembly *as = NULL;
    CB_CHECK_GOTO(cb_import_assembly(a->input, &a->o, &as), st, done);
    st = cb_assembly_write(a->out, as);
    if (st == CB_OK)
      printf("wrote %s: %lld presentations x %lld neuroids x %lld time bins\n", a->out, (long long)as->n_pres,
             (long long)as->n_neuroid, (long long)as->n_time);
    cb_assembly_destroy(&as);
  } else {
    cb_rdmfile *r = NULL;
    CB_CHECK_GOTO(cb_import_rdm(a->input, &a->o, &r), st, done);
    st = cb_rdmfile_write(a->out, r);
    if (st == CB_OK) printf("wrote %s: %d RDM(s) of %d stimuli\n", a->out, r->n_subject, r->n);
    cb_rdmfile_destroy(&r);
  }
done:
  cb_strlist_free(&ids);
  return st;
}

/* One option c (its value in optarg) into a; --subjects is kept as given in *subjects. */
static cb_status parse_option(int c, import_args *a, const char **subjects) {
  long el = 0;
  switch (c) {
  case 'o': a->out = optarg; break;
  case 'V': a->o.var = optarg; break;
  case 'd': a->o.dims = optarg; break;
  case 'i': a->ids_file = optarg; break;
  case 'P': a->o.stimulus_prefix = optarg; break;
  case 'N': a->o.neuroid_prefix = optarg; break;
  case 'r': a->o.region = optarg; break;
  case 'I': a->o.identifier = optarg; break;
  case 'S': a->o.stimulus_set_identifier = optarg; break;
  case 'D': a->o.distance = optarg; break;
  case 's': *subjects = optarg; break;
  case 'e':
    CB_CHECK(cb_cli_parse_int("--element", optarg, 1, 1 << 20, &el));
    a->o.element = (int)el;
    break;
  case 'T':
    CB_CHECK(cb_cli_parse_double("--tolerance", optarg, &a->o.tolerance));
    if (!(a->o.tolerance > 0)) return CB_USAGE("import: --tolerance must be > 0");
    break;
  case 't': {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", optarg);
    char *colon = strchr(buf, ':');
    if (!colon) return CB_USAGE("import: --time-bin wants START:END, got '%s'", optarg);
    *colon = '\0';
    CB_CHECK(cb_cli_parse_double("--time-bin", buf, &a->o.time_bin_start));
    CB_CHECK(cb_cli_parse_double("--time-bin", colon + 1, &a->o.time_bin_end));
    break;
  }
  }
  return CB_OK;
}

/* The two operands (KIND INPUT) and the combinations of options; --subjects NAME1,NAME2,... into a->subjects. */
static cb_status check_args(int argc, char **argv, const char *subjects, import_args *a) {
  if (optind + 2 > argc) return CB_USAGE("import: expected 'assembly INPUT' or 'rdm INPUT' (see cortexbench import --help)");
  if (optind + 2 < argc) return CB_USAGE("import: unexpected argument '%s'", argv[optind + 2]);
  a->kind = argv[optind];
  a->input = argv[optind + 1];
  if (strcmp(a->kind, "assembly") != 0 && strcmp(a->kind, "rdm") != 0)
    return CB_USAGE("import: unknown kind '%s' (assembly or rdm)", a->kind);
  if (!a->out) return CB_USAGE("import: missing --out FILE (see cortexbench import --help)");
  if (a->ids_file && a->o.stimulus_prefix) return CB_USAGE("import: give --stimulus-ids or --stimulus-prefix, not both");
  if (subjects) {
    if (strcmp(a->kind, "rdm") != 0) return CB_USAGE("import: --subjects is for 'import rdm'");
    int n_sep = 0;
    for (const char *q = subjects; *q; ++q) n_sep += (*q == ',');
    CB_CHECK(cb_strlist_split(subjects, ',', &a->subjects, &a->o.n_subjects));
    if (a->o.n_subjects != n_sep + 1) {
      cb_strlist_free(&a->subjects);
      return CB_USAGE("import: --subjects has an empty name in '%s'", subjects);
    }
    a->o.subjects = a->subjects;
  }
  return CB_OK;
}

cb_status cb_cmd_import(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                       {"var", required_argument, 0, 'V'},
                                       {"dims", required_argument, 0, 'd'},
                                       {"stimulus-ids", required_argument, 0, 'i'},
                                       {"stimulus-prefix", required_argument, 0, 'P'},
                                       {"neuroid-prefix", required_argument, 0, 'N'},
                                       {"region", required_argument, 0, 'r'},
                                       {"identifier", required_argument, 0, 'I'},
                                       {"stimulus-set", required_argument, 0, 'S'},
                                       {"time-bin", required_argument, 0, 't'},
                                       {"element", required_argument, 0, 'e'},
                                       {"distance", required_argument, 0, 'D'},
                                       {"tolerance", required_argument, 0, 'T'},
                                       {"subjects", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  import_args a;
  memset(&a, 0, sizeof a);
  a.o = cb_import_opts_default();
  cb_status st = CB_OK;
  int c;
  const char *subjects = NULL; /* --subjects NAME1,NAME2,... */
  while ((c = cb_cli_getopt("import", argc, argv, "o:h", opts, &st)) != -1) {
    if (c == 0) return st;
    if (c == 'h') {
      if (cb_par_rank(p) == 0) help();
      cb_cli_help_shown = 1;
      return CB_OK;
    }
    CB_CHECK(parse_option(c, &a, &subjects));
  }
  CB_CHECK(check_args(argc, argv, subjects, &a));
  st = cb_cli_on_rank0(p, import_rank0, &a);
  cb_strlist_free(&a.subjects);
  return st;
}
