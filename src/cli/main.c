/* cortexbench - command-line entry point. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_log.h"
#include "cb_mem.h"
#include "cb_par.h"
#include "cb_version.h"
#include "cli.h"

int cb_cli_help_shown = 0;

typedef struct command {
  const char *name;
  cb_cmd_fn fn;
  const char *summary;
  int mpi; /* 1: distributes work over MPI ranks; 0: nothing to split, MPI is not started (cb_par_init_serial) */
} command;

static const command commands[] = {
    {"run", cb_cmd_run, "run a suite (CONFIG): datasets -> activations -> scores -> leaderboard", 1},
    {"train", cb_cmd_train, "train a model on labelled images (CONFIG), data-parallel under MPI, resumable", 1},
    {"activations", cb_cmd_activations, "compute layer activations of a model on a stimulus set", 1},
    {"score", cb_cmd_score, "score one layer's activations against a neural assembly", 0},
    {"leaderboard", cb_cmd_leaderboard, "rank models from a directory of score files", 0},
    {"list", cb_cmd_list, "list models, benchmarks or datasets", 0},
    {"generate", cb_cmd_generate, "write a synthetic dataset (stimuli + assembly)", 0},
    {"fetch", cb_cmd_fetch, "download a dataset into the cache, verified (resumable, mirrors)", 0},
    {"import", cb_cmd_import, "convert .npy/.mat/CSV data into an assembly, or RDMs into an RDM file", 0},
    {"verify", cb_cmd_verify, "recompute a published suite's results from scratch and compare, per benchmark", 1},
    {"compare", cb_cmd_compare, "paired bootstrap difference of two score files (two models on one benchmark)", 0},
    {"rsa", cb_cmd_rsa, "RSA: RDM files, or a layer's RDM against neural RDMs or an assembly, with noise ceilings", 0},
    {"zoo", cb_cmd_zoo, "the model zoo manifest; verify pretrained ONNX models against their test sets", 0},
    {"version", cb_cmd_version, "print versions of cortexbench and its libraries", 0},
};
static const int n_commands = (int)(sizeof commands / sizeof commands[0]);

static void usage(FILE *f) {
  fprintf(f,
          "usage: cortexbench [-q|-v] <command> [options]\n"
          "       mpirun -n N cortexbench run CONFIG   (every command runs under mpirun)\n\n"
          "commands:\n");
  for (int i = 0; i < n_commands; ++i) fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\nglobal options:\n"
          "  -q, --quiet     only errors and results (no progress lines)\n"
          "  -v, --verbose   debug messages, and source locations in error messages\n"
          "  -h, --help      this help; `cortexbench <command> --help` for a command\n"
          "\nprogress: rank 0 shows each long step's counts, rate and ETA on stdout: a live line\n"
          "on a terminal, else a line every 10 s (CORTEXBENCH_PROGRESS_INTERVAL=S) and a final\n"
          "line; CORTEXBENCH_PROGRESS=off|plain|live overrides (docs/errors.md).\n"
          "\nexit status: 0 success, 1 data error (a missing or malformed input, a configuration\n"
          "error), 2 usage error, 3 interrupted (`run` stopped by SIGTERM, SIGINT or SIGUSR1 after\n"
          "the task in hand), 4 fault (a full disk, a failed write, out of memory, MPI failed).\n"
          "Messages and causes: docs/errors.md.\n"
          "Under Open MPI, mpirun exits with the first failing rank's status; signal it with\n"
          "SIGUSR1 (forwarded to the ranks) to stop with 3: mpirun answers SIGTERM and SIGINT\n"
          "by killing the ranks and exits 1 (scripts/launch maps them to SIGUSR1).\n");
}

int main(int argc, char **argv) {
  int argi = 1, verbose = 0;
  cb_mem_keep_freed(); /* scoring tasks reuse the memory of the previous one (no fresh page faults per task) */
  for (; argi < argc && argv[argi][0] == '-'; ++argi) {
    const char *a = argv[argi];
    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      cb_log_set_level(CB_LOG_WARN);
    } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
      cb_log_set_level(CB_LOG_DEBUG);
      verbose = 1;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("cortexbench %s\n", CB_VERSION);
      return 0;
    } else {
      fprintf(stderr, "cortexbench: error: unknown option '%s' (see cortexbench --help)\n", a);
      return 2;
    }
  }
  if (argi >= argc) {
    usage(stderr);
    return 2;
  }
  const command *cmd = NULL;
  for (int i = 0; i < n_commands; ++i)
    if (!strcmp(argv[argi], commands[i].name)) cmd = &commands[i];
  if (!cmd) {
    fprintf(stderr, "cortexbench: error: unknown command '%s' (see cortexbench --help)\n", argv[argi]);
    return 2;
  }
  int help = 0; /* `cortexbench CMD --help` prints and leaves: nothing to distribute */
  for (int i = argi + 1; i < argc; ++i) help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
  cb_par *par = NULL;
  if ((cmd->mpi && !help ? cb_par_init(&argc, &argv, &par) : cb_par_init_serial(&par)) != CB_OK) {
    fprintf(stderr, "cortexbench %s: error: %s\n", cmd->name, cb_error_message());
    return cb_cli_exit_status(CB_ERR_MPI);
  }
  /* getopt_long in the subcommand sees argv[0] = command name. */
  optind = 1;
  cb_status st = cmd->fn(par, argc - argi, argv + argi);
  int rc = 0;
  if (st != CB_OK) {
    if (cb_par_rank(par) == 0) {
      if (verbose)
        fprintf(stderr, "cortexbench %s: error: %s (at %s)\n", cmd->name, cb_error_message(), cb_error_where());
      else
        fprintf(stderr, "cortexbench %s: error: %s\n", cmd->name, cb_error_message());
    }
    rc = cb_cli_exit_status(st);
  }
  fflush(stdout);
  cb_par_destroy(&par);
#ifndef __SANITIZE_ADDRESS__
  /* Every output is committed and closed by now: leave without the libraries' exit handlers (HDF5's shutdown, its
   * caches freed one by one), ~5 ms of every command. Sanitizer builds keep them: LeakSanitizer checks at exit. */
  fflush(NULL);
  _exit(rc);
#endif
  return rc;
}
