/* fuzz_stimuli.c - libFuzzer target: the BrainIO stimulus-set CSV reader
 * (RFC 4180 quoting, BOM, CRLF, required columns, duplicate ids, unsafe
 * filenames) on arbitrary bytes. */
#include "cb_status.h"
#include "cb_stimuli.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put("stimuli.csv", data, size);
  if (path == NULL) return 0;
  cb_stimulus_set *s = NULL;
  if (cb_stimulus_set_read(path, &s) == CB_OK) {
    for (int i = 0; i < s->n && i < 4; ++i) (void)cb_stimulus_set_meta(s, i, "category");
    cb_stimulus_set_destroy(&s);
  }
  cb_error_clear();
  return 0;
}
