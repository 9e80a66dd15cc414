/* cb_modality.h - what kind of stimulus a model takes and a stimulus set
 * holds. A model declares its modality (zoo builders in their description,
 * ONNX models through the suite's or the zoo manifest's `modality` key,
 * visual when not given); a stimulus set declares its own (the suite's
 * [dataset] `modality` key) or has the kind of its files, which must all be of
 * one kind. A model runs only on stimulus sets of its modality; its input
 * front end (src/input/cb_front_end.h) turns a stimulus into its input. */
#ifndef CB_MODALITY_H
#define CB_MODALITY_H

#include "cb_status.h"

typedef enum cb_modality {
  CB_MODALITY_UNSET = 0, /* not declared (a zero-initialised description) */
  CB_MODALITY_VISUAL,    /* images */
  CB_MODALITY_AUDIO      /* sounds */
} cb_modality;

/* "visual", "audio" ("unset" for CB_MODALITY_UNSET and unknown values). */
const char *cb_modality_name(cb_modality m);
/* Parses "visual" or "audio" (exact); 0 when s names no modality. */
int cb_modality_parse(const char *s, cb_modality *out);
/* The kind of a stimulus file by its name: a sound (.wav, .flac, .ogg, .aiff, .aif, any case) is audio, anything
 * else visual (images are decoded by content, whatever their suffix). */
cb_modality cb_modality_of_file(const char *filename);

#endif
