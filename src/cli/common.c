/* Helpers shared by the subcommands. */
#include <cblas.h>
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_h5.h"
#include "cb_log.h"
#include "cb_version.h"
#include "cli.h"

cb_status cb_cli_on_rank0(cb_par *p, cb_status (*fn)(void *), void *arg) {
  cb_status st = CB_OK;
  if (cb_par_rank(p) == 0) st = fn(arg);
  return cb_par_agree(p, st);
}

const char *cb_cli_blas_core(void) {
  const char *c = openblas_get_corename();
  return c ? c : "unknown";
}

/* CPU features from /proc/cpuinfo: 2 = AVX-512F, 1 = AVX2, 0 = neither. */
static int cpu_vector_level(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return 0;
  char line[8192];
  int level = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    if (strstr(line, " avx512f")) level = 2;
    else if (strstr(line, " avx2")) level = 1;
    break;
  }
  fclose(f);
  return level;
}

void cb_cli_print_header(cb_par *p, int blas_threads) {
  if (cb_par_rank(p) != 0 || cb_log_get_level() < CB_LOG_INFO) return;
  char mpi[256];
  cb_par_mpi_version(mpi, sizeof mpi);
  char hdf5[64];
  cb_io_hdf5_version(hdf5, sizeof hdf5);
  const char *core = cb_cli_blas_core();
  printf("cortexbench %s | %s | HDF5 %s | OpenBLAS core %s, %d thread%s per rank\n", CB_VERSION, mpi, hdf5, core,
         blas_threads, blas_threads == 1 ? "" : "s");
  printf("ranks: %d (%d on this node, %d cores)\n", cb_par_size(p), cb_par_local_size(p), cb_par_node_cores(p));
  int level = cpu_vector_level();
  int generic = !strcmp(core, "Prescott") || !strcmp(core, "Core2") || !strcmp(core, "Nehalem") ||
                !strcmp(core, "Sandybridge") || !strcmp(core, "Penryn") || !strcmp(core, "Dunnington") ||
                !strcmp(core, "Atom") || !strcmp(core, "Banias") || !strcmp(core, "Katmai");
  if (level > 0 && generic)
    cb_warn0("OpenBLAS uses its generic '%s' kernel on a CPU with %s: matrix products run several times slower. "
             "Set OPENBLAS_CORETYPE=%s (see README, 'Performance').",
             core, level == 2 ? "AVX-512" : "AVX2", level == 2 ? "SkylakeX" : "Haswell");
  fflush(stdout);
}

cb_status cb_cli_parse_int(const char *opt, const char *v, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || !*v || x < lo || x > hi)
    return CB_USAGE("option %s: expected an integer in [%ld, %ld], got '%s'", opt, lo, hi, v);
  *out = x;
  return CB_OK;
}

cb_status cb_cli_parse_u64(const char *opt, const char *v, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end || !isdigit((unsigned char)v[0])) /* strtoull accepts " -1" and wraps it */
    return CB_USAGE("option %s: expected a non-negative integer, got '%s'", opt, v);
  *out = x;
  return CB_OK;
}

cb_status cb_cli_parse_double(const char *opt, const char *v, double *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || *end || !*v || !isfinite(x)) return CB_USAGE("option %s: expected a number, got '%s'", opt, v);
  *out = x;
  return CB_OK;
}

int cb_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts, const void *longopts,
                  cb_status *st) {
  opterr = 0;
  int c = getopt_long(argc, argv, shortopts, (const struct option *)longopts, NULL);
  if (c == '?' || c == ':') {
    const char *bad = argv[optind - 1];
    if (optopt && strchr(shortopts, optopt))
      *st = CB_USAGE("%s: option '%s' needs a value (see cortexbench %s --help)", cmd, bad, cmd);
    else
      *st = CB_USAGE("%s: unknown option '%s' (see cortexbench %s --help)", cmd, bad, cmd);
    return 0;
  }
  return c;
}

int cb_cli_exit_status(cb_status st) {
  switch (st) {
  case CB_OK: return 0;
  case CB_ERR_ARG: return 2;
  case CB_ERR_INTERRUPTED: return 3;
  case CB_ERR_FAULT:
  case CB_ERR_NOMEM:
  case CB_ERR_MPI: return 4;
  default: return 1;
  }
}
