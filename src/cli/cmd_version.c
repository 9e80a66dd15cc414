/* cortexbench version */
#include <cblas.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb_h5.h"
#include "cb_version.h"
#include "cli.h"

static cb_status print_versions(void *arg) {
  (void)arg;
  char mpi[256];
  cb_par_mpi_version(mpi, sizeof mpi);
  char hdf5[64];
  cb_io_hdf5_version(hdf5, sizeof hdf5);
  const char *parallel = cb_io_hdf5_parallel() ? "parallel" : "serial";
  curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
  printf("cortexbench %s\n", CB_VERSION);
  printf("commit:   %s\n", cb_git_commit());
  printf("MPI:      %s\n", mpi);
  printf("HDF5:     %s (%s)\n", hdf5, parallel);
  printf("OpenBLAS: %s\n", openblas_get_config());
  printf("          core %s, %d thread%s\n", cb_cli_blas_core(), openblas_get_num_threads(),
         openblas_get_num_threads() == 1 ? "" : "s");
  printf("libcurl:  %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
  return CB_OK;
}

cb_status cb_cmd_version(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  cb_status st = CB_OK;
  while ((c = cb_cli_getopt("version", argc, argv, "h", opts, &st)) != -1) {
    if (c == 0) return st;
    if (c == 'h') {
      if (cb_par_rank(p) == 0)
        printf("usage: cortexbench version\n\nPrints the versions of cortexbench, MPI, HDF5 (and whether it is "
               "parallel), OpenBLAS (core name and thread count) and libcurl.\n");
      return CB_OK;
    }
    return CB_USAGE("version: unknown option (see cortexbench version --help)");
  }
  if (optind < argc) return CB_USAGE("version: unexpected argument '%s'", argv[optind]);
  cb_par_set_blas_threads(p);
  return cb_cli_on_rank0(p, print_versions, NULL);
}
