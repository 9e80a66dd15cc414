#!/usr/bin/python3
"""Malformed ONNX models made with the onnx package at test time, plus a
zoo manifest that names each one (model NAME -> DIR/NAME.onnx).

usage: make_onnx.py DIR
  good            a valid Conv + Relu model (control: loads)
  truncated       the good model cut in the middle of its weights
  garbage         bytes that are not a protobuf
  opset_old       opset 3 (supported: 7-17)
  opset_new       opset 99
  unsupported_op  a node of op type 'FancyOp'
  dangling_input  a node reading a value nothing produces
  shape_mismatch  Add of (1, 3, 8, 8) and (1, 4, 8, 8)
  no_graph        a ModelProto without a graph
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inits, inputs, outputs, opset=13):
    g = helper.make_graph(nodes, "bad", inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def good(opset=13):
    w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    return model(nodes, [w], [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 8, 8])], opset)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {}
    g = good().SerializeToString()
    files["good"] = g
    files["truncated"] = g[: len(g) // 2]
    files["garbage"] = bytes(range(7, 250, 3)) * 4
    files["opset_old"] = good(3).SerializeToString()
    files["opset_new"] = good(99).SerializeToString()
    files["unsupported_op"] = model([helper.make_node("FancyOp", ["x"], ["y"], name="fancy")], [],
                                    [vi("x", [1, 3, 8, 8])], [vi("y", [1, 3, 8, 8])]).SerializeToString()
    files["dangling_input"] = model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add")], [],
                                    [vi("x", [1, 3, 8, 8])], [vi("y", [1, 3, 8, 8])]).SerializeToString()
    files["shape_mismatch"] = model([helper.make_node("Add", ["x", "z"], ["y"], name="add")], [],
                                    [vi("x", [1, 3, 8, 8]), vi("z", [1, 4, 8, 8])],
                                    [vi("y", [1, 3, 8, 8])]).SerializeToString()
    files["no_graph"] = helper.make_model(helper.make_graph([], "g", [], []),
                                          opset_imports=[helper.make_opsetid("", 13)])
    files["no_graph"].ClearField("graph")
    files["no_graph"] = files["no_graph"].SerializeToString()
    with open(os.path.join(out, "zoo.ini"), "w") as zoo:
        for name, data in files.items():
            path = os.path.join(out, name + ".onnx")
            with open(path, "wb") as f:
                f.write(data)
            zoo.write(f"[model]\nname = {name}\nonnx = {path}\ninput = 8x8\nvisual_degrees = 8\n\n")


if __name__ == "__main__":
    main()
