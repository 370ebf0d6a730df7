"""Convolution geometries shared by the float and INT8 convolution tests.

Each entry: (name, Conv, N, C, H, W, O, KH, KW). Together they cover odd
channel counts (3, 17), stride 2, symmetric and asymmetric padding, dilation
2, groups, depthwise (with multiplier 1 and 2), batch 1 and 8, both layouts,
1x1 and non-square kernels, and input rows/columns no output reads (their
backward-data gradient must be 0)."""

from daq_reference import Conv

GEOMETRIES = [
    ("nchw 3->17 3x3 pad 1", Conv("nchw", (1, 1), (1, 1, 1, 1)), 1, 3, 9, 9, 17, 3, 3),
    ("nchw 17->3 stride 2 asym pad", Conv("nchw", (2, 2), (0, 1, 2, 1)), 8, 17, 7, 6, 3, 3, 3),
    ("nhwc groups 3 dilation 2", Conv("nhwc", (1, 1), (2, 2, 2, 2), (2, 2), 3), 2, 6, 8, 7, 9, 3, 3),
    ("nhwc depthwise x2 stride 2", Conv("nhwc", (2, 2), (1, 0, 1, 0), (1, 1), 5), 2, 5, 9, 8, 10, 3, 3),
    ("nchw depthwise 17 dil (2,1) stride (1,2)", Conv("nchw", (1, 2), (1, 2, 0, 1), (2, 1), 17),
     1, 17, 8, 10, 17, 2, 3),
    ("nchw 1x1 stride 2", Conv("nchw", (2, 2)), 8, 17, 6, 5, 17, 1, 1),
    ("nhwc 3->4 3x3 stride 2 uncovered rows", Conv("nhwc", (2, 2)), 8, 3, 10, 11, 4, 3, 3),
    ("nhwc 17->3 2x2 pad (0,0,1,1) batch 1", Conv("nhwc", (1, 1), (0, 0, 1, 1)), 1, 17, 5, 4, 3, 2, 2),
    ("nchw 4->6 groups 2 stride 2 dil 2 pad (3,1,0,2)", Conv("nchw", (2, 2), (3, 1, 0, 2), (2, 2), 2),
     3, 4, 12, 11, 6, 3, 2),
]


def shapes(conv, n, c, h, w, o, kh, kw):
    """(activation shape, filter shape, output shape) in the op's layout."""
    oh, ow = conv.out_size((h, w), (kh, kw))
    return (conv.act_shape(n, c, h, w), conv.filt_shape(o, c // conv.groups, kh, kw),
            conv.act_shape(n, o, oh, ow))
