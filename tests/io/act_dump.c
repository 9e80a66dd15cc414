/* act_dump: what the C readers see, for tests/io/xarray_check.py.
 *   act_dump activations F.h5 OUT   -> OUT/ids.txt (one stimulus id a line),
 *                                      OUT/layers.txt ("<index>\t<features>\t<name>"),
 *                                      OUT/<index>.f32 (n, features) float32, native order
 *   act_dump assembly A.nc OUT      -> OUT/ids.txt (stimulus_id per presentation),
 *                                      OUT/data.f64 (n_pres, n_neuroid, n_time) float64
 * Exit 0 on success, 1 with a one-line message otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_assembly.h"
#include "cb_status.h"

static cb_status write_file(const char *dir, const char *leaf, const void *data, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, leaf);
  FILE *f = fopen(path, "wb");
  if (f == NULL) return CB_ERROR(CB_ERR_IO, "%s: cannot create", path);
  size_t put = bytes ? fwrite(data, 1, bytes, f) : 0;
  int bad = fclose(f) != 0 || put != bytes;
  return bad ? CB_ERROR(CB_ERR_IO, "%s: cannot write", path) : CB_OK;
}

static cb_status write_lines(const char *dir, const char *leaf, char *const *s, int64_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, leaf);
  FILE *f = fopen(path, "w");
  if (f == NULL) return CB_ERROR(CB_ERR_IO, "%s: cannot create", path);
  for (int64_t i = 0; i < n; ++i) fprintf(f, "%s\n", s[i]);
  return fclose(f) == 0 ? CB_OK : CB_ERROR(CB_ERR_IO, "%s: cannot write", path);
}

static cb_status dump_activations(const char *in, const char *out) {
  cb_activations *a = NULL;
  CB_CHECK(cb_activations_open(in, &a));
  cb_status st = write_lines(out, "ids.txt", a->stimulus_id, a->n);
  char path[4096];
  snprintf(path, sizeof path, "%s/layers.txt", out);
  FILE *list = st == CB_OK ? fopen(path, "w") : NULL;
  if (st == CB_OK && list == NULL) st = CB_ERROR(CB_ERR_IO, "%s: cannot create", path);
  for (int l = 0; st == CB_OK && l < a->n_layers; ++l) {
    float *X = NULL; /* (n, features) */
    int64_t f = 0;
    st = cb_activations_read_layer(a, in, a->layer_names[l], &X, &f);
    char leaf[32];
    snprintf(leaf, sizeof leaf, "%d.f32", l);
    if (st == CB_OK) st = write_file(out, leaf, X, (size_t)(a->n * f) * sizeof *X);
    if (st == CB_OK) fprintf(list, "%d\t%lld\t%s\n", l, (long long)f, a->layer_names[l]);
    free(X);
  }
  if (list && fclose(list) != 0 && st == CB_OK) st = CB_ERROR(CB_ERR_IO, "%s: cannot write", path);
  cb_activations_destroy(&a);
  return st;
}

static cb_status dump_assembly(const char *in, const char *out) {
  cb_assembly *a = NULL;
  CB_CHECK(cb_assembly_read(in, &a));
  cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: no string coordinate stimulus_id", in);
  for (int c = 0; c < a->n_coords; ++c)
    if (!strcmp(a->coords[c].name, "stimulus_id") && a->coords[c].is_string && a->coords[c].dim == 0)
      st = write_lines(out, "ids.txt", a->coords[c].s, a->n_pres);
  if (st == CB_OK)
    st = write_file(out, "data.f64", a->data, (size_t)(a->n_pres * a->n_neuroid * a->n_time) * sizeof *a->data);
  cb_assembly_destroy(&a);
  return st;
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "activations") && strcmp(argv[1], "assembly"))) {
    fprintf(stderr, "usage: act_dump activations|assembly FILE OUTDIR\n");
    return 2;
  }
  cb_status st = !strcmp(argv[1], "activations") ? dump_activations(argv[2], argv[3]) : dump_assembly(argv[2], argv[3]);
  if (st != CB_OK) {
    fprintf(stderr, "act_dump: %s\n", cb_error_message());
    return 1;
  }
  return 0;
}
