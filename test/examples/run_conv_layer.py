# The README's main job, JIT part: one INT8 and one FP32 training step of the
# example layer on the CPU.
# RUN: %python %daq_src_root/examples/run_conv_layer.py --daq-run daq-run --steps 1 | FileCheck %s
# CHECK: step 0: INT8 (DAQ: GVQ + MCS) against FP32
# CHECK:   Y   relative L2 error {{ *[0-9]\.[0-9]+}}%   cosine 0.99
# CHECK:   GX  relative L2 error {{ *[0-9]\.[0-9]+}}%   cosine 0.99
# CHECK:   GW  relative L2 error {{ *[0-9]\.[0-9]+}}%   cosine 0.99
# CHECK:   MCS clip state
