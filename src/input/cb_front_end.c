/* cb_front_end.c - the table of input front ends and their load functions (see cb_front_end.h). */
#include "cb_front_end.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_audio_input.h"
#include "cb_coch.h"
#include "cb_fs.h"
#include "cb_image.h"

struct cb_front_end;
typedef cb_status (*fe_check_fn)(const cb_front_end_params *p);
typedef cb_status (*fe_open_fn)(struct cb_front_end *fe, const cb_front_end_params *p);
typedef cb_status (*fe_load_fn)(struct cb_front_end *fe, const cb_stimulus_set *s, int i, float *x);

typedef struct fe_row {
  const char *name;
  cb_modality modality;
  const char *summary;
  fe_check_fn check; /* can it fill this model's input? (no allocation) */
  fe_open_fn open;
  fe_load_fn load;
} fe_row;

struct cb_front_end {
  const fe_row *row;
  int in_c, in_h, in_w;
  cb_preprocess pp;       /* image */
  float *rgb_f;           /* image, in_c = 1: (3, in_h, in_w) normalised RGB before the luma */
  cb_audio_input *audio;  /* cochleagram */
};

static cb_status image_check(const cb_front_end_params *p) {
  if (p->in_c != 3 && p->in_c != 1)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s' takes %d input channels; only RGB (3) and grayscale (1) are supported",
                    p->model, p->in_c);
  if (!(p->model_degrees > 0))
    return CB_ERROR(CB_ERR_ARG, "model '%s': visual degrees %g not positive", p->model, p->model_degrees);
  return CB_OK;
}

static cb_status image_open(cb_front_end *fe, const cb_front_end_params *p) {
  memset(&fe->pp, 0, sizeof fe->pp);
  fe->pp.out_h = p->in_h;
  fe->pp.out_w = p->in_w;
  memcpy(fe->pp.mean, p->mean, sizeof fe->pp.mean);
  memcpy(fe->pp.std, p->std, sizeof fe->pp.std);
  if (p->in_c == 1) /* one channel: normalise all three alike, then take the luminance */
    for (int c = 1; c < 3; ++c) fe->pp.mean[c] = p->mean[0], fe->pp.std[c] = p->std[0];
  fe->pp.model_degrees = p->model_degrees;
  fe->pp.stimulus_degrees = p->stimulus_degrees > 0 ? p->stimulus_degrees : p->model_degrees;
  if (p->in_c == 1) {
    fe->rgb_f = malloc(sizeof *fe->rgb_f * 3 * (size_t)p->in_h * (size_t)p->in_w);
    if (fe->rgb_f == NULL) return CB_ERROR(CB_ERR_NOMEM, "image front end: out of memory");
  }
  return CB_OK;
}

static cb_status image_load(cb_front_end *fe, const cb_stimulus_set *s, int i, float *x) {
  uint8_t *rgb = NULL; /* (h, w, 3) */
  int h = 0, w = 0;
  CB_CHECK(cb_image_read_stimulus(s, i, &rgb, &h, &w));
  cb_status st;
  if (fe->in_c == 1) {
    /* ITU-R 601 luma (PIL's convert("L")); weights sum to 1, so it commutes with the normalisation. */
    const size_t plane = (size_t)fe->in_h * fe->in_w;
    st = cb_image_preprocess(rgb, h, w, &fe->pp, fe->rgb_f);
    for (size_t k = 0; st == CB_OK && k < plane; ++k)
      x[k] = 0.299f * fe->rgb_f[k] + 0.587f * fe->rgb_f[plane + k] + 0.114f * fe->rgb_f[2 * plane + k];
  } else {
    st = cb_image_preprocess(rgb, h, w, &fe->pp, x);
  }
  free(rgb);
  return st;
}

static cb_status coch_check(const cb_front_end_params *p) {
  cb_coch_opts o;
  cb_coch_defaults(&o);
  if (!cb_audio_is_cochleagram_input(p->in_c, p->in_h, p->in_w))
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s': input %dx%dx%d is not a cochleagram (1x%dxT)", p->model, p->in_c,
                    p->in_h, p->in_w, cb_coch_n_channels(&o));
  return CB_OK;
}

static cb_status coch_open(cb_front_end *fe, const cb_front_end_params *p) {
  return cb_audio_input_create(p->in_c, p->in_h, p->in_w, p->model, &fe->audio);
}

static cb_status coch_load(cb_front_end *fe, const cb_stimulus_set *s, int i, float *x) {
  char path[CB_PATH_MAX];
  CB_CHECK(cb_stimulus_set_file_path(s, i, path, sizeof path));
  return cb_audio_input_load(fe->audio, path, x);
}

static const fe_row rows[] = {
    {"image", CB_MODALITY_VISUAL, "PNG/JPEG -> visual-degree crop or pad, antialiased resize, mean/std normalisation",
     image_check, image_open, image_load},
    {"cochleagram", CB_MODALITY_AUDIO, "sound at 20 kHz -> cropped or padded -> cochleagram (211 channels, 200 Hz)",
     coch_check, coch_open, coch_load},
};
enum { N_ROWS = sizeof rows / sizeof *rows };

int cb_front_end_count(void) { return N_ROWS; }
const char *cb_front_end_name(int i) { return i >= 0 && i < N_ROWS ? rows[i].name : NULL; }
cb_modality cb_front_end_modality(int i) { return i >= 0 && i < N_ROWS ? rows[i].modality : CB_MODALITY_UNSET; }
const char *cb_front_end_describe(int i) { return i >= 0 && i < N_ROWS ? rows[i].summary : NULL; }

int cb_front_end_find(const char *name) {
  for (int i = 0; name && i < N_ROWS; ++i)
    if (!strcmp(rows[i].name, name)) return i;
  return -1;
}

void cb_front_end_known(char *out, size_t n) {
  size_t used = 0;
  if (n > 0) out[0] = '\0';
  for (int k = 0; k < N_ROWS && used < n; ++k)
    used += (size_t)snprintf(out + used, n - used, "%s%s", k ? ", " : "", rows[k].name);
}

const char *cb_front_end_default(cb_modality m) {
  return m == CB_MODALITY_VISUAL ? "image" : m == CB_MODALITY_AUDIO ? "cochleagram" : NULL;
}

/* The row a model's declaration names, checked against its modality. */
static cb_status resolve(const cb_front_end_params *p, const fe_row **out) {
  const char *name = p->front_end && *p->front_end ? p->front_end : cb_front_end_default(p->modality);
  const char *model = p->model ? p->model : "?";
  if (name == NULL) return CB_ERROR(CB_ERR_ARG, "model '%s': no modality declared (visual or audio)", model);
  int i = cb_front_end_find(name);
  if (i < 0) {
    char known[256];
    cb_front_end_known(known, sizeof known);
    return CB_ERROR(CB_ERR_CONFIG, "model '%s': unknown input front end '%s' (known: %s)", model, name, known);
  }
  if (rows[i].modality != p->modality)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s' is %s but front end '%s' takes %s stimuli", model,
                    cb_modality_name(p->modality), name, cb_modality_name(rows[i].modality));
  *out = &rows[i];
  return CB_OK;
}

cb_status cb_front_end_check(const cb_front_end_params *p) {
  if (p == NULL) return CB_ERROR(CB_ERR_ARG, "front end: NULL argument");
  const fe_row *row = NULL;
  CB_CHECK(resolve(p, &row));
  cb_front_end_params q = *p;
  if (q.model == NULL) q.model = "?";
  return row->check(&q);
}

cb_status cb_front_end_create(const cb_front_end_params *p, cb_front_end **out) {
  if (p == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "front end: NULL argument");
  const fe_row *row = NULL;
  CB_CHECK(cb_front_end_check(p));
  CB_CHECK(resolve(p, &row));
  cb_front_end *fe = calloc(1, sizeof *fe);
  if (fe == NULL) return CB_ERROR(CB_ERR_NOMEM, "front end: out of memory");
  fe->row = row;
  fe->in_c = p->in_c, fe->in_h = p->in_h, fe->in_w = p->in_w;
  cb_front_end_params q = *p;
  if (q.model == NULL) q.model = "?";
  cb_status st = row->open(fe, &q);
  if (st != CB_OK) {
    cb_front_end_destroy(&fe);
    return st;
  }
  *out = fe;
  return CB_OK;
}

void cb_front_end_destroy(cb_front_end **fep) {
  if (fep == NULL || *fep == NULL) return;
  free((*fep)->rgb_f);
  cb_audio_input_destroy(&(*fep)->audio);
  free(*fep);
  *fep = NULL;
}

const char *cb_front_end_get_name(const cb_front_end *fe) { return fe ? fe->row->name : NULL; }

cb_status cb_front_end_load(cb_front_end *fe, const cb_stimulus_set *s, int i, float *x) {
  if (fe == NULL || s == NULL || x == NULL) return CB_ERROR(CB_ERR_ARG, "front end: NULL argument");
  if (i < 0 || i >= s->n) return CB_ERROR(CB_ERR_ARG, "front end: stimulus %d out of range (%d)", i, s->n);
  return fe->row->load(fe, s, i, x);
}
