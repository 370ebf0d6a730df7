#!/usr/bin/env python3
"""Generate the Torch-MLIR test inputs in test/Inputs/torch/ and check them.

Each input is ONE func.func computing a full training step of a small CNN
block in linalg-on-tensors form (linalg, tensor, arith, math, func only):
the forward pass and the backward pass (vector-Jacobian product with a given
output gradient `gy`), as produced by the `torch-mlir` Python package:

  resnet_basic_block.mlir           @resnet_basic_block_step
  resnet_basic_block_bn.mlir        @resnet_basic_block_bn_step
  mobilenetv2_inverted_residual.mlir @mobilenetv2_inverted_residual_step

How the IR is obtained (what works with torch 2.15 / torch-mlir 20261001):
`torch.export` cannot trace `torch.func.vjp` or `torch.autograd.grad` itself
("NotImplementedError: Cannot access storage of TensorWrapper"), so the step
function `step(x, *weights, gy) = (y, *vjp(gy))` is first traced to an ATen
graph with `torch.fx.experimental.proxy_tensor.make_fx` (fake tensors; the
backward shows up as `aten.convolution_backward`, `aten.threshold_backward`,
...), and that GraphModule, wrapped in an nn.Module, is exported and lowered
with `torch_mlir.fx.export_and_import(..., output_type="linalg-on-tensors")`.
The weights are function arguments, so nothing is baked in as a constant.

The printed module is written unchanged after a header of `//` comments
(no post-processing is needed: LLVM 22's mlir-opt and daq-opt parse it).

Usage (needs `torch` and `torch-mlir` from PyPI, e.g. in a venv):

  python3 -m venv .venv-torch-mlir
  .venv-torch-mlir/bin/pip install torch-mlir torch
  .venv-torch-mlir/bin/python scripts/generate_torch_mlir_inputs.py [--check]

--check (needs torch, numpy and a built daq) parses every file with upstream
mlir-opt and daq-opt, lowers it with `daq-opt --daq-cpu-pipeline`, runs the
lowered module with daq-run on random inputs and compares every result with
PyTorch's own forward/backward in float32. --no-generate checks the files
already in --out-dir without regenerating them (then torch-mlir is not
needed).
"""

import argparse
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------
# The blocks, written functionally: every weight is an argument.
# --------------------------------------------------------------------------

def resnet_basic_block(x, w1, w2, ws):
    """ResNet basic block with downsampling, no BatchNorm, no bias:
    relu(conv3x3(relu(conv3x3_s2(x))) + conv1x1_s2(x))."""
    h = F.relu(F.conv2d(x, w1, stride=2, padding=1))
    y = F.conv2d(h, w2, stride=1, padding=1) + F.conv2d(x, ws, stride=2)
    return F.relu(y)


def _bn(x, gamma, beta):
    # Training-mode batch norm on batch statistics; no running statistics
    # (they would be buffers mutated in place, which make_fx cannot return).
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)


def resnet_basic_block_bn(x, w1, g1, b1, w2, g2, b2, ws, gs, bs):
    """The same block with BatchNorm after every conv (as in ResNet)."""
    h = F.relu(_bn(F.conv2d(x, w1, stride=2, padding=1), g1, b1))
    y = (_bn(F.conv2d(h, w2, stride=1, padding=1), g2, b2)
         + _bn(F.conv2d(x, ws, stride=2), gs, bs))
    return F.relu(y)


def mobilenetv2_inverted_residual(x, we, wd, wp):
    """MobileNetV2 inverted residual, expansion 3, stride 1, no BN/bias:
    x + conv1x1(relu6(dwconv3x3(relu6(conv1x1(x)))))."""
    h = F.relu6(F.conv2d(x, we))
    h = F.relu6(F.conv2d(h, wd, stride=1, padding=1, groups=wd.shape[0]))
    return x + F.conv2d(h, wp)


def conv_bias_dilated(x, w1, b1, w2, b2):
    """Two convs with bias; the second is dilated (the default pipeline
    decomposes only undilated convolution_backward, so its "decomposed"
    form mixes both forms)."""
    h = F.relu(F.conv2d(x, w1, b1, stride=2, padding=1))
    return F.conv2d(h, w2, b2, stride=1, padding=2, dilation=2)


# name, forward, [(arg name, shape)] (x first), gy shape, description
MODELS = [
    ("resnet_basic_block", resnet_basic_block,
     [("x", (2, 16, 8, 8)), ("w1", (32, 16, 3, 3)), ("w2", (32, 32, 3, 3)),
      ("ws", (32, 16, 1, 1))],
     (2, 32, 4, 4),
     ["ResNet basic block with downsampling (no BatchNorm, no bias):",
      "  h = relu(conv2d(x, w1, stride=2, padding=1))",
      "  y = relu(conv2d(h, w2, stride=1, padding=1) + conv2d(x, ws, stride=2))"]),
    ("resnet_basic_block_bn", resnet_basic_block_bn,
     [("x", (2, 16, 8, 8)),
      ("w1", (32, 16, 3, 3)), ("g1", (32,)), ("b1", (32,)),
      ("w2", (32, 32, 3, 3)), ("g2", (32,)), ("b2", (32,)),
      ("ws", (32, 16, 1, 1)), ("gs", (32,)), ("bs", (32,))],
     (2, 32, 4, 4),
     ["ResNet basic block with downsampling and training-mode BatchNorm",
      "(batch statistics, eps=1e-5, no running stats), no conv bias:",
      "  h = relu(bn(conv2d(x, w1, stride=2, padding=1), g1, b1))",
      "  y = relu(bn(conv2d(h, w2, stride=1, padding=1), g2, b2)",
      "           + bn(conv2d(x, ws, stride=2), gs, bs))"]),
    ("mobilenetv2_inverted_residual", mobilenetv2_inverted_residual,
     [("x", (2, 8, 8, 8)), ("we", (24, 8, 1, 1)), ("wd", (24, 1, 3, 3)),
      ("wp", (8, 24, 1, 1))],
     (2, 8, 8, 8),
     ["MobileNetV2 inverted residual, expansion 3, stride 1 (no BN, no bias):",
      "  h = relu6(conv2d(x, we))                          # 1x1 expand 8->24",
      "  h = relu6(conv2d(h, wd, padding=1, groups=24))   # 3x3 depthwise",
      "  y = x + conv2d(h, wp)                            # 1x1 project 24->8"]),
    ("conv_bias_dilated", conv_bias_dilated,
     [("x", (2, 4, 9, 9)), ("w1", (6, 4, 3, 3)), ("b1", (6,)),
      ("w2", (8, 6, 3, 3)), ("b2", (8,))],
     (2, 8, 5, 5),
     ["Two convolutions with bias, the second one dilated:",
      "  h = relu(conv2d(x, w1, b1, stride=2, padding=1))",
      "  y = conv2d(h, w2, b2, stride=1, padding=2, dilation=2)"]),
]


# How aten.convolution_backward reaches linalg. torch-mlir 20261001 has both:
#  "direct":     aten.convolution_backward is made backend-legal, so
#                DecomposeComplexOps keeps it and TorchToLinalg's
#                ConvertAtenConvolutionBackwardOp lowers it (grad_input:
#                flipped weight, tensor.pad or strided tensor.insert_slice,
#                linalg.generic; grad_weight: linalg.generic).
#  "decomposed": export_and_import's default pipeline; DecomposeComplexOps
#                rewrites it, when every dilation is 1 (it leaves dilated
#                ones to the direct lowering), into aten.convolution ops (a transposed
#                convolution for grad_input, a convolution of the transposed
#                input and grad_output for grad_weight), which TorchToLinalg
#                lowers to named linalg convolutions.
FORMS = {
    "direct": ["aten.convolution_backward"],
    "decomposed": None,
}

# (model, form, output file stem). mobilenetv2_inverted_residual in the
# decomposed form is left out: torch-mlir 20261001 fails to lower the
# grouped (depthwise) aten.convolution it decomposes into, e.g.
#   error: 'tensor.collapse_shape' op expected reassociation map #0 to have
#   size equal to the expanded rank (5), but it is  4.   (grad_input)
#   error: 'tensor.expand_shape' op expected dimension 1 of collapsed type to
#   be static value of 0                                  (grad_weight)
# --try-known-failures tries it anyway.
VARIANTS = [
    ("resnet_basic_block", "direct", "resnet_basic_block"),
    ("resnet_basic_block", "decomposed", "resnet_basic_block_decomposed"),
    ("resnet_basic_block_bn", "direct", "resnet_basic_block_bn"),
    ("mobilenetv2_inverted_residual", "direct", "mobilenetv2_inverted_residual"),
    ("conv_bias_dilated", "direct", "conv_bias_dilated"),
    ("conv_bias_dilated", "decomposed", "conv_bias_dilated_decomposed"),
]
KNOWN_FAILURES = [
    ("mobilenetv2_inverted_residual", "decomposed",
     "mobilenetv2_inverted_residual_decomposed"),
]


def make_step(fwd):
    def step(*args):
        *params, gy = args
        y, vjp = torch.func.vjp(fwd, *params)
        return (y, *vjp(gy))
    return step


def versions():
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch-mlir": importlib.metadata.version("torch-mlir"),
        "numpy": np.__version__,
    }


def generate(name, fwd, arg_specs, gy_shape, description, form, stem, out_dir):
    from torch.fx.experimental.proxy_tensor import make_fx
    from torch_mlir import fx as torch_mlir_fx

    func_name = stem + "_step"
    args = tuple(torch.zeros(s) for _, s in arg_specs) + (torch.zeros(gy_shape),)
    gm = make_fx(make_step(fwd), tracing_mode="fake")(*args)

    class Step(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gm = gm

        def forward(self, *a):
            return self.gm(*a)

    module = torch_mlir_fx.export_and_import(
        Step(), *args, output_type="linalg-on-tensors", func_name=func_name,
        backend_legal_ops=FORMS[form])
    body = str(module)

    v = versions()
    names = [n for n, _ in arg_specs]
    header = [
        "// Generated by scripts/generate_torch_mlir_inputs.py; do not edit.",
        f"// torch {v['torch']}, torch-mlir {v['torch-mlir']} (PyPI wheels),",
        f"// Python {v['python']}, numpy {v['numpy']}.",
        "// Regenerate (and check against PyTorch with daq-run):",
        "//   .venv-torch-mlir/bin/python scripts/generate_torch_mlir_inputs.py --check",
        "// Traced with make_fx(step)(...) and lowered with",
        "// torch_mlir.fx.export_and_import(..., output_type=\"linalg-on-tensors\",",
        f"//     backend_legal_ops={FORMS[form]!r})",
        f"// Form \"{form}\" of aten.convolution_backward"
        + (" (lowered directly by TorchToLinalg)." if form == "direct" else
           " (default pipeline: undilated ones are decomposed into"
           "\n// aten.convolution ops first, dilated ones lowered directly)."),
        "// See test/Inputs/torch/README.md for how each convolution appears.",
        "//",
    ] + ["// " + line for line in description] + [
        "//",
        f"// @{func_name}({', '.join(names)}, gy)",
        f"//   -> (y, {', '.join('d_' + n for n in names)})",
        "// where (d_x, d_w...) = vjp of the forward at (x, w...) applied to gy.",
        "",
    ]
    path = os.path.join(out_dir, stem + ".mlir")
    with open(path, "w") as f:
        f.write("\n".join(header) + "\n" + body.rstrip("\n") + "\n")
    print(f"wrote {os.path.relpath(path, REPO)}")
    return path


# --------------------------------------------------------------------------
# --check
# --------------------------------------------------------------------------

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r


def check(stem, fwd, arg_specs, gy_shape, path, tools, seed):
    func_name = stem + "_step"
    run([tools["mlir_opt"], path, "-o", os.devnull])
    run([tools["daq_opt"], path, "-o", os.devnull])

    # Only linalg-on-tensors dialects: no torch (or other) op is left over.
    allowed = {"builtin", "func", "linalg", "tensor", "arith", "math"}
    with open(path) as f:
        lines = [l for l in f if not l.lstrip().startswith("//")]
    op_re = re.compile(r"^\s*(?:%[\w:, %#]+=\s*)?([a-z_]+)\.[\w.]+")
    used = {m.group(1) for m in map(op_re.match, lines) if m}
    if not used <= allowed:
        sys.exit(f"FAILED: {path} uses ops of {sorted(used - allowed)}")

    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randn(s, generator=g) for _, s in arg_specs]
    # BatchNorm scales around 1 so that the block is well conditioned.
    inputs = [t + 1.0 if n[0] == "g" and t.dim() == 1 else t
              for (n, _), t in zip(arg_specs, inputs)]
    gy = torch.randn(gy_shape, generator=g)

    # Reference: eager PyTorch forward + torch.autograd.grad (float32).
    params = [t.clone().requires_grad_(True) for t in inputs]
    y = fwd(*params)
    grads = torch.autograd.grad(y, params, gy)
    refs = [y.detach()] + [t.detach() for t in grads]

    with tempfile.TemporaryDirectory() as tmp:
        lowered = os.path.join(tmp, stem + ".llvm.mlir")
        run([tools["daq_opt"], path, "--daq-cpu-pipeline", "-o", lowered])
        cmd = [tools["daq_run"], lowered, "-e", func_name]
        for i, t in enumerate(inputs + [gy]):
            p = os.path.join(tmp, f"in{i}.npy")
            np.save(p, t.numpy().astype(np.float32))
            cmd.append(f"--input={p}")
        outs = [os.path.join(tmp, f"out{i}.npy") for i in range(len(refs))]
        cmd += [f"--output={p}" for p in outs]
        run(cmd)
        results = [np.load(p) for p in outs]

    names = ["y"] + ["d_" + n for n, _ in arg_specs]
    ok = True
    for n, r, ref in zip(names, results, refs):
        ref = ref.numpy()
        if r.shape != ref.shape or r.dtype != np.float32:
            print(f"  {n}: shape/dtype {r.shape} {r.dtype} != {ref.shape} float32")
            ok = False
            continue
        scale = max(float(np.abs(ref).max()), 1e-30)
        err = float(np.abs(r - ref).max()) / scale
        good = err <= 1e-4
        ok &= good
        print(f"  {n:5s} {str(ref.shape):18s} max|daq-torch|/max|torch| = "
              f"{err:.2e} {'ok' if good else 'MISMATCH'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(REPO, "test", "Inputs", "torch"))
    ap.add_argument("--check", action="store_true",
                    help="parse, lower and run each file with daq and compare with PyTorch")
    ap.add_argument("--no-generate", action="store_true",
                    help="do not regenerate; only --check the existing files")
    ap.add_argument("--mlir-opt", default="/usr/lib/llvm-22/bin/mlir-opt")
    ap.add_argument("--daq-opt", default=os.path.join(REPO, "build", "bin", "daq-opt"))
    ap.add_argument("--daq-run", default=os.path.join(REPO, "build", "bin", "daq-run"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--try-known-failures", action="store_true",
                    help="also try the variants torch-mlir is known to fail on")
    a = ap.parse_args()

    os.makedirs(a.out_dir, exist_ok=True)
    tools = {"mlir_opt": a.mlir_opt, "daq_opt": a.daq_opt, "daq_run": a.daq_run}
    models = {m[0]: m[1:] for m in MODELS}
    ok = True
    variants = VARIANTS + (KNOWN_FAILURES if a.try_known_failures else [])
    for name, form, stem in variants:
        fwd, arg_specs, gy_shape, description = models[name]
        path = os.path.join(a.out_dir, stem + ".mlir")
        if not a.no_generate:
            try:
                path = generate(name, fwd, arg_specs, gy_shape, description,
                                form, stem, a.out_dir)
            except Exception as e:  # torch-mlir's TorchMlirCompilerError
                if (name, form, stem) not in KNOWN_FAILURES:
                    raise
                # MLIR prints the diagnostics (`loc(...): error: ...`) to
                # stderr before the exception is raised.
                print(f"{stem}: torch-mlir still fails (known): "
                      f"{type(e).__name__}, see the error above")
                continue
        if a.check:
            print(f"check {os.path.relpath(path, REPO)}:")
            ok &= check(stem, fwd, arg_specs, gy_shape, path, tools, a.seed)
    if a.check:
        print("all checks passed" if ok else "CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
