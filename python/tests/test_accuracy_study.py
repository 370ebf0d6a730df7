"""Smoke run of the accuracy study (examples/accuracy_study.py): every model
and method trains a few steps on 512 Fashion-MNIST images through
daq.torch, and the results, the MCS classification traces, the gradient
histograms and the plots come out as docs/accuracy.md uses them."""

import importlib.util
import json
import os

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("tqdm")
pytest.importorskip("matplotlib")

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "examples", "accuracy_study.py")


def _study():
    spec = importlib.util.spec_from_file_location("accuracy_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    study = _study()
    if not os.path.isdir(study.DATA):
        pytest.skip("Fashion-MNIST is not installed (Debian package "
                    "dataset-fashion-mnist; scripts/setup.sh installs it)")
    out = tmp_path_factory.mktemp("study")
    paths = dict(output=out / "accuracy.json",
                 details=out / "details.json", plots=out / "plots")
    runs = study.main(["--smoke", "--seeds", "0"] + [
        "--%s=%s" % (k, v) for k, v in paths.items()])
    return study, runs, paths


def test_records(smoke):
    study, _, paths = smoke
    records = json.loads(paths["output"].read_text())
    assert {(r["model"], r["method"]) for r in records} == {
        (m, meth) for m in study.MODELS for meth in study.METHODS}
    for r in records:
        assert set(r) == {"model", "method", "seed", "test_accuracy"}
        assert r["seed"] == 0 and 0 <= r["test_accuracy"] <= 100


def test_every_method_trains(smoke):
    _, runs, _ = smoke
    int8_layers = {"resnet": 8, "mobilenetv2": 16}  # all but the stem
    for run in runs:
        expected = 0 if run["method"] == "fp32" else int8_layers[run["model"]]
        assert run["int8_layers"] == expected, run["method"]
        losses = run["first_losses"] + run["last_losses"]
        assert all(np.isfinite(losses))
        # 16 steps from a random initialization: the loss goes down.
        assert np.mean(run["last_losses"][-4:]) < run["first_losses"][0], (
            run["model"], run["method"], losses)


def test_mcs_classification_is_recorded(smoke):
    _, runs, _ = smoke
    for run in runs:
        if run["method"] not in ("daq", "daq-folded", "daq-sr"):
            assert run["bell_trace"] == []
            continue
        assert len(run["bell_trace"]) >= 4
        for point in run["bell_trace"]:
            assert len(point["fractions"]) == (
                8 if run["model"] == "resnet" else 16)
            assert all(0 <= f <= 1 for f in point["fractions"].values())
        if run["method"] == "daq":
            layers = {h["layer"] for h in run["histograms"]}
            assert len(layers) == 3 and len(run["histograms"]) == 6
            for h in run["histograms"]:
                for c in h["channels"]:
                    assert sum(c["counts"]) > 0
                    # The recorded classification is the one MCS made:
                    # bell-shaped iff more than lambda = 0.3 of the
                    # channel's |g| exceed its std (up to f64 rounding).
                    if abs(c["above_sigma"] - 0.3) > 1e-6:
                        assert c["bell_shaped"] == (c["above_sigma"] > 0.3)


def test_plots(smoke):
    study, _, paths = smoke
    for model in study.MODELS:
        for kind in ("curves", "gradient-histograms", "bell-fraction"):
            png = paths["plots"] / ("%s-%s.png" % (kind, model))
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_markdown_table(smoke):
    study, runs, _ = smoke
    rows = study.markdown_table(runs).splitlines()[2:]
    assert len(rows) == len(runs)
    for row in rows:
        model, method, accuracy, delta = row.split(" | ")[:4]
        run = next(r for r in runs if "| %s" % r["model"] == model
                   and r["method"] == method)
        assert accuracy.startswith("%.2f ± " % run["test_accuracy"])
        if method != "fp32":
            assert delta[0] in "+-"
