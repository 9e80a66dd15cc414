/* fuzz_assembly.c - libFuzzer target: the BrainIO assembly reader (netCDF-4
 * through the HDF5 C API, serial: no MPI_Init) on arbitrary bytes, then the
 * stimulus-level view used by scoring when the file reads. */
#include <math.h>

#include "cb_assembly.h"
#include "cb_status.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
