/* cli.h - subcommands of the cortexbench executable. Each returns a status
 * that every rank agrees on; main prints the error once, on rank 0. */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stdint.h>

#include "cb_par.h"
#include "cb_status.h"

typedef cb_status (*cb_cmd_fn)(cb_par *p, int argc, char **argv);

cb_status cb_cmd_run(cb_par *p, int argc, char **argv);
cb_status cb_cmd_train(cb_par *p, int argc, char **argv);
cb_status cb_cmd_activations(cb_par *p, int argc, char **argv);
cb_status cb_cmd_score(cb_par *p, int argc, char **argv);
cb_status cb_cmd_leaderboard(cb_par *p, int argc, char **argv);
cb_status cb_cmd_list(cb_par *p, int argc, char **argv);
cb_status cb_cmd_generate(cb_par *p, int argc, char **argv);
cb_status cb_cmd_fetch(cb_par *p, int argc, char **argv);
cb_status cb_cmd_import(cb_par *p, int argc, char **argv);
cb_status cb_cmd_rsa(cb_par *p, int argc, char **argv);
cb_status cb_cmd_compare(cb_par *p, int argc, char **argv);
cb_status cb_cmd_verify(cb_par *p, int argc, char **argv);
cb_status cb_cmd_version(cb_par *p, int argc, char **argv);
cb_status cb_cmd_zoo(cb_par *p, int argc, char **argv);

/* The zoo manifest: override, else $CORTEXBENCH_ZOO, else benchmarks/zoo.ini of
 * the source tree (cmd_zoo.c). */
cb_status cb_cli_zoo_manifest_path(const char *override, char *out, size_t n);
/* A model by name: a path ending in .onnx, a zoo manifest entry (url entries
 * once fetched by `zoo verify`), or a built-in zoo model built from seed. */
struct cb_model;
cb_status cb_cli_zoo_open(const char *name, uint64_t seed, struct cb_model **out);

/* Set by a subcommand that printed its --help (exit 0, nothing else). */
extern int cb_cli_help_shown;

/* The exit status of a command that ended with st (README "Exit status"): 0 done, 1 the input is wrong (a missing or
 * malformed file, a configuration error, data that cannot be scored), 2 usage error, 3 interrupted (resumable),
 * 4 fault: the machine failed (a full disk, a failed write, out of memory, MPI or a rank failed; resumable). */
int cb_cli_exit_status(cb_status st);

/* Usage error: records the message and returns CB_ERR_ARG. */
#define CB_USAGE(...) CB_ERROR(CB_ERR_ARG, __VA_ARGS__)

/* Runs fn on rank 0 only (the others wait) and agrees on the status. */
cb_status cb_cli_on_rank0(cb_par *p, cb_status (*fn)(void *), void *arg);

/* Run header: versions, ranks, threads, BLAS core (warns when OpenBLAS
 * picked a generic core on a CPU with AVX2/AVX-512). Rank 0 prints. */
void cb_cli_print_header(cb_par *p, int blas_threads);
/* "SkylakeX", "Haswell", "Prescott", … */
const char *cb_cli_blas_core(void);

/* getopt_long wrapper: silences getopt's own messages and turns an unknown
 * option or a missing value into a one-line usage error. Returns the option
 * character, -1 at the end, or 0 with *st set on error. */
int cb_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts, const void *longopts,
                  cb_status *st);

/* Strict parsers for option values; errors name the option. */
cb_status cb_cli_parse_int(const char *opt, const char *v, long lo, long hi, long *out);
cb_status cb_cli_parse_u64(const char *opt, const char *v, unsigned long long *out);
cb_status cb_cli_parse_double(const char *opt, const char *v, double *out);

#endif
