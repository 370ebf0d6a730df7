# The README's main job, Torch-MLIR part: the ResNet basic block's training
# step quantized by daq-training-pipeline and run against the FP32 step.
# RUN: %python %daq_src_root/examples/run_torch_block.py --daq-opt daq-opt --daq-run daq-run --steps 2 | FileCheck %s
# CHECK: resnet_basic_block.mlir through daq-training-pipeline='': 1 daq.conv2d, 2 daq.qconv2d, 2 daq.qconv2d_backward_data, 2 daq.qconv2d_backward_filter, 4 daq.mcs_clip
# CHECK: clip state carried between steps: 4 values
# CHECK: step 0: INT8 against FP32
# CHECK:   Y      relative L2 error {{ *[0-9]\.[0-9]+}}%   cosine 0.99
# CHECK:   GX     relative L2 error {{ *[0-9]+\.[0-9]+}}%   cosine 0.99
# CHECK: step 1: INT8 against FP32
# CHECK:   GW2    relative L2 error {{ *[0-9]+\.[0-9]+}}%   cosine 0.99
