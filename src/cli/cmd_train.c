/* cortexbench train CONFIG [-o DIR]: data-parallel training (src/par/cb_par_train.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb_par.h"
#include "cb_par_train.h"
#include "cb_train_config.h"
#include "cli.h"
#include "train_synth.h"

static void train_help(void) {
  printf("usage: cortexbench train CONFIG [-o DIR]\n\n"
         "Trains a model (a zoo builder, or an ONNX file as initial weights) on labelled images\n"
         "(Fashion-MNIST, IDX files of the Debian package dataset-fashion-mnist; or synthetic-it\n"
         "categorisation, a new generated image every time) with the optimiser,\n"
         "schedule, batch and length that CONFIG's [train] section gives (docs/config.md, Training).\n\n"
         "  CONFIG          training configuration (INI), e.g. benchmarks/train-fashion-mnist.ini\n"
         "  -o, --out DIR   output directory (default: results/train): train.ini (the configuration),\n"
         "                  checkpoints/step-NNNNNNNN.onnx + .state, checkpoints/latest, curve.csv\n"
         "  -h, --help      this help\n\n"
         "Under mpirun each rank computes a fixed block of every step's micro-shards and the shard\n"
         "gradients are averaged in one fixed order: the weights after N steps are the same bits for\n"
         "any rank count. Checkpoints are ONNX files (batch dimension N; `cortexbench activations\n"
         "--model DIR/checkpoints/step-....onnx` reads them) plus the optimiser state, written\n"
         "atomically; the same command on the same DIR resumes from the latest one (after kill -9,\n"
         "a signal, or the end) and ends with the same bits as an uninterrupted run.\n\n"
         "Signals: SIGTERM, SIGINT, SIGUSR1: a checkpoint after the step in hand, exit status 3.\n"
         "Exit status: 0 done, 1 data or configuration error, 2 usage error, 3 interrupted, 4 fault.\n\n"
         "Example: mpirun -n 2 cortexbench train benchmarks/train-fashion-mnist.ini -o /tmp/fm\n");
}

cb_status cb_cmd_train(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *out = "results/train";
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("train", argc, argv, "o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'o': out = optarg; break;
    case 'h':
      if (cb_par_rank(p) == 0) train_help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("train: missing CONFIG (see cortexbench train --help)");
  if (optind + 1 < argc) return CB_USAGE("train: unexpected argument '%s'", argv[optind + 1]);
  cb_train_config cfg;
  CB_CHECK(cb_par_agree(p, cb_train_config_read(argv[optind], &cfg)));
  cb_cli_print_header(p, cb_par_set_blas_threads(p));
  if (strcmp(cfg.data, "synthetic-it") != 0) return cb_par_train_run(p, &cfg, argv[optind], out, NULL);
  cb_par_train_source src = {0};
  CB_CHECK(cb_par_agree(p, cb_cli_train_synth_create(&cfg, &src)));
  st = cb_par_train_run(p, &cfg, argv[optind], out, &src);
  cb_cli_train_synth_destroy(&src);
  return st;
}
