/* bench_act_write: size and time of writing an activations file at several
 * deflate levels (docs/formats.md, "Activations": how the default level was
 * chosen). Reads every layer of an existing activations file F.h5 (real
 * model activations), then writes it again with the parallel writer on
 * this process (one rank) at each level, keeping the best of `reps` times.
 * usage: bench_act_write F.h5 OUTDIR [levels (default 0,1,2,4,6,9)] [reps (default 2)]
 * Prints: level, bytes, seconds, MB/s of raw activations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_activations.h"
#include "cb_mem.h"
#include "cb_par.h"
#include "cb_timer.h"

static cb_status load(const char *path, cb_activations **a, float ***X) {
  CB_CHECK(cb_activations_open(path, a));
  *X = calloc((size_t)(*a)->n_layers + 1, sizeof **X); /* per layer (n, features) */
  if (*X == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int l = 0; l < (*a)->n_layers; ++l) {
    int64_t f = 0;
    CB_CHECK(cb_activations_read_layer(*a, path, (*a)->layer_names[l], &(*X)[l], &f));
  }
  return CB_OK;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_act_write F.h5 OUTDIR [levels] [reps]\n");
    return 2;
  }
  if (!getenv("CB_BENCH_FRESH_MEMORY")) cb_mem_keep_freed(); /* as the CLI */
  cb_par *p = NULL;
  if (cb_par_init(&argc, &argv, &p) != CB_OK) return 1;
  const char *levels = argc > 3 ? argv[3] : "0,1,2,4,6,9";
  int reps = argc > 4 ? atoi(argv[4]) : 2;
  cb_activations *a = NULL;
  float **X = NULL;
  cb_status st = load(argv[1], &a, &X);
  double raw = 0;
  for (int l = 0; st == CB_OK && l < a->n_layers; ++l) raw += 4.0 * (double)a->n * (double)a->features[l];
  for (const char *s = levels; st == CB_OK && *s;) {
    int level = atoi(s);
    char out[4096];
    snprintf(out, sizeof out, "%s/level%d.h5", argv[2], level);
    cb_activations_layout lay = {.deflate = level};
    double best = 1e30;
    for (int r = 0; st == CB_OK && r < (reps > 0 ? reps : 1); ++r) {
      double t0 = cb_now();
      st = cb_par_write_activations_layout(p, out, a->model, NULL, a->n, (const char *const *)a->stimulus_id,
                                           a->n_layers, (const char *const *)a->layer_names, a->features, 0, a->n,
                                           (const float *const *)X, &lay);
      double t = cb_now() - t0;
      if (t < best) best = t;
    }
    struct stat sb;
    if (st == CB_OK && stat(out, &sb) == 0)
      printf("level %d  %12lld bytes  %7.3f s  %7.1f MB/s  ratio %.3f\n", level, (long long)sb.st_size, best,
             raw / 1e6 / best, raw / (double)sb.st_size);
    remove(out);
    s = strchr(s, ',');
    s = s ? s + 1 : "";
  }
  if (st != CB_OK) fprintf(stderr, "bench_act_write: %s\n", cb_error_message());
  if (X)
    for (int l = 0; a && l < a->n_layers; ++l) free(X[l]);
  free(X);
  cb_activations_destroy(&a);
  cb_par_destroy(&p);
  return st == CB_OK ? 0 : 1;
}
