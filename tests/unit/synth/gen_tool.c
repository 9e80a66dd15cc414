/* temporary */
#include <stdio.h>
#include <stdlib.h>
#include "cb_generate.h"
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  cb_status st = cb_generate_dataset(argv[1], strtoull(argv[2], NULL, 10), argv[3]);
  printf("%d\n", (int)st);
  return st != CB_OK;
}
