# RUN: %python %daq_src_root/bench/cpu_conv.py --smoke --json %t.json
# RUN: %python %s %t.json
"""Smoke test of the CPU convolution benchmark (bench/cpu_conv.py, issue 6).

The first line runs the benchmark on one tiny shape (a few seconds):
every daq INT8 and FP32 module it builds must compile and run, and PyTorch's
FP32, BF16 and quantized INT8 convolutions must run. This file then checks
the JSON it wrote: a list of records with shape, pass, impl and ms; every
impl present with the passes it is meant to have (onednn-int8: forward
only); positive finite times; and every result close to the FP32 result on
the same data (the benchmark's own check: daq-fp32 to float rounding, the
INT8 and BF16 paths within their quantization error); and all but daq-fp32
timed in the same interleaved rounds (as many calls each, two or more)."""

import json
import math
import sys

PASSES = ("fwd", "dgrad", "wgrad", "backward")
EXPECTED = {"daq-int8": PASSES, "daq-fp32": PASSES, "torch-fp32": PASSES,
            "torch-bf16": PASSES, "onednn-int8": ("fwd",)}
# Relative L2 distance from the FP32 result allowed per impl.
TOLERANCE = {"daq-fp32": 1e-5, "daq-int8": 0.05, "torch-bf16": 0.05,
             "onednn-int8": 0.05}

with open(sys.argv[1]) as f:
    records = json.load(f)
assert isinstance(records, list) and records, "expected a non-empty list"
timed = records
for r in records:
    for key in ("shape", "pass", "impl", "ms"):
        assert key in r, "record without %r: %r" % (key, r)
seen, rounds = {}, {}
for r in timed:
    assert r["impl"] in EXPECTED, "unknown impl %r" % r["impl"]
    assert r["pass"] in PASSES, "unknown pass %r" % r["pass"]
    assert isinstance(r["ms"], float) and math.isfinite(r["ms"]) and \
        r["ms"] > 0, "bad time in %r" % r
    seen.setdefault(r["impl"], set()).add(r["pass"])
    # All but the slow reference are timed in the same rounds.
    assert r["timing"] == ("alone" if r["impl"] == "daq-fp32" else
                           "interleaved"), "timing of %r" % r
    rounds.setdefault(r["timing"], set()).add(r["reps"])
    if r["impl"] in TOLERANCE:
        err = r.get("check_rel_l2")
        assert err is not None and err <= TOLERANCE[r["impl"]], \
            "%s %s: relative error %r" % (r["impl"], r["pass"], err)
    # The daq-int8 backward also times the form daq-training-pipeline emits.
    if r["impl"] == "daq-int8" and r["pass"] == "backward":
        assert math.isfinite(r["pipeline_form_ms"]) and \
            r["pipeline_form_ms"] > 0, "bad pipeline-form time in %r" % r
        assert r["pipeline_form_check_rel_l2"] <= TOLERANCE["daq-int8"], \
            "pipeline form: relative error %r" % r["pipeline_form_check_rel_l2"]
assert len(rounds["interleaved"]) == 1 and \
    min(rounds["interleaved"]) >= 2, "rounds: %r" % rounds
for impl, passes in EXPECTED.items():
    assert seen.get(impl) == set(passes), \
        "%s: passes %s, expected %s" % (impl, sorted(seen.get(impl, ())),
                                        sorted(passes))
with open(sys.argv[1][:-len(".json")] + ".meta.json") as f:
    info = json.load(f)
assert info["smoke"] and info["cpu"]["model"], "bad meta.json: %r" % info
print("ok: %d records" % len(timed))
