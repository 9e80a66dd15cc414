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
  cos_huge        ConstantOfShape([2^62]) (folds at load time)
  init_wrap       an initializer of dims [2^32, 2^32] whose element count wraps to 0, no data
  const_huge      a Constant node whose value has dims [2^16] * 4 (2^64 elements), no data
  expand_huge     Expand of the (1, 3, 8, 8) input to [2^62, 3, 8, 8]
  pad_huge        Pad of the input by 2^27 rows (each pad fits, the element count does not)
  pad_overflow    Pad of the input by 2^62 before and after (the sum overflows int64)
  reshape_huge    Reshape to [2^32, 2^32, 0, -1]
  raw_mismatch    an initializer of dims [4, 3, 3, 3] with 100 bytes of raw_data
  float_mismatch  an initializer of dims [4, 3, 3, 3] with 7 float_data values
  deep_if         50 000 If nodes, each in the then_branch of the previous one (stack depth)
  init_neg_dim    an initializer of dims [-3, 4]
  input_neg_dim   a graph input of dims [1, 3, -8, 8]
  slice_axes_many an opset-9 Slice with 9 starts/ends (more than the rank)
  empty_name      an initializer with an empty name
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


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    """One protobuf field: payload is bytes (wire type 2) or an int (wire type 0)."""
    if wire == 0:
        return varint(num << 3) + varint(payload)
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def deep_if(depth):
    """ModelProto whose graph holds an If node whose then_branch holds an If node ... depth times.
    Written from the inside out with the lengths only (the bytes of each level are a prefix of
    fields, then the nested message): linear time, no recursion in Python or protobuf."""
    def node_head(k):  # NodeProto fields before the attribute: input, output, name, op_type
        return field(1, 2, b"c") + field(2, 2, b"o%d" % k) + field(3, 2, b"if%d" % k) + field(4, 2, b"If")
    # innermost: a graph with one Identity node
    core = field(1, 2, field(1, 2, b"c") + field(2, 2, b"z") + field(4, 2, b"Identity"))
    heads, size = [], len(core)
    for k in reversed(range(depth)):
        # GraphProto{node: NodeProto{head, attribute: AttributeProto{name, type GRAPH, g: <inner>}}}
        attr_head = field(1, 2, b"then_branch") + field(20, 0, 5)
        attr_size = len(attr_head) + len(varint(6 << 3 | 2)) + len(varint(size)) + size
        node_size = len(node_head(k)) + len(varint(5 << 3 | 2)) + len(varint(attr_size)) + attr_size
        graph_prefix = varint(1 << 3 | 2) + varint(node_size)
        level = (graph_prefix + node_head(k) + varint(5 << 3 | 2) + varint(attr_size) + attr_head +
                 varint(6 << 3 | 2) + varint(size))
        heads.append(level)
        size += len(level)
    inner = b"".join(reversed(heads)) + core  # the outermost graph's node list
    # the top graph: its If node (inner, which starts with its node field), name, input, output
    g = (inner + field(2, 2, b"deep") + field(11, 2, vi("x", [1, 3, 8, 8]).SerializeToString()) +
         field(12, 2, vi("o0", [1, 3, 8, 8]).SerializeToString()))
    opset = field(1, 2, b"") + field(2, 0, 13)
    return field(1, 0, 7) + field(8, 2, opset) + field(7, 2, g)


def raw_tensor(name, dims, dtype=TensorProto.FLOAT, raw=b""):
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    t.raw_data = raw
    return t


def relu_model(extra_nodes, extra_inits=(), opset=13, inputs=None):
    """x (1, 3, 8, 8) -> Relu -> y, plus nodes and initializers that need not be used."""
    nodes = list(extra_nodes) + [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, list(extra_inits), inputs or [vi("x", [1, 3, 8, 8])], [vi("y", [1, 3, 8, 8])], opset)


def i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


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
    big = 1 << 62
    files["cos_huge"] = relu_model([helper.make_node("ConstantOfShape", ["s"], ["zeros"], name="cos")],
                                   [i64("s", [big])]).SerializeToString()
    files["init_wrap"] = relu_model([], [raw_tensor("w", [1 << 32, 1 << 32])]).SerializeToString()
    const_big = helper.make_node("Constant", [], ["k"], name="const")
    const_big.attribute.append(helper.make_attribute("value", raw_tensor("kv", [1 << 16] * 4)))
    files["const_huge"] = relu_model([const_big]).SerializeToString()
    files["expand_huge"] = relu_model([helper.make_node("Expand", ["x", "s"], ["big"], name="expand")],
                                      [i64("s", [big, 3, 8, 8])]).SerializeToString()
    files["pad_huge"] = relu_model([helper.make_node("Pad", ["x", "p"], ["padded"], name="pad")],
                                   [i64("p", [0, 0, 0, 0, 1 << 27, 0, 0, 0])]).SerializeToString()
    files["pad_overflow"] = relu_model([helper.make_node("Pad", ["x", "p"], ["padded"], name="pad")],
                                       [i64("p", [big, 0, 0, 0, big, 0, 0, 0])]).SerializeToString()
    files["reshape_huge"] = relu_model([helper.make_node("Reshape", ["x", "s"], ["r"], name="reshape")],
                                       [i64("s", [1 << 32, 1 << 32, 0, -1])]).SerializeToString()
    files["raw_mismatch"] = relu_model([], [raw_tensor("w", [4, 3, 3, 3], raw=bytes(100))]).SerializeToString()
    fm = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 3, 3, 3], float_data=[0.5] * 7)
    files["float_mismatch"] = relu_model([], [fm]).SerializeToString()
    files["deep_if"] = deep_if(50000)
    files["init_neg_dim"] = relu_model([], [raw_tensor("w", [-3, 4])]).SerializeToString()
    files["input_neg_dim"] = model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [],
                                   [vi("x", [1, 3, -8, 8])], [vi("y", [1, 3, 8, 8])]).SerializeToString()
    files["slice_axes_many"] = relu_model([helper.make_node("Slice", ["x"], ["s"], name="slice", starts=[0] * 9,
                                                           ends=[1] * 9)], opset=9).SerializeToString()
    files["empty_name"] = relu_model([], [numpy_helper.from_array(np.zeros(3, np.float32), "")]).SerializeToString()
    with open(os.path.join(out, "zoo.ini"), "w") as zoo:
        for name, data in files.items():
            path = os.path.join(out, name + ".onnx")
            with open(path, "wb") as f:
                f.write(data)
            zoo.write(f"[model]\nname = {name}\nonnx = {path}\ninput = 8x8\nvisual_degrees = 8\n\n")


if __name__ == "__main__":
    main()
