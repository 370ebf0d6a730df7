# RUN: %python %daq_src_root/scripts/quantization_error_study.py --smoke --daq-run daq-run
"""Smoke test of the quantization-error study (docs/quantization-error.md).

One tiny layer (4x16x6x6), two steps: the script builds its MLIR module
(daq.quantize_grad with #daq.max, #daq.mcs with carried state and #daq.dsgc,
daq.dequantize, daq.mcs_clip), runs it with daq-run, and exits non-zero
unless: GVQ's MSE <= per-tensor MSE, every cosine similarity is in (0, 1],
every clip is finite and positive, the max-abs strategies agree with the
script's numpy quantizer exactly (clips, int8 codes, dequantized values),
MCS's clips and classification agree with numpy, and every strategy's codes
equal numpy's quantization at the compiler's clip."""
