/* fuzz_config.c - libFuzzer target: the suite configuration reader (INI via
 * libinih, typed keys, sections, cross-references) on arbitrary bytes. */
#include "cb_config.h"
#include "cb_status.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put("suite.ini", data, size);
  if (path == NULL) return 0;
  cb_config *c = NULL;
  if (cb_config_read(path, &c) == CB_OK) cb_config_destroy(&c);
  cb_error_clear();
  return 0;
}
