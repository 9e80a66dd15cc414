/* cb_train_config.h - the [train] section of a training configuration (`cortexbench train CONFIG`); every key in
 * docs/config.md "Training". Unknown sections and keys, wrong types and inconsistent values are CB_ERR_CONFIG
 * naming the file, section and key. */
#ifndef CB_TRAIN_CONFIG_H
#define CB_TRAIN_CONFIG_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_train_config {
  char model[1024];       /* zoo name or path of an .onnx file (initial weights) */
  unsigned long long seed; /* weights of a zoo model, data order, augmentation, Dropout */
  char data[32];          /* task data: "fashion-mnist" (10 classes, IDX files) or "synthetic-it" (8, generated) */
  unsigned long long data_seed; /* synthetic-it: the seed of the training images' stream (required) */
  unsigned long long test_seed; /* synthetic-it: the seed of the evaluated set whose 640 images are the test set */
  char data_dir[1024];    /* directory of the IDX files ("" = the Debian package's) */
  long train_images;      /* use the first N training images (0 = all) */
  long test_images;       /* evaluate on the first N test images (0 = all) */
  char optimizer[16];     /* sgd, adam, adamw */
  double lr, momentum, dampening, weight_decay, beta1, beta2, eps;
  int nesterov;
  char schedule[16];      /* constant, step, cosine */
  int step_size, warmup;
  double gamma, eta_min, warmup_factor;
  int batch;              /* global batch (images per optimiser step) */
  int micro_batch;        /* images per micro-shard (divides batch) */
  long steps;             /* optimiser steps, or 0 with epochs */
  double epochs;          /* passes over the training images (steps = ceil(epochs * n / batch)) */
  long checkpoint_every;  /* steps between checkpoints (0 = at the end only) */
  long eval_every;        /* steps between test evaluations (0 = at the end only) */
  long log_every;         /* steps between progress lines */
  double mean, std;       /* input normalisation of [0, 1] pixels */
  int flip;               /* augmentation: random left-right mirror */
  int crop_padding;       /* augmentation: random crop of the image's size from it padded by this many zeros, 0 = none */
  int start_checkpoint;   /* a checkpoint and an evaluation of the initial weights (step 0) */
} cb_train_config;

/* Reads path into *out (defaults first: docs/config.md). */
cb_status cb_train_config_read(const char *path, cb_train_config *out);

#endif
