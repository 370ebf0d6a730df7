"""Checks one CPU INT8 convolution kernel variant against the reference.

Builds random INT8 convolutions (forward, backward-data, backward-filter) on
random geometries: both layouts, batch 1 and more, odd channel counts that no
tile size divides, strides, asymmetric padding, dilation, groups and
depthwise, i8 operands and f32 operands quantized on load (nearest-even, per
tensor and per output channel). Cases 0-4 are fixed kinds (a multiple of 16
channels, large images, wide channels, depthwise, an NCHW 1x1 for the
pointwise form), the rest random. With
--extra, fixed cases for the kernels' special paths follow (extra_cases:
outputs streamed past 8 MiB in both layouts, a split K, interleaved stride
phases, a NaN clip, W < stride). With --algorithm winograd, the kernels run
with DAQ_CPU_CONV_ALGORITHM=winograd, the random cases are 3x3 convolutions,
stride 1 (Winograd F(2x2, 3x3) in all three directions) and, every other
case, stride 2 (the stride-2 Winograd forms), and --extra adds
winograd_cases instead. Each case is one module, lowered twice
with daq-opt:

  --daq-cpu-pipeline=qconv-kernel=reference   (convert-daq-to-linalg loops)
  --daq-cpu-pipeline=qconv-kernel=VARIANT     (the CPU kernels, forced)

and both lowered modules run through daq-run on the same inputs. Every output
must be equal bit for bit. In addition, one op per direction takes i8 codes
with both clips 127, so its epilogue scale is exactly 1 and the output is the
i32 accumulator itself: it must equal numpy's exact int64 accumulation.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "numerics", "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from harness import Module, rand_clip, rand_codes, randn, tensor_type  # noqa: E402

F32 = np.float32


# The random case that takes a pointwise geometry (its phase must run).
POINTWISE_CASE = 4
# Variants with a u8 x s8 microkernel (vpdpbusd): their direct forms build
# the channels-last buffer as bytes (phase "channels-last, u8"), and `auto`
# takes them over Winograd.
BYTE_KERNELS = {"avx512-vnni", "avx512-vnni-model", "amx", "amx-model"}


def random_case(rng, index, winograd=False):
    """(Conv, (N, C, H, W, O, KH, KW)) with a valid output size; 3x3,
    dilation 1 with `winograd`, stride 1 or (odd `index`) 2."""
    while True:
        layout = "nhwc" if rng.random() < 0.5 else "nchw"
        groups = int(rng.choice([1, 1, 1, 2, 3]))
        # Channel counts: odd ones, and (case 0) a multiple of 16 so that the
        # vector packing path of backward-filter runs too; case 1 has large
        # images (see below).
        cg = 16 if index == 0 else int(rng.choice([1, 3, 5, 7, 17]))
        og = int(rng.choice([1, 2, 5, 9, 19]))
        if index == 2:
            # Wide: 67 channels per group (K of a tap = 68 int8, more than
            # one 64-byte AMX row and not a multiple of it) and 37 outputs
            # (several column tiles of every NR, the last one partial).
            # Width stride 2: backward-filter's im2col form (case 1 runs
            # the planar form).
            groups, cg, og = int(rng.choice([1, 2])), 67, 37
        if index == 3:
            # Depthwise: one input and one output channel per group.
            groups, cg, og = int(rng.choice([3, 5, 13])), 1, 1
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        strides = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        dilations = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = tuple(int(p) for p in rng.integers(0, 3, size=4))
        n = int(rng.choice([1, 2, 3]))
        h, w = int(rng.integers(3, 12)), int(rng.integers(3, 12))
        if index == 1:
            # Images large enough that backward-filter splits the batch
            # into several K blocks.
            n, h, w, strides, dilations = 3, 27, 26, (1, 1), (1, 1)
        if index == 2:
            strides = (strides[0], 2)
        if index == POINTWISE_CASE and not winograd:
            # NCHW 1x1 without top or left padding: the pointwise form.
            layout = "nchw"
            kh = kw = 1
            padding = (0, 0) + padding[2:]
        if winograd:
            kh, kw, dilations = 3, 3, (1, 1)
            strides = (2, 2) if index % 2 else (1, 1)
        conv = ref.Conv(layout, strides, padding, dilations, groups)
        oh, ow = conv.out_size((h, w), (kh, kw))
        if oh >= 1 and ow >= 1:
            return conv, (n, cg * groups, h, w, og * groups, kh, kw)


def extra_cases(kernel):
    """[(Conv, dims, threads, more ops, kernel phases)]: fixed cases for the
    kernels' special paths; `more ops` are build_case's extra ops (and
    "auto-algorithm": the kernels run with DAQ_CPU_CONV_ALGORITHM=auto);
    `kernel phases` are DAQ_KERNEL_PROFILE phase
    names the kernel run must print (whole, or up to a comma: "gemm from
    planes" matches "gemm from planes, K split"), so that the case cannot
    stop reaching its path unnoticed ("!name": no phase starting with name
    may run).

    * NCHW 1x1, 37 -> 37 channels (two full column tiles and a partial
      one), 2 x 171 x 169: forward and backward-data outputs of 8.55 MB,
      past the 8 MiB streaming threshold, odd plane sizes (the pointwise
      form, tasks of several rows); the same NHWC (the direct form, rows of
      37 channels streamed, most of them unaligned); at stride 2 on
      odd 333 x 351 planes (backward-data's GX runs generated 16 floats
      at a time where they start on a cache line, a period of 16 GY rows
      and a tail of fewer than 16 floats, staged where they do not);
    * the pointwise form (NCHW 1x1 without top/left padding; with a width
      stride, backward-filter packs B from X's planes) at its edges:
      stride 2 with bottom/right padding (forward pixels past the input,
      GY pixels past GX), odd channel counts in K both ways (7 -> 9), i8
      rows read every other byte (W = 56: 28 of them, 8 at a time as int16
      and a tail, 16, 8 and a tail as bytes; W = 66: 33 bytes, the last
      16-byte step's loads ending one byte before the row's last value),
      groups with strides (2, 3) and a NaN GY clip (every GX position no
      pixel reaches must be NaN), W < stride, 200 channels in K (tasks of
      one row, several row tiles of A); an odd width of 7 at width
      stride 2 (GX rows end on a value: four values spread to 8 floats
      must stop before the row's end); a bottom padding of the stride with
      600 channels in K (one GY row of 64 pixels per task, the last one
      reaches no GX row); a top padding and a filter of more than 64 Ki codes (257 x 256)
      must take the direct form;
    * NHWC 1x1 stride 2, 81 input channels (backward-filter's im2col form,
      two column blocks at NR = 16), 5 images of 80 x 80 (one image per K
      block) on 3 threads: K split in three uneven parts, two tasks per
      thread;
    * NCHW 1x3 stride 2: a backward-data output of 8.55 MB whose rows
      interleave two width phases with taps, every other row reached by
      no tap; also with a NaN GY clip;
    * NCHW 2x2 stride 3 on 2 x 2 images: width phases that start past the
      image (W < stride);
    * NCHW 3x3 stride 2, W = 14: backward-data rows of two width phases
      with taps, interleaved four pairs at a time and then a tail of three;
      W = 75: rows of 38 + 37 values, interleaved 16 pairs at a time (twice,
      AVX-512), then four, then a tail of one pair and a value;
    * backward-filter's planar form: NCHW 3x3, OW = 18 (int16 pairs: a K
      run per output row, GY's dense planes copied row by row; u8 quads:
      the rows flattened with a pitch of 19, 192 elements of K per image
      instead of 10 rows of 20), 37 output
      channels (a partial column tile); NHWC, W = 17, dilated rows, two
      groups (GY loaded a row at a time); one image on 3 threads (the row
      tiles split, each task packing the image); 5 images of 160 channels
      on 2 threads (parts of 2 and 3 images, blocks of 2 images for bytes,
      1 for int16: a part of several blocks, the last one partial); the
      rows flattened on the u8 variants only (int16 pairs lose nothing to
      OW's padding): NCHW 10 x 14 -> OW = 14 (the width of ResNet's 14 x
      14 layers: pitch 15, windows past a row's right edge read the next
      row's left padding), and NHWC dilated by 2 across rows, no left padding, three
      groups, OW = 17 (pitch 19, not 18: without a left padding to wrap
      into, a window must end inside its own row); with a width stride
      (u8 variants, where OW is a multiple of 4; the others keep the
      im2col form): each plane row as column phases, NCHW 3x3 stride 2
      with uneven padding and 37 output channels, NHWC dilated by 2
      across columns at width stride 2 (OW = 20, the column phases of a
      tap column dilated past the stride), width stride 3 (X's rows
      loaded every third byte, not by the stride-1/2 row copy), and OW =
      14 at stride 2, which keeps the im2col form;
    * the direct form's pixels that skip the taps reading padding only:
      7 x 7 images padded by 1 (nine classes of pixels, each padded to
      whole row tiles), and NHWC dilated by 2 with a bottom padding of 5
      (the last output rows' taps read nothing but padding: they run them
      all, after tiles of other classes in the same buffers);
    * backward-filter's im2col form leaving out the quads of output rows
      whose tap row is padding (u8): 64 channels (column tiles of one tap)
      on 7 x 9 images, and stride 2 with uneven padding; its two orders,
      images outer (those cases: the accumulators of all column blocks fit
      in L2) and column blocks outer (88 -> 192 channels, 3x3 stride 2, not
      Winograd on any variant: 594 KiB of accumulators, channels in no
      whole tiles); per channel tile, the task writing its filters to GW
      itself (two groups of 350 output channels, a partial row tile, not
      Winograd: 32 input channels a group on 7 x 7 in NCHW, one or two
      channel tiles; 64 at stride 2 on 9 x 9 in NHWC, two or four channel
      tiles, the filter [O][KH][KW][C] written a tap at a time).
    """
    # The direct forms' u8 x s8 operands (NHWC 1x1, NCHW strided
    # backward-data), on the variants that have them.
    bytes_phase = ["channels-last, u8"] if kernel in BYTE_KERNELS else []
    # Backward-filter's planar form with its rows flattened (u8 quads only).
    flattened = (["gemm over planes, rows flattened"]
                 if kernel in BYTE_KERNELS else
                 ["gemm over planes", "!gemm over planes, rows flattened"])
    # Backward-filter's planar form with a width stride (u8 quads only).
    column_phases = (["gemm over planes", "!gemm over planes, rows flattened"]
                     if kernel in BYTE_KERNELS else ["!gemm over planes"])
    return [(ref.Conv("nchw", (1, 1), (0, 0, 0, 0), (1, 1), 1),
             (2, 37, 171, 169, 37, 1, 1), None, {"channel-clips"},
             ["pointwise, streamed"]),
            (ref.Conv("nchw", (2, 2), (0, 0, 0, 0), (1, 1), 1),
             (2, 9, 333, 351, 5, 1, 1), None, set(),
             ["pointwise, streamed"]),
            (ref.Conv("nchw", (2, 2), (0, 0, 1, 1), (1, 1), 1),
             (3, 7, 14, 56, 9, 1, 1), None, {"channel-clips"},
             ["pointwise", "gemm from planes"]),
            (ref.Conv("nchw", (2, 2), (0, 0, 1, 1), (1, 1), 1),
             (1, 5, 4, 66, 3, 1, 1), None, set(),
             ["pointwise", "gemm from planes"]),
            (ref.Conv("nchw", (2, 3), (0, 0, 0, 2), (2, 1), 3),
             (2, 15, 9, 10, 9, 1, 1), None, {"nan-clip", "channel-clips"},
             ["pointwise", "gemm from planes"]),
            (ref.Conv("nchw", (1, 2), (0, 0, 0, 0), (1, 1), 1),
             (2, 4, 5, 1, 6, 1, 1), 1, set(),
             ["pointwise", "gemm from planes"]),
            (ref.Conv("nchw", (1, 1), (0, 0, 0, 0), (1, 1), 1),
             (2, 200, 23, 29, 21, 1, 1), None, {"channel-clips"},
             ["pointwise"]),
            (ref.Conv("nchw", (2, 2), (1, 0, 0, 0), (1, 1), 1),
             (2, 6, 9, 9, 5, 1, 1), None, set(),
             ["!pointwise", "!gemm from planes"]),
            (ref.Conv("nchw", (1, 1), (0, 0, 0, 0), (1, 1), 1),
             (1, 257, 3, 5, 256, 1, 1), None, set(), ["!pointwise"]),
            (ref.Conv("nchw", (1, 2), (0, 0, 0, 0), (1, 1), 1),
             (1, 5, 2, 7, 4, 1, 1), None, set(), ["pointwise"]),
            (ref.Conv("nchw", (2, 1), (0, 0, 2, 0), (1, 1), 1),
             (1, 3, 5, 64, 600, 1, 1), None, {"nan-clip"}, ["pointwise"]),
            (ref.Conv("nhwc", (1, 1), (0, 0, 0, 0), (1, 1), 1),
             (2, 37, 171, 169, 37, 1, 1), None, {"channel-clips"},
             ["gemm, streamed"] + bytes_phase),
            (ref.Conv("nhwc", (2, 2), (0, 1, 0, 1), (1, 1), 1),
             (5, 81, 80, 80, 19, 1, 1), 3, set(), ["gemm, K split"]),
            (ref.Conv("nchw", (2, 2), (1, 0, 1, 0), (1, 1), 1),
             (2, 37, 171, 169, 5, 1, 3), None, {"nan-clip"},
             ["gemm, streamed"] + bytes_phase),
            (ref.Conv("nchw", (3, 3), (1, 1, 1, 1), (1, 1), 1),
             (2, 5, 2, 2, 7, 2, 2), None, set(), []),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 5, 9, 14, 7, 3, 3), None, set(), []),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 6, 5, 75, 20, 3, 3), None, set(), []),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (2, 5, 10, 18, 37, 3, 3), None, {"channel-clips"},
             ["gemm over planes"]),
            (ref.Conv("nhwc", (1, 1), (0, 1, 2, 0), (2, 1), 2),
             (2, 6, 9, 17, 10, 3, 3), None, set(), ["gemm over planes"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (1, 6, 8, 16, 9, 3, 3), 3, set(), ["gemm over planes"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (3, 21, 7, 7, 35, 3, 3), None, {"channel-clips"},
             ["gemm, padding skipped"]),
            (ref.Conv("nhwc", (1, 1), (2, 1, 5, 0), (2, 2), 1),
             (2, 6, 9, 10, 10, 3, 3), None, set(),
             ["gemm, padding skipped"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (3, 64, 7, 9, 12, 3, 3), 2, set(),
             ["gemm, K split, images outer"]),
            (ref.Conv("nchw", (2, 2), (1, 2, 1, 0), (1, 1), 1),
             (2, 32, 13, 13, 8, 3, 3), None, {"channel-clips"}, []),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 88, 9, 9, 192, 3, 3), 2, set(),
             ["gemm", "!gemm, images outer", "!gemm, K split, images outer",
              "!gemm, per channel tile"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 2),
             (2, 64, 7, 7, 700, 3, 3), 2, set(),
             ["gemm, per channel tile", "!store"]),
            (ref.Conv("nhwc", (2, 2), (1, 1, 1, 1), (1, 1), 2),
             (2, 128, 9, 9, 700, 3, 3), 2, set(),
             ["gemm, per channel tile", "!store"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (5, 160, 34, 34, 9, 3, 3), 2, set(), ["gemm over planes"]),
            (ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (3, 21, 10, 14, 19, 3, 3), None, set(), flattened),
            (ref.Conv("nhwc", (1, 1), (1, 0, 0, 1), (2, 1), 3),
             (2, 9, 7, 18, 6, 3, 3), None, set(), flattened),
            (ref.Conv("nchw", (2, 2), (1, 1, 0, 1), (1, 1), 1),
             (2, 21, 11, 16, 37, 3, 3), None, {"channel-clips"},
             column_phases),
            (ref.Conv("nhwc", (1, 2), (0, 2, 1, 1), (2, 2), 1),
             (2, 6, 7, 40, 10, 3, 3), None, set(), column_phases),
            (ref.Conv("nchw", (2, 3), (1, 1, 1, 1), (1, 1), 1),
             (1, 5, 9, 47, 7, 3, 3), 2, set(), column_phases),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 9, 12, 28, 11, 3, 3), None, set(),
             ["!gemm over planes"])]


def winograd_cases(kernel):
    """extra_cases for --algorithm winograd:

    * NCHW 3x3 9 -> 37 channels, 2 x 171 x 169 (odd: tiles past the bottom
      and right edges): a forward output of 8.55 MB, streamed;
    * 3640 input channels, every code -128 ("extreme-codes"): the largest
      accumulator Winograd recovers (|Y| = 3640 * 9 * 128^2 < 2^29) in the
      forward; the backward-data sums 2 channels;
    * 3641 output channels, every code -128: the backward-data's |Y| would
      pass 2^29, so the direct form must run (a Winograd result would wrap);
    * 1 -> 1 channel, 9 x 64 x 64, every code -128, on one thread: the
      backward-filter sums 9216 tiles in two parts (chunks of 384 tiles at
      NR = 16, 21 per part; on more threads each thread's share would be
      one part), and its centre tap, 36864 * 128^2, passes 2^29 (one part
      would wrap);
    * NHWC 181 -> 185 channels, 2 x 36 x 36: a backward-filter whose M
      (16 x O x C int32) is past 2 MiB, so the threads share it and split
      each of its two chunks' stages;
    * stride 2, NHWC 3 -> 37 channels, 3 x 45 x 43, asymmetric padding,
      every code -128: backward-filter's stride-2 Winograd with M's sums
      wrapping (its transformed products reach 2^18 and exactness holds
      modulo 2^32 only), tiles past the bottom and right edges, a partial
      column tile;
    * stride 2, NCHW 130 -> 150 channels, 2 x 20 x 20: its M (25 x O x C
      int32) past 2 MiB, shared by the threads;
    * stride 2 on 2 x 1 images with padding (3, 0, 4, 3): tile rows and
      columns entirely outside the output (backward-data's start at padded
      row 0, its first outputs dropped);
    * stride 2 with 3700 channels in K (forward, then backward-data), codes
      -128: past F(2x2, 3x3)'s bound (3640), the stride-2 forms have none;
    * stride 2, NCHW 37 -> 5 channels, 2 x 171 x 169: a backward-data output
      of 8.55 MB, streamed, from 4x4 tiles past both edges;
    * strides (2, 1) and (1, 2): no Winograd form (the direct one runs);
    * under `auto`, stride 2 with 67 -> 64 channels (forward and
      backward-data take Winograd with 40 to 128 channels in K, and
      backward-filter with M per thread; on the u8 x s8 variants all three
      take the direct forms on the codes' bytes) and 9 -> 9 (too few:
      direct).
    """
    same = ref.Conv("nchw", (1, 1), (1, 1, 1, 1), (1, 1), 1)
    return [(same, (2, 9, 171, 169, 37, 3, 3), None, set(),
             ["winograd, streamed"]),
            (ref.Conv("nhwc", (1, 1), (1, 1, 1, 1), (1, 1), 1),
             (1, 3640, 3, 3, 2, 3, 3), None, {"extreme-codes"}, ["winograd"]),
            (same, (1, 2, 3, 3, 3641, 3, 3), None, {"extreme-codes"},
             ["winograd", "gemm", "!winograd backward-data"]),
            (same, (9, 1, 64, 64, 1, 3, 3), 1, {"extreme-codes"},
             ["winograd backward-filter"]),
            (ref.Conv("nhwc", (1, 1), (1, 0, 2, 1), (1, 1), 1),
             (2, 181, 36, 36, 185, 3, 3), None, set(),
             ["winograd backward-filter, shared M"]),
            (ref.Conv("nhwc", (2, 2), (1, 2, 0, 1), (1, 1), 1),
             (3, 3, 45, 43, 37, 3, 3), None, {"extreme-codes"},
             ["winograd stride-2 backward-filter"]),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 130, 20, 20, 150, 3, 3), None, set(),
             ["winograd stride-2 backward-filter, shared M"]),
            (ref.Conv("nchw", (2, 2), (3, 0, 4, 3), (1, 1), 1),
             (2, 5, 2, 1, 7, 3, 3), None, set(),
             ["winograd stride-2", "winograd stride-2 backward-data",
              "winograd stride-2 backward-filter"]),
            (ref.Conv("nhwc", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (1, 3700, 5, 5, 2, 3, 3), None, {"extreme-codes"},
             ["winograd stride-2"]),
            (ref.Conv("nhwc", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (1, 2, 5, 5, 3700, 3, 3), None, {"extreme-codes"},
             ["winograd stride-2 backward-data"]),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 37, 171, 169, 5, 3, 3), None, set(),
             ["winograd stride-2 backward-data, streamed"]),
            (ref.Conv("nhwc", (2, 1), (1, 1, 1, 1), (1, 1), 1),
             (2, 5, 9, 7, 3, 3, 3), None, set(), ["gemm", "!winograd"]),
            (ref.Conv("nchw", (1, 2), (1, 1, 1, 1), (1, 1), 1),
             (2, 5, 7, 9, 3, 3, 3), None, set(), ["gemm", "!winograd"]),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (1, 67, 9, 9, 64, 3, 3), None, {"auto-algorithm"},
             ["channels-last, u8", "gemm", "!winograd"]
             if kernel in BYTE_KERNELS else
             ["winograd stride-2", "winograd stride-2 backward-data",
              "winograd stride-2 backward-filter"]),
            (ref.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 1),
             (1, 9, 9, 9, 9, 3, 3), None, {"auto-algorithm"},
             ["gemm", "!winograd"])]


def build_case(rng, conv, dims, more=()):
    """The module of one case: each direction with random operand types
    and clip granularities, each with clips 127 (the accumulator), and with
    `more`: "channel-clips", a forward with a clip per output channel (a
    scale per output column); "nan-clip", a backward-data with a NaN GY
    clip."""
    n, c, h, w, o, kh, kw = dims
    xs = conv.act_shape(n, c, h, w)
    ws = conv.filt_shape(o, c // conv.groups, kh, kw)
    oh, ow = conv.out_size((h, w), (kh, kw))
    ys = conv.act_shape(n, o, oh, ow)
    cd = conv.chan_dim
    m = Module()
    exact = []  # (result index, expected exact accumulation)

    def operand(shape, f32, scale=1.0):
        return randn(rng, shape, scale) if f32 else rand_codes(rng, shape)

    def clip(per_channel):
        return rand_clip(rng, (o,) if per_channel else ())

    def add(op, a, ca, b, cb, out_shape, label):
        rounding = "nearest_even" if (a.dtype == F32 or b.dtype == F32) else None
        v = m.qconv(op, m.arg(a), m.arg(ca), m.arg(b), m.arg(cb),
                    tensor_type(out_shape, "f32"), conv, rounding)
        return m.result(v, label)

    # Random operand types and clip granularities.
    for op, shapes, out_shape in [
            ("qconv2d", (xs, ws), ys),
            ("qconv2d_backward_data", (ys, ws), xs),
            ("qconv2d_backward_filter", (xs, ys), ws)]:
        fa, fb = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
        per_channel = op != "qconv2d_backward_data" and bool(rng.random() < 0.5)
        add(op, operand(shapes[0], fa), clip(False), operand(shapes[1], fb, 0.1),
            clip(per_channel), out_shape,
            "%s %s x %s%s" % (op, "f32" if fa else "i8", "f32" if fb else "i8",
                              ", clip [O]" if per_channel else ""))

    # Clips 127: the output is the accumulator.
    c127 = np.asarray(127.0, dtype=F32)
    qx, qw, qgy = rand_codes(rng, xs), rand_codes(rng, ws), rand_codes(rng, ys)
    i = add("qconv2d", qx, c127, qw, c127, ys, "qconv2d accumulator")
    exact.append((i, ref.qconv2d(qx, c127, qw, c127, conv)[1]))
    i = add("qconv2d_backward_data", qgy, c127, qw, c127, xs,
            "qconv2d_backward_data accumulator")
    exact.append((i, ref.qconv2d_backward_data(qgy, c127, qw, c127, (h, w), conv)[1]))
    i = add("qconv2d_backward_filter", qx, c127, qgy, c127, ws,
            "qconv2d_backward_filter accumulator")
    exact.append((i, ref.qconv2d_backward_filter(qx, c127, qgy, c127, (kh, kw), conv)[1]))
    if "channel-clips" in more:
        add("qconv2d", rand_codes(rng, xs), clip(False), rand_codes(rng, ws),
            clip(True), ys, "qconv2d clip [O]")
    if "nan-clip" in more:
        # A NaN GY clip (what a NaN gradient gives) makes every GX element
        # NaN, also those no tap reaches (0 * NaN): nothing may vanish.
        add("qconv2d_backward_data", qgy, np.asarray(np.nan, dtype=F32), qw,
            clip(False), xs, "qconv2d_backward_data NaN clip")
    if "extreme-codes" in more:
        ex, ew, egy = (np.full(s, -128, dtype=np.int8) for s in (xs, ws, ys))
        i = add("qconv2d", ex, c127, ew, c127, ys, "qconv2d codes -128")
        exact.append((i, ref.qconv2d(ex, c127, ew, c127, conv)[1]))
        i = add("qconv2d_backward_data", egy, c127, ew, c127, xs,
                "qconv2d_backward_data codes -128")
        exact.append((i, ref.qconv2d_backward_data(egy, c127, ew, c127,
                                                   (h, w), conv)[1]))
        i = add("qconv2d_backward_filter", ex, c127, egy, c127, ws,
                "qconv2d_backward_filter codes -128")
        exact.append((i, ref.qconv2d_backward_filter(ex, c127, egy, c127,
                                                     (kh, kw), conv)[1]))
    return m, exact


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.exit("FAIL: %s failed (exit %d): %s\n%s" % (
            what, proc.returncode, " ".join(cmd), proc.stderr[-4000:]))
    return proc.stdout


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--daq-run", default="daq-run")
    p.add_argument("--daq-opt", default="daq-opt")
    p.add_argument("--kernel", required=True)
    p.add_argument("--cases", type=int, default=3)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--extra", action="store_true",
                   help="add the fixed cases of large outputs and a split K")
    p.add_argument("--algorithm", choices=("auto", "direct", "winograd"),
                   default=None,
                   help="DAQ_CPU_CONV_ALGORITHM for the kernels' runs")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    print("seed = %d (reproduce with --seed %d)" % (seed, seed))
    rng = np.random.default_rng(seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="daq-qconv-kernels-") as tmp:
        winograd = args.algorithm == "winograd"
        cases = [random_case(rng, i, winograd) +
                 (None, set(), ["pointwise"] if i == POINTWISE_CASE else [])
                 for i in range(args.cases)]
        if winograd:
            # The Winograd phases each case must print, one per direction.
            def phases(conv):
                form = "" if tuple(conv.strides) == (1, 1) else " stride-2"
                return ["winograd" + form + kind for kind in
                        ("", " backward-data", " backward-filter")]
            cases = [case[:4] + (phases(case[0]),) for case in cases]
        if args.extra:
            cases += (winograd_cases(args.kernel) if winograd else
                      extra_cases(args.kernel))
        for index, (conv, dims, threads, more, phases) in enumerate(cases):
            m, exact = build_case(rng, conv, dims, more)
            name = "case %d %s NCHWOKK=%s" % (index, conv, dims)
            d = os.path.join(tmp, "case%d" % index)
            os.makedirs(d)
            src = os.path.join(d, "module.mlir")
            with open(src, "w") as f:
                f.write(m.text())
            inputs = []
            for k, a in enumerate(m.inputs):
                path = os.path.join(d, "in%d.npy" % k)
                np.save(path, a)
                inputs.append("--input=" + path)
            outputs = {}
            for kernel in ("reference", args.kernel):
                lowered = os.path.join(d, kernel + ".mlir")
                run([args.daq_opt, src,
                     "--daq-cpu-pipeline=qconv-kernel=" + kernel, "-o", lowered],
                    "lowering %s with %s" % (name, kernel))
                with open(lowered) as f:
                    calls = f.read().count("call @daq_cpu_qconv2d_")
                want = 0 if kernel == "reference" else len(m.results)
                if calls != want:
                    sys.exit("FAIL: %s: %d kernel calls with qconv-kernel=%s, "
                             "expected %d" % (name, calls, kernel, want))
                outs = [os.path.join(d, "%s-out%d.npy" % (kernel, k))
                        for k in range(len(m.results))]
                # The variant comes from the pipeline option alone.
                env = dict(os.environ)
                env.pop("DAQ_CPU_KERNEL", None)
                env.pop("DAQ_CPU_CONV_ALGORITHM", None)
                if args.algorithm and kernel != "reference":
                    env["DAQ_CPU_CONV_ALGORITHM"] = (
                        "auto" if "auto-algorithm" in more else args.algorithm)
                if threads:
                    env["DAQ_NUM_THREADS"] = str(threads)
                if phases:
                    env["DAQ_KERNEL_PROFILE"] = "1"
                proc = subprocess.run(
                    [args.daq_run, lowered, "-e", "main"] + inputs +
                    ["--output=" + o for o in outs],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    universal_newlines=True, env=env)
                if proc.returncode != 0:
                    sys.exit("FAIL: %s: daq-run (%s) failed: %s" % (
                        name, kernel, proc.stderr[-4000:]))
                outputs[kernel] = [np.load(o) for o in outs]
                for phase in phases if kernel != "reference" else []:
                    if phase.startswith("!"):
                        # No phase of that name (or name prefix) may run.
                        if "daq-kernel %s" % phase[1:] in proc.stderr:
                            failures += 1
                            print("FAIL: %s: the %s kernels ran a '%s' "
                                  "phase" % (name, kernel, phase[1:]))
                    elif not re.search(r"daq-kernel %s[:,]" %
                                       re.escape(phase), proc.stderr):
                        failures += 1
                        print("FAIL: %s: the %s kernels never ran their "
                              "'%s' phase" % (name, kernel, phase))
            for k, (_, label) in enumerate(m.results):
                got, want = outputs[args.kernel][k], outputs["reference"][k]
                same = got.shape == want.shape and np.array_equal(
                    got.view(np.uint32), want.view(np.uint32))
                if not same:
                    failures += 1
                    diff = np.argwhere(got != want)
                    print("FAIL: %s: %s: %s differs from the reference at %d "
                          "elements, first %s: %r vs %r" % (
                              name, label, args.kernel, len(diff),
                              tuple(diff[0]) if len(diff) else None,
                              got[tuple(diff[0])] if len(diff) else None,
                              want[tuple(diff[0])] if len(diff) else None))
                else:
                    print("ok: %s: %s" % (name, label))
            for k, acc in exact:
                got = outputs[args.kernel][k]
                if not np.array_equal(got.astype(np.int64), acc):
                    failures += 1
                    print("FAIL: %s: %s: not the exact accumulation" % (
                        name, m.results[k][1]))
                elif not np.any(acc != 0):
                    failures += 1
                    print("FAIL: %s: %s: accumulator zero everywhere" % (
                        name, m.results[k][1]))
                else:
                    print("ok: %s: %s equals the exact int64 accumulation" % (
                        name, m.results[k][1]))
    if failures:
        sys.exit("%d failures (seed %d)" % (failures, seed))
    print("PASS: kernel %s, %d cases" % (args.kernel, len(cases)))


if __name__ == "__main__":
    main()
