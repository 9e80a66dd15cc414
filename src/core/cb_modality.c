/* cb_modality.c - modality names and the kind of a stimulus file (see cb_modality.h). */
#include "cb_modality.h"

#include <string.h>
#include <strings.h>

const char *cb_modality_name(cb_modality m) {
  switch (m) {
  case CB_MODALITY_VISUAL: return "visual";
  case CB_MODALITY_AUDIO: return "audio";
  default: return "unset";
  }
}

int cb_modality_parse(const char *s, cb_modality *out) {
  if (s == NULL) return 0;
  cb_modality m = !strcmp(s, "visual") ? CB_MODALITY_VISUAL : !strcmp(s, "audio") ? CB_MODALITY_AUDIO : CB_MODALITY_UNSET;
  if (m == CB_MODALITY_UNSET) return 0;
  if (out) *out = m;
  return 1;
}

cb_modality cb_modality_of_file(const char *filename) {
  static const char *const sound[] = {".wav", ".flac", ".ogg", ".aiff", ".aif"};
  size_t n = filename ? strlen(filename) : 0;
  for (size_t i = 0; i < sizeof sound / sizeof *sound; ++i) {
    size_t k = strlen(sound[i]);
    if (n >= k && strcasecmp(filename + n - k, sound[i]) == 0) return CB_MODALITY_AUDIO;
  }
  return CB_MODALITY_VISUAL;
}
