/* fuzz_assembly.c - libFuzzer target: the BrainIO assembly reader (netCDF-4
 * through the HDF5 C API, serial: no MPI_Init) on arbitrary bytes, then the
 * stimulus-level view used by scoring when the file reads. The HDF5 parse
 * runs in a forked child (cb_isolate): a crash or hang inside libhdf5 must
 * come back as an error, never reach this process. The child's coverage is
 * not seen by libFuzzer (its counters die with it). */
#include <math.h>
#include <stdlib.h>

#include "cb_assembly.h"
#include "cb_status.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A hung child is killed well before libFuzzer's own -timeout (30 s). */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  setenv("CB_ISOLATE_TIMEOUT", "5", 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put("assembly.nc", data, size);
  if (path == NULL) return 0;
  cb_assembly *a = NULL;
  if (cb_assembly_read(path, &a) == CB_OK) {
    cb_neural *n = NULL;
    if (cb_neural_from_assembly(a, NULL, NAN, NAN, NULL, &n) == CB_OK) cb_neural_destroy(&n);
    cb_assembly_destroy(&a);
  }
  cb_error_clear();
  return 0;
}
