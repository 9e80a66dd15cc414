/* cortexbench run CONFIG: datasets -> activations -> scores -> leaderboard. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb_par.h"
#include "cb_report_suite.h"
#include "cb_suite.h"
#include "cli.h"

static void run_help(void) {
  printf("usage: cortexbench run CONFIG [-o DIR] [--work DIR] [--shard I/N] [--fresh] [--restart]\n\n"
         "Runs a suite: generates or locates its datasets, computes the activations of every\n"
         "model on every stimulus set (ranks split the stimuli and write one HDF5 file\n"
         "collectively), scores every (model, layer, benchmark) task (tasks are handed out\n"
         "dynamically, most expensive first), and ranks the models.\n\n"
         "Resumable: every result is committed atomically with a key (a SHA-256 of the model's\n"
         "architecture and weights, the stimulus files, the recordings, the benchmark's\n"
         "parameters and seed, and the cortexbench version). A rerun reuses the results whose\n"
         "key is current and recomputes the rest, so an interrupted run continues where it\n"
         "stopped and a changed input is never served stale.\n\n"
         "  CONFIG          suite configuration (INI), e.g. benchmarks/default.ini (docs/config.md)\n"
         "  -o, --out DIR   results directory (default: results); output goes to DIR/<suite>/:\n"
         "                  leaderboard.csv, leaderboard.md, scores/<benchmark>/<model>/<layer>.json\n"
         "  --work DIR      intermediate files (datasets, activations); default DIR/<suite>/work\n"
         "  --shard I/N     run only the models whose position in CONFIG is I modulo N (0 <= I < N),\n"
         "                  e.g. one Slurm array task per shard; then rank everything with\n"
         "                  `cortexbench leaderboard DIR/<suite>/scores -o DIR/<suite>`\n"
         "  --fresh         ignore committed results and recompute everything\n"
         "  --restart       remove the results in DIR/<suite> (scores/, leaderboard.*: e.g. another\n"
         "                  configuration's) and start over with CONFIG; work/ is kept (not with --shard)\n"
         "  -h, --help      this help\n\n"
         "Output directory: one run at a time writes DIR/<suite> (rank 0 holds an flock on\n"
         "DIR/<suite>/.lock; the shards of one sharded run share it); a second run stops at once\n"
         "naming the holder's pid. DIR/<suite>/config.sha256 is the fingerprint of the\n"
         "configuration whose results the directory holds (its normalised contents, without\n"
         "[suite] batch and compression): a run with another configuration refuses the directory\n"
         "unless given --restart; a run with the same one resumes.\n\n"
         "Signals: SIGTERM, SIGINT and SIGUSR1 stop the run after the task in hand; finished\n"
         "results stay committed; exit status 3 (then the same command resumes). Under Open MPI\n"
         "send SIGUSR1 to mpirun (it forwards it to every rank): mpirun answers SIGTERM and SIGINT\n"
         "by killing the ranks and exits 1; scripts/launch (used by scripts/run) turns them into\n"
         "SIGUSR1. Exit status: 0 done, 1 data error (a missing or malformed input, a configuration\n"
         "error), 2 usage error, 3 interrupted, 4 fault (e.g. a full disk: nothing half-written is\n"
         "left); messages and causes in docs/errors.md.\n\n"
         "Cross-validation is set per benchmark in CONFIG (docs/config.md): split =\n"
         "stratified|shuffle|kfold|all (all: rdm and cka only, one comparison over every\n"
         "stimulus), splits, train_fraction, stratify, group; `cortexbench list benchmarks\n"
         "CONFIG` prints what each benchmark resolves to.\n\n"
         "Progress: rank 0 prints each step's counts, rate and ETA (activations per model,\n"
         "scoring tasks over all ranks, the leaderboard step's time): a live line on a\n"
         "terminal, else a line every 10 s and a final line (-q: none).\n\n"
         "Run it under MPI: mpirun -n 4 cortexbench run benchmarks/default.ini\n");
}

cb_status cb_cmd_run(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, 0, 'o'},   {"work", required_argument, 0, 'w'},
                                       {"shard", required_argument, 0, 's'}, {"fresh", no_argument, 0, 'f'},
                                       {"restart", no_argument, 0, 'r'},     {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  cb_suite_opts o = {.out_root = "results", .shard_n = 1, .finish = cb_report_suite};
  long shard_i = 0, shard_n = 1;
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("run", argc, argv, "o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'o': o.out_root = optarg; break;
    case 'w': o.work = optarg; break;
    case 'f': o.fresh = 1; break;
    case 'r': o.restart = 1; break;
    case 's': {
      char a[32], b[32];
      const char *slash = strchr(optarg, '/');
      if (!slash || (size_t)(slash - optarg) >= sizeof a || strlen(slash + 1) >= sizeof b)
        return CB_USAGE("option --shard: expected I/N, got '%s'", optarg);
      snprintf(a, sizeof a, "%.*s", (int)(slash - optarg), optarg);
      snprintf(b, sizeof b, "%s", slash + 1);
      CB_CHECK(cb_cli_parse_int("--shard", b, 1, 1000000, &shard_n));
      CB_CHECK(cb_cli_parse_int("--shard", a, 0, shard_n - 1, &shard_i));
      break;
    }
    case 'h':
      if (cb_par_rank(p) == 0) run_help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("run: missing CONFIG (see cortexbench run --help)");
  if (optind + 1 < argc) return CB_USAGE("run: unexpected argument '%s'", argv[optind + 1]);
  if (o.restart && shard_n > 1)
    return CB_USAGE("run: --restart cannot be combined with --shard (the shards share the directory): clear it with "
                    "one run without --shard, or choose another directory");
  o.shard_i = (int)shard_i;
  o.shard_n = (int)shard_n;
  cb_cli_print_header(p, cb_par_set_blas_threads(p));
  return cb_suite_run(p, argv[optind], &o);
}
