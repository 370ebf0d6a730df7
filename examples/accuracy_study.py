#!/usr/bin/python3
"""Accuracy study: INT8 training with daq against FP32 on Fashion-MNIST.

Trains a ResNet-style CNN and a MobileNetV2-style CNN (depthwise
convolutions) with every method below, same schedule, several seeds, and
writes

* ``--output`` (examples/results/accuracy.json): one record per run,
  ``{model, method, seed, test_accuracy}``;
* ``--details`` (examples/results/accuracy-details.json): per-epoch loss,
  accuracy and wall-clock, the fraction of channels MCS classifies
  bell-shaped per layer over training, and per-channel gradient histograms;
* ``--plots`` (docs/images/accuracy/): the PNG figures of docs/accuracy.md.

Methods (every convolution but the first is INT8; the first convolution
and the classifier stay FP32, as in the paper):

  fp32             no quantization
  int8-per-tensor  X, W and GY per tensor, max-abs clips
  gvq              GY per output channel for backward-filter (max-abs)
  daq              GVQ + Magnitude-aware Clipping (MCS)
  daq-folded       DAQ, backward-data with the channel clips folded into W
  daq-sr           DAQ with stochastic rounding of GY
  ui8              UI8-style: direction-sensitive clipping + stochastic
                   rounding, per tensor

Full study (the one in docs/accuracy.md; about an hour on 2 cores):

    /usr/bin/python3 examples/accuracy_study.py

``--smoke`` runs every model and method for a few steps on a data subset
(the test command does).
"""

import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPOSITORY, "python"))

import daq.torch as dt  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
MODELS = ("resnet", "mobilenetv2")
METHODS = {
    "fp32": None,
    "int8-per-tensor": dict(clip="max", granularity="per-tensor"),
    "gvq": dict(clip="max"),
    "daq": dict(clip="mcs"),
    "daq-folded": dict(clip="mcs", backward_data="folded"),
    "daq-sr": dict(clip="mcs", rounding="stochastic"),
    # 16 candidate clips (daq.dsgc_clip's default is 32): the search over
    # every large gradient tensor dominates the step time otherwise.
    "ui8": dict(clip="dsgc", granularity="per-tensor",
                rounding="stochastic", candidates=16),
}
# Layers whose gradient histograms are kept (the paper's Fig. 1).
HISTOGRAM_LAYERS = {
    "resnet": ("layer1.conv2", "layer2.conv1", "layer3.conv2"),
    "mobilenetv2": ("blocks.1.depthwise", "blocks.3.project", "head"),
}
HISTOGRAM_BINS = 41


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------
def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist(root=DATA):
    """(train images, train labels, test images, test labels); images as
    normalized float32 [N, 1, 28, 28]."""
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    paths = [os.path.join(root, n) for n in names]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        sys.exit("Fashion-MNIST not found (%s): install the Debian package "
                 "dataset-fashion-mnist (scripts/setup.sh does) or pass "
                 "--data DIR" % ", ".join(missing))
    xtr, ytr, xte, yte = (_idx(p) for p in paths)

    def images(x):
        x = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
        return (x - 0.2860) / 0.3530

    return (images(xtr), torch.from_numpy(ytr.astype(np.int64)),
            images(xte), torch.from_numpy(yte.astype(np.int64)))


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False),
                nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    """ResNet-8 style: a stride-2 3x3 stem and three basic blocks (16, 32,
    64 channels; the last two downsample by 2)."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.layer1 = BasicBlock(16, 16, 1)
        self.layer2 = BasicBlock(16, 32, 2)
        self.layer3 = BasicBlock(32, 64, 2)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expansion, 3x3 depthwise, 1x1 projection."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.expand = nn.Conv2d(cin, hidden, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(hidden)
        self.depthwise = nn.Conv2d(hidden, hidden, 3, stride, 1,
                                   groups=hidden, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.project = nn.Conv2d(hidden, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = F.relu6(self.bn1(self.expand(x)))
        y = F.relu6(self.bn2(self.depthwise(y)))
        y = self.bn3(self.project(y))
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    """A MobileNetV2-style network for 28x28 inputs: a stride-2 3x3 stem,
    five inverted residual blocks (expansion 2, to fit the study in an
    hour on 2 cores) and a 1x1 head."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.blocks = nn.Sequential(
            InvertedResidual(16, 16, 1, 2), InvertedResidual(16, 24, 2, 2),
            InvertedResidual(24, 24, 1, 2), InvertedResidual(24, 32, 2, 2),
            InvertedResidual(32, 32, 1, 2))
        self.head = nn.Conv2d(32, 96, 1, bias=False)
        self.bn_head = nn.BatchNorm2d(96)
        self.fc = nn.Linear(96, classes)

    def forward(self, x):
        x = F.relu6(self.bn(self.stem(x)))
        x = F.relu6(self.bn_head(self.head(self.blocks(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def build_model(name, method, seed, backend):
    torch.manual_seed(seed)
    model = {"resnet": ResNet, "mobilenetv2": MobileNetV2}[name]()
    config = METHODS[method]
    if config is not None:
        dt.convert(model, "all-but-first", backend=backend, seed=seed,
                   **config)
    return model


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------
def evaluate(model, x, y, batch_size=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            correct += (model(x[i:i + batch_size]).argmax(1) ==
                        y[i:i + batch_size]).sum().item()
    model.train()
    return 100.0 * correct / len(x)


class GradientRecorder:
    """Captures the output gradient of chosen daq convolutions at chosen
    steps, as per-channel histograms of g / max|g| with each channel's MCS
    classification (read after the backward pass that classified it)."""

    def __init__(self, model, names, steps, channels=16):
        self.modules = {n: m for n, m in model.named_modules()
                        if n in names and isinstance(m, dt.Conv2d)}
        self.steps, self.channels = set(steps), channels
        self.pending, self.records = {}, []
        self.step = 0
        for name, module in self.modules.items():
            module.register_forward_hook(self._forward_hook(name))

    def _forward_hook(self, name):
        def hook(module, inputs, output):
            if self.step in self.steps and output.requires_grad:
                output.register_hook(
                    lambda g: self.pending.__setitem__(name, g.detach()))
        return hook

    def after_step(self):
        for name, g in self.pending.items():
            bell = self.modules[name].mcs_bell_shaped.tolist()
            g64 = g.double().transpose(0, 1).reshape(g.shape[1], -1)
            channels = []
            for c in range(min(self.channels, g.shape[1])):
                v = g64[c]
                mx = v.abs().max().item()
                sigma = v.std(unbiased=False).item()
                counts = np.histogram((v / mx).numpy() if mx > 0 else
                                      v.numpy(), bins=HISTOGRAM_BINS,
                                      range=(-1, 1))[0]
                channels.append(dict(
                    channel=c, bell_shaped=bool(bell[c]),
                    above_sigma=float((v.abs() > sigma).double().mean()),
                    sigma_over_max=sigma / mx if mx > 0 else 0.0,
                    counts=counts.tolist()))
            self.records.append(dict(layer=name, step=self.step,
                                     channels=channels))
        self.pending.clear()
        self.step += 1


def bell_fractions(model):
    return {name: m.mcs_bell_shaped.float().mean().item()
            for name, m in model.named_modules()
            if isinstance(m, dt.Conv2d) and m.config.clip == "mcs"}


def train(model_name, method, seed, data, args, progress):
    xtr, ytr, xte, yte = data
    model = build_model(model_name, method, seed, args.backend)
    steps_per_epoch = math.ceil(len(xtr) / args.batch_size)
    total = steps_per_epoch * args.epochs
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9,
                                weight_decay=args.weight_decay,
                                nesterov=True)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=total, pct_start=0.15)
    recorder = None
    if method == "daq" and seed == args.seeds[0]:
        recorder = GradientRecorder(model, HISTOGRAM_LAYERS[model_name],
                                    steps=(min(20, total // 4), total - 1))
    generator = torch.Generator().manual_seed(seed)
    epochs, losses, bell_trace = [], [], []
    step = 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(xtr), generator=generator)
        start, epoch_loss = time.time(), 0.0
        for i in range(steps_per_epoch):
            batch = order[i * args.batch_size:(i + 1) * args.batch_size]
            xb = xtr[batch]
            flip = torch.rand(len(batch), generator=generator) < 0.5
            xb = torch.where(flip.reshape(-1, 1, 1, 1), xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), ytr[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            if recorder:
                recorder.after_step()
            value = loss.item()
            if not math.isfinite(value):
                raise FloatingPointError(
                    "%s/%s seed %d: loss became %r at step %d" % (
                        model_name, method, seed, value, step))
            losses.append(value)
            epoch_loss += value
            if step % args.track_every == 0 or step == total - 1:
                fractions = bell_fractions(model)
                if fractions:
                    bell_trace.append(dict(step=step, fractions=fractions))
            step += 1
            progress.update(1)
            progress.set_postfix_str("%s %s s%d loss %.3f" % (
                model_name, method, seed, value), refresh=False)
        seconds = time.time() - start
        accuracy = evaluate(model, xte, yte)
        epochs.append(dict(epoch=epoch + 1, train_loss=epoch_loss /
                           steps_per_epoch, test_accuracy=accuracy,
                           seconds=seconds))
    stride = max(1, len(losses) // 400)  # keep at most ~400 points
    return dict(model=model_name, method=method, seed=seed,
                test_accuracy=epochs[-1]["test_accuracy"], epochs=epochs,
                loss_stride=stride, step_losses=losses[::stride],
                first_losses=losses[:8], last_losses=losses[-8:],
                bell_trace=bell_trace,
                histograms=recorder.records if recorder else [],
                int8_layers=sum(isinstance(m, dt.Conv2d)
                                for m in model.modules()))


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def summary(runs):
    """{(model, method): (mean, std, seconds per epoch, n)}."""
    table = {}
    for run in runs:
        table.setdefault((run["model"], run["method"]), []).append(run)
    out = {}
    for key, group in table.items():
        acc = np.array([r["test_accuracy"] for r in group])
        secs = np.mean([e["seconds"] for r in group for e in r["epochs"]])
        out[key] = (acc.mean(), acc.std(ddof=1) if len(acc) > 1 else 0.0,
                    secs, len(acc))
    return out


def markdown_table(runs):
    table = summary(runs)
    lines = ["| model | method | test accuracy (%) | vs fp32 | s / epoch | "
             "seeds |", "|---|---|---|---|---|---|"]
    for model in MODELS:
        base = table.get((model, "fp32"))
        for method in METHODS:
            if (model, method) not in table:
                continue
            mean, std, secs, n = table[(model, method)]
            delta = "%+.2f" % (mean - base[0]) if base else "-"
            lines.append("| %s | %s | %.2f ± %.2f | %s | %.1f | %d |" % (
                model, method, mean, std, delta, secs, n))
    return "\n".join(lines)


def plot(runs, directory):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(directory, exist_ok=True)
    written = []
    colors = dict(zip(METHODS, plt.get_cmap("tab10").colors))
    for model in MODELS:
        mine = [r for r in runs if r["model"] == model]
        if not mine:
            continue
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
        for method in METHODS:
            group = [r for r in mine if r["method"] == method]
            if not group:
                continue
            epochs = [e["epoch"] for e in group[0]["epochs"]]
            # Training loss per step, mean over seeds, moving average.
            loss = np.mean([r["step_losses"] for r in group], axis=0)
            width = max(1, len(loss) // 12)
            smooth = np.convolve(loss, np.ones(width) / width, "valid")
            stride = group[0].get("loss_stride", 1)
            acc = np.array([[e["test_accuracy"] for e in r["epochs"]]
                            for r in group])
            ax_loss.plot((np.arange(len(smooth)) + width - 1) * stride,
                         smooth, lw=1.2, color=colors[method], label=method)
            ax_acc.errorbar(epochs, acc.mean(0), yerr=acc.std(0),
                            marker="o", capsize=3, color=colors[method],
                            label=method)
        ax_loss.set(xlabel="training step", ylabel="training loss",
                    title="%s: training loss (mean over seeds, moving "
                          "average)" % model, yscale="log")
        ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)",
                   title="%s: test accuracy (mean, std over seeds)" % model)
        ax_acc.legend(fontsize=8)
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
        fig.tight_layout()
        written.append(os.path.join(directory, "curves-%s.png" % model))
        fig.savefig(written[-1], dpi=90)
        plt.close(fig)

        # One run's histograms (the first seed's daq run records them).
        histos = next((r["histograms"] for r in mine
                       if r["method"] == "daq" and r["histograms"]), [])
        if histos:
            layers = sorted({h["layer"] for h in histos},
                            key=HISTOGRAM_LAYERS[model].index)
            steps = sorted({h["step"] for h in histos})
            fig, axes = plt.subplots(len(steps), len(layers), squeeze=False,
                                     figsize=(4.2 * len(layers),
                                              3.2 * len(steps)))
            centers = np.linspace(-1, 1, HISTOGRAM_BINS + 1)
            centers = (centers[:-1] + centers[1:]) / 2
            for h in histos:
                ax = axes[steps.index(h["step"])][layers.index(h["layer"])]
                bell = sum(c["bell_shaped"] for c in h["channels"])
                for c in h["channels"]:
                    counts = np.array(c["counts"], dtype=np.float64)
                    ax.plot(centers, counts / counts.sum(), lw=0.9,
                            alpha=0.8, color="tab:blue" if c["bell_shaped"]
                            else "tab:red")
                ax.set_yscale("log")
                ax.set_title("%s, step %d\n%d bell-shaped (blue), %d "
                             "inverted-T (red)" % (
                                 h["layer"], h["step"], bell,
                                 len(h["channels"]) - bell), fontsize=9)
                ax.set_xlabel("g / max|g| of the channel", fontsize=8)
            fig.tight_layout()
            written.append(os.path.join(
                directory, "gradient-histograms-%s.png" % model))
            fig.savefig(written[-1], dpi=90)
            plt.close(fig)

        traces = [r["bell_trace"] for r in mine if r["method"] == "daq"
                  and r["bell_trace"]]
        if traces:
            fig, ax = plt.subplots(figsize=(8, 4.5))
            layers = list(traces[0][0]["fractions"])
            steps = [t["step"] for t in traces[0]]
            cmap = plt.get_cmap("viridis")
            for i, layer in enumerate(layers):
                values = np.mean([[t["fractions"][layer] for t in trace]
                                  for trace in traces], axis=0)
                ax.plot(steps, values, lw=1.2, label=layer,
                        color=cmap(i / max(1, len(layers) - 1)))
            ax.set(xlabel="training step", ylim=(-0.02, 1.02),
                   ylabel="fraction of channels bell-shaped",
                   title="%s, daq: MCS classification per layer (mean over "
                         "seeds)" % model)
            ax.legend(fontsize=7, ncol=2)
            ax.grid(alpha=0.3)
            fig.tight_layout()
            written.append(os.path.join(directory,
                                        "bell-fraction-%s.png" % model))
            fig.savefig(written[-1], dpi=90)
            plt.close(fig)
    return written


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--train-subset", type=int, default=10000,
                   help="use the first N training images (0: all 60000)")
    p.add_argument("--test-subset", type=int, default=0)
    p.add_argument("--backend", default="torch", choices=("torch", "jit"),
                   help="daq.torch backend (default torch: the same codes "
                        "and clips, fast enough for hours of training)")
    p.add_argument("--track-every", type=int, default=10,
                   help="record MCS classifications every N steps")
    p.add_argument("--threads", type=int, default=1,
                   help="PyTorch threads (1: on a loaded 2-core machine, "
                        "two threads wait on each other)")
    p.add_argument("--data", default=DATA)
    p.add_argument("--output", default=os.path.join(
        HERE, "results", "accuracy.json"))
    p.add_argument("--details", default=os.path.join(
        HERE, "results", "accuracy-details.json"))
    p.add_argument("--plots", default=os.path.join(
        REPOSITORY, "docs", "images", "accuracy"))
    p.add_argument("--resume", action="store_true",
                   help="keep the runs already in --details, run the rest")
    p.add_argument("--merge", nargs="+", metavar="DETAILS",
                   help="train nothing: combine the runs of these details "
                        "files (e.g. from parallel processes) into "
                        "--output, --details and --plots")
    p.add_argument("--smoke", action="store_true",
                   help="a few steps of every run on 512 images")
    args = p.parse_args(argv)
    args.models = args.models.split(",")
    args.methods = args.methods.split(",")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    for name, chosen, known in (("model", args.models, MODELS),
                                ("method", args.methods, METHODS)):
        bad = [c for c in chosen if c not in known]
        if bad:
            p.error("unknown %s %s (known: %s)" % (name, ", ".join(bad),
                                                   ", ".join(known)))
    if args.smoke:
        args.epochs, args.train_subset, args.test_subset = 1, 512, 512
        args.batch_size, args.track_every = 32, 4
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    from tqdm import tqdm

    xtr, ytr, xte, yte = load_fashion_mnist(args.data)
    if args.train_subset:
        xtr, ytr = xtr[:args.train_subset], ytr[:args.train_subset]
    if args.test_subset:
        xte, yte = xte[:args.test_subset], yte[:args.test_subset]

    runs = []
    if args.resume and os.path.exists(args.details):
        with open(args.details) as f:
            runs = json.load(f)["runs"]
    for path in args.merge or ():
        with open(path) as f:
            seen = {(r["model"], r["method"], r["seed"]) for r in runs}
            runs += [r for r in json.load(f)["runs"]
                     if (r["model"], r["method"], r["seed"]) not in seen]
    if args.merge:
        todo = []
    done = {(r["model"], r["method"], r["seed"]) for r in runs}
    if not args.merge:
        todo = [(m, meth, s) for s in args.seeds for m in args.models
                for meth in args.methods if (m, meth, s) not in done]
    steps = math.ceil(len(xtr) / args.batch_size) * args.epochs
    print("accuracy study: %d runs (%d done), %d steps each, backend %s"
          % (len(todo), len(done), steps, args.backend), flush=True)

    def save():
        for path in (args.output, args.details):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        records = [dict(model=r["model"], method=r["method"], seed=r["seed"],
                        test_accuracy=r["test_accuracy"]) for r in runs]
        with open(args.output, "w") as f:
            json.dump(records, f, indent=1)
            f.write("\n")
        with open(args.details, "w") as f:
            json.dump(dict(settings=dict(
                epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                weight_decay=args.weight_decay, backend=args.backend,
                train_images=len(xtr), test_images=len(xte),
                threads=args.threads), runs=runs), f)

    with tqdm(total=steps * len(todo), unit="step", mininterval=5,
              dynamic_ncols=True, file=sys.stderr) as progress:
        for model, method, seed in todo:
            runs.append(train(model, method, seed, (xtr, ytr, xte, yte),
                              args, progress))
            progress.write("%-12s %-16s seed %d: %.2f%% (%.1f s/epoch)" % (
                model, method, seed, runs[-1]["test_accuracy"],
                np.mean([e["seconds"] for e in runs[-1]["epochs"]])))
            save()
    save()
    print(markdown_table(runs))
    if args.plots:
        for path in plot(runs, args.plots):
            print("wrote", os.path.relpath(path))
    return runs


if __name__ == "__main__":
    main()
