/* zoo_dump - writes the parameters of a zoo model, as our seeded builder
 * makes them, for tests/reference/make_zoo_goldens.py (which loads them
 * into the PyTorch definition of the same architecture):
 *   zoo_dump MODEL SEED H W OUTDIR
 * OUTDIR/params.txt: one line per float parameter "NAME NDIM D0 D1 ...",
 * OUTDIR/params.bin: their float32 data (little endian) in that order. */
#include <stdio.h>
#include <stdlib.h>

#include "cb_zoo_impl.h"

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: zoo_dump MODEL SEED H W OUTDIR\n");
    return 2;
  }
  cb_zoo_opts o = {.seed = strtoull(argv[2], NULL, 10), .in_h = atoi(argv[3]), .in_w = atoi(argv[4])};
  cb_graph *g = NULL;
  cb_model_info info;
  if (cb__zoo_build_graph(argv[1], &o, &g, &info) != CB_OK) {
    fprintf(stderr, "zoo_dump: %s\n", cb_error_message());
    return 1;
  }
  char p1[4096], p2[4096];
  snprintf(p1, sizeof p1, "%s/params.txt", argv[5]);
  snprintf(p2, sizeof p2, "%s/params.bin", argv[5]);
  FILE *ft = fopen(p1, "w"), *fb = fopen(p2, "wb");
  if (!ft || !fb) {
    fprintf(stderr, "zoo_dump: cannot write into %s\n", argv[5]);
    return 1;
  }
  for (int v = 0; v < cb_graph_n_values(g); ++v) {
    float *d;
    int64_t n, s[CB_GRAPH_MAX_DIMS];
    const char *name = cb_graph_value_name(g, v);
    if (cb_graph_value_is_layer(g, v) || cb_graph_value_dtype(g, v) != CB_DT_FLOAT) continue;
    if (cb_graph_param(g, name, &d, &n) != CB_OK) continue; /* the input */
    int nd = cb_graph_value_shape(g, v, s);
    fprintf(ft, "%s %d", name, nd);
    for (int k = 0; k < nd; ++k) fprintf(ft, " %lld", (long long)s[k]);
    fprintf(ft, "\n");
    fwrite(d, sizeof *d, (size_t)n, fb);
  }
  fclose(ft);
  fclose(fb);
  cb_graph_destroy(&g);
  return 0;
}
