"""The CPU kernels' thread pool seen from Python: kernels called from several
threads at once (one loop gets the pool, the others start threads of their
own) and after fork() (the child has none of the parent's workers) give the
same bits as one call alone."""

import os
import signal
import threading

import numpy as np
import pytest

import daq

# A 3x3 INT8 convolution (the qconv kernels) and quantize_grad with MCS (the
# statistics kernels): both run several parallel phases per call.
CONV_AND_STATS = """
func.func @conv(%x: tensor<4x24x17x17xi8>, %sx: tensor<f32>,
                %w: tensor<40x24x3x3xi8>, %sw: tensor<f32>)
    -> tensor<4x40x17x17xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw,
      strides = [1, 1], padding = [1, 1, 1, 1], dilations = [1, 1],
      groups = 1>}
      : (tensor<4x24x17x17xi8>, tensor<f32>, tensor<40x24x3x3xi8>,
         tensor<f32>) -> tensor<4x40x17x17xf32>
  return %y : tensor<4x40x17x17xf32>
}
func.func @stats(%g: tensor<8x40x17x17xf32>, %sc: tensor<40xf32>,
                 %st: tensor<f32>)
    -> (tensor<8x40x17x17xi8>, tensor<40xf32>, tensor<8x40x17x17xi8>,
        tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %g state(%sc, %st)
      {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<8x40x17x17xf32>, tensor<40xf32>, tensor<f32>)
        -> (tensor<8x40x17x17xi8>, tensor<40xf32>, tensor<8x40x17x17xi8>,
            tensor<f32>)
  return %qc, %cc, %qt, %ct
      : tensor<8x40x17x17xi8>, tensor<40xf32>, tensor<8x40x17x17xi8>,
        tensor<f32>
}
"""


def make_inputs(seed):
    rng = np.random.default_rng(seed)
    conv = (rng.integers(-127, 128, (4, 24, 17, 17), dtype=np.int8),
            np.float32(0.5),
            rng.integers(-127, 128, (40, 24, 3, 3), dtype=np.int8),
            np.float32(0.25))
    stats = (rng.standard_normal((8, 40, 17, 17), dtype=np.float32),
             np.full(40, 1.5, np.float32), np.float32(2.5))
    return conv, stats


def run_both(module, inputs):
    conv, stats = inputs
    return [module.invoke("conv", *conv)] + list(module.invoke("stats",
                                                               *stats))


def assert_same(got, want):
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_concurrent_calls_match_sequential_ones():
    module = daq.Module(CONV_AND_STATS)
    inputs = [make_inputs(seed) for seed in range(6)]
    expected = [run_both(module, i) for i in inputs]
    results, errors = [None] * len(inputs), []

    def worker(index):
        try:
            for _ in range(5):
                results[index] = run_both(module, inputs[index])
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for got, want in zip(results, expected):
        assert_same(got, want)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_kernels_run_in_a_forked_child():
    module = daq.Module(CONV_AND_STATS)
    inputs = make_inputs(7)
    expected = run_both(module, inputs)  # the parent's pool is running now
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only with the same results
        status = 1
        signal.alarm(60)  # a child waiting for workers it lacks dies
        try:
            assert_same(run_both(module, inputs), expected)
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert_same(run_both(module, inputs), expected)
