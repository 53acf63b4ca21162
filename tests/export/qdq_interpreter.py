#!/usr/bin/python3
"""A small NumPy interpreter of ONNX graphs, written from the ONNX operator definitions
(https://onnx.ai/onnx/operators/): enough for EDANAS's float and quantize/dequantize
(QDQ) exports. Not our C++ code and not an ONNX runtime: an independent reading of the
same files, to check what LibTorch's int8 simulation computes.

Usage: qdq_interpreter.py MODEL.onnx INPUT.f32 N OUTDIR [BATCH]
  INPUT.f32: N inputs, float32, C order, each of the shape the graph's input declares
  (after the batch dimension). Writes OUTDIR/<output name>.f32 (float32, N x ...) per
  graph output, in graph order, and prints one line per output: name and shape.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

F32 = np.float32


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def per_axis(v, x_ndim, axis):
    """A scale or zero point, scalar or 1-D along `axis`, shaped to broadcast against x."""
    v = np.asarray(v)
    if v.ndim == 0:
        return v
    shape = [1] * x_ndim
    shape[axis] = v.shape[0]
    return v.reshape(shape)


def quantize_linear(x, scale, zp, axis=1):
    # y = saturate(round(x / y_scale) + y_zero_point), rounding half to even
    scale = per_axis(scale.astype(F32), x.ndim, axis)
    info = np.iinfo(zp.dtype)
    zpv = per_axis(zp, x.ndim, axis).astype(F32)
    y = np.rint(x.astype(F32) / scale) + zpv
    return np.clip(y, info.min, info.max).astype(zp.dtype)


def dequantize_linear(x, scale, zp, axis=1):
    # y = (x - x_zero_point) * x_scale
    scale = per_axis(scale.astype(F32), x.ndim, axis)
    zpv = per_axis(zp, x.ndim, axis).astype(F32) if zp is not None else F32(0)
    return ((x.astype(F32) - zpv) * scale).astype(F32)


def conv(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    group = a.get("group", 1)
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    assert (dh, dw) == (1, 1), "dilated convolutions are not implemented"
    pads = a.get("pads", [0, 0, 0, 0])  # x1_begin, x2_begin, x1_end, x2_end
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (h + pads[0] + pads[2] - kh) // sh + 1
    wo = (wd + pads[1] + pads[3] - kw) // sw + 1

    def window(src, i, j):
        return src[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]

    if group == c and cg == 1 and m == c:  # depthwise
        y = np.zeros((n, m, ho, wo), F32)
        for i in range(kh):
            for j in range(kw):
                y += window(xp, i, j) * w[:, 0, i, j].reshape(1, m, 1, 1)
    else:
        outs = []
        mg = m // group
        for g in range(group):
            xg = xp[:, g * cg:(g + 1) * cg]
            cols = np.stack([window(xg, i, j) for i in range(kh) for j in range(kw)], axis=2)  # n, cg, k*k, ho, wo
            cols = cols.reshape(n, cg * kh * kw, ho * wo)
            wg = w[g * mg:(g + 1) * mg].reshape(mg, cg * kh * kw)
            outs.append(np.matmul(wg, cols).reshape(n, mg, ho, wo))
        y = np.concatenate(outs, axis=1).astype(F32)
    if b is not None:
        y = y + b.reshape(1, m, 1, 1)
    return y.astype(F32)


def max_pool(x, a):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    assert all(p == 0 for p in a.get("pads", [0, 0, 0, 0])), "padded max-pools are not implemented"
    assert a.get("ceil_mode", 0) == 0
    n, c, h, w = x.shape
    ho = (h - kh) // sh + 1
    wo = (w - kw) // sw + 1
    y = None
    for i in range(kh):
        for j in range(kw):
            v = x[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            y = v if y is None else np.maximum(y, v)
    return y


def resize_nearest(x, scales, a):
    assert a.get("mode", b"nearest") in (b"nearest", "nearest")
    ctm = a.get("coordinate_transformation_mode", b"half_pixel")
    ctm = ctm.decode() if isinstance(ctm, bytes) else ctm
    nm = a.get("nearest_mode", b"round_prefer_floor")
    nm = nm.decode() if isinstance(nm, bytes) else nm
    out = x
    for axis, s in enumerate(scales):
        length = x.shape[axis]
        new = int(np.floor(length * s))
        if new == length:
            continue
        r = np.arange(new, dtype=np.float64)
        if ctm == "half_pixel":
            orig = (r + 0.5) / s - 0.5
        elif ctm == "asymmetric":
            orig = r / s
        else:
            raise NotImplementedError("Resize coordinate_transformation_mode " + ctm)
        if nm == "round_prefer_floor":
            idx = np.where(orig - np.floor(orig) == 0.5, np.floor(orig), np.round(orig))
        elif nm == "floor":
            idx = np.floor(orig)
        else:
            raise NotImplementedError("Resize nearest_mode " + nm)
        idx = np.clip(idx, 0, length - 1).astype(np.int64)
        out = np.take(out, idx, axis=axis)
    return out


def hard_sigmoid(x, alpha, beta):
    # y = max(0, min(1, alpha * x + beta))
    return np.maximum(F32(0), np.minimum(F32(1), F32(alpha) * x + F32(beta))).astype(F32)


def run(model, x):
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "QuantizeLinear":
            y = quantize_linear(ins[0], ins[1], ins[2], a.get("axis", 1))
        elif op == "DequantizeLinear":
            y = dequantize_linear(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("axis", 1))
        elif op == "Conv":
            y = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(ins[0], F32(0))
        elif op == "HardSwish":
            y = (ins[0] * hard_sigmoid(ins[0], 1.0 / 6.0, 0.5)).astype(F32)
        elif op == "HardSigmoid":
            y = hard_sigmoid(ins[0], a.get("alpha", 0.2), a.get("beta", 0.5))
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True, dtype=F32)
        elif op == "MaxPool":
            y = max_pool(ins[0], a)
        elif op == "Mul":
            y = (ins[0] * ins[1]).astype(F32)
        elif op == "Add":
            y = (ins[0] + ins[1]).astype(F32)
        elif op == "Resize":
            scales = ins[2] if len(ins) > 2 and ins[2] is not None and ins[2].size else None
            assert scales is not None, "Resize by sizes is not implemented"
            y = resize_nearest(ins[0], scales, a)
        elif op == "Flatten":
            axis = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = F32(a.get("alpha", 1.0)) * np.matmul(A, B)
            if len(ins) > 2 and ins[2] is not None:
                y = y + F32(a.get("beta", 1.0)) * ins[2]
            y = y.astype(F32)
        elif op == "Identity":
            y = ins[0]
        else:
            raise NotImplementedError("operator " + op + " (node " + node.name + ")")
        env[node.output[0]] = y
    return [env[o.name] for o in model.graph.output]


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    model = onnx.load(sys.argv[1])
    n = int(sys.argv[3])
    out_dir = sys.argv[4]
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
    x = np.fromfile(sys.argv[2], dtype=F32)
    if x.size != n * int(np.prod(dims)):
        print(f"{sys.argv[2]}: {x.size} floats, expected {n} x {dims}", file=sys.stderr)
        return 1
    x = x.reshape([n] + dims)
    outs = None
    for at in range(0, n, batch):
        ys = run(model, x[at:at + batch])
        outs = [[y] for y in ys] if outs is None else [o + [y] for o, y in zip(outs, ys)]
    for spec, parts in zip(model.graph.output, outs):
        y = np.concatenate(parts, axis=0).astype(F32)
        y.tofile(os.path.join(out_dir, spec.name + ".f32"))
        print(spec.name, "x".join(str(s) for s in y.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main())
