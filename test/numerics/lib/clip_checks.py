"""Checks shared by the clip tests: generators of Gaussian / Laplace
channels with a clear MCS classification, and comparisons of daq.mcs_clip and
daq.dsgc_clip results that accept the choices f64 summation order may change
(see test_clips.py)."""

import numpy as np

import daq_reference as ref
from harness import randn

F32 = np.float32


def channel_r(c):
    _, _, count, _ = ref.channel_stats(c)
    return count / c.size


def gaussian_channel(rng, n, scale):
    """A Gaussian sample whose fraction above sigma is clearly above 0.3."""
    while True:
        c = randn(rng, (n,), scale)
        if channel_r(c) > 0.31:
            return c


def laplace_channel(rng, n, scale):
    """A Laplace sample (r ~ 0.243) clearly below lambda = 0.3."""
    while True:
        c = rng.laplace(0.0, scale, n).astype(F32)
        if channel_r(c) < 0.28 and np.all(c != 0):
            return c


def mixed_tensor(rng, shape, axis, kinds):
    """Tensor whose slices along `axis` are Gaussian ('g') or Laplace ('l')."""
    moved = list(shape)
    nch = moved.pop(axis)
    per = int(np.prod(moved))
    chans = []
    for i in range(nch):
        scale = float(np.exp(rng.uniform(-2, 2)))
        chans.append(gaussian_channel(rng, per, scale) if kinds[i % len(kinds)] == "g"
                     else laplace_channel(rng, per, scale))
    t = np.stack([c.reshape(moved) for c in chans], axis=0)
    return np.moveaxis(t, 0, axis).astype(F32)


def check_mcs(ck, name, got_clip, got_bell, x, prev, axis, params, expect_bell=None):
    clip, bell, amb = ref.mcs_clip(x, prev, axis, *params)
    lam, k, a = params
    if np.any(amb):
        # Accept either classification of an ambiguous channel.
        alt_bell = np.where(amb, ~bell, bell)
        chans = ref._channels(x, axis)
        prevs = [prev.reshape(())] if axis is None else list(prev)
        alt_clip = clip.copy().reshape(-1)
        for i in np.flatnonzero(amb.reshape(-1)):
            mx = F32(np.max(np.abs(chans[i])))
            if alt_bell.reshape(-1)[i] or prevs[i] < 0:
                alt_clip[i] = mx
            else:
                alt_clip[i] = ref.mcs_update_alternative(prevs[i], mx, k, a)
        alt_clip = alt_clip.reshape(clip.shape)
        use_alt = amb & (np.asarray(got_bell).astype(bool) == alt_bell)
        print("note: %s: channels %s are ambiguous (an element within 1e-12 of sigma)"
              % (name, np.flatnonzero(amb.reshape(-1)).tolist()))
        bell = np.where(use_alt, alt_bell, bell)
        clip = np.where(use_alt, alt_clip, clip).astype(F32)
    ck.exact("%s: bell_shaped" % name, got_bell, bell,
             lambda idx: "r = %r" % channel_r(ref._channels(x, axis)[idx[0] if idx else 0]))
    ck.exact("%s: clip" % name, got_clip, clip,
             lambda idx: "prev %r max %r" % (
                 float(np.asarray(prev)[idx]), float(ref.max_abs(x, axis)[idx])))
    if expect_bell is not None:
        ck.true("%s: classification as constructed %s" % (name, expect_bell.astype(int).tolist()),
                np.array_equal(bell, expect_bell), "reference says %s" % bell.astype(int).tolist())
    return clip


def check_dsgc(ck, name, got_clip, got_dist, x, axis, candidates, min_ratio, expect_clip=None):
    _, _, tables = ref.dsgc_clip(x, axis, candidates, min_ratio)
    chans = ref._channels(x, axis)
    gc = np.asarray(got_clip).reshape(-1)
    gd = np.asarray(got_dist).reshape(-1)
    ok = True
    for i, (c, table) in enumerate(zip(chans, tables)):
        where = "%s: channel %d" % (name, i)
        mx = F32(np.max(np.abs(c)))
        if not np.isfinite(mx):
            ok &= ck.true("%s: non-finite channel: clip %r == max %r, distance NaN" % (
                where, float(gc[i]), float(mx)),
                (gc[i] == mx or (np.isnan(gc[i]) and np.isnan(mx))) and np.isnan(gd[i]))
            continue
        dmin = min(d for _, d in table)
        allowed = [(s, d) for s, d in table if d <= dmin + 1e-12]
        best = max(s for s, d in table if d == dmin)  # ties toward the larger clip
        match = [(s, d) for s, d in allowed if s.view(np.uint32) == F32(gc[i]).view(np.uint32)]
        if not match:
            ok &= ck.true("%s: clip" % where, False,
                          "got %r, expected %r (distance %r); candidates within 1e-12 of the "
                          "minimum: %s" % (float(gc[i]), float(best), dmin,
                                           [(float(s), d) for s, d in allowed]))
            continue
        if gc[i] != best:
            print("note: %s: clip %r chosen instead of %r; distances differ by %.3g "
                  "(within f64 summation-order error)" % (
                      where, float(gc[i]), float(best), abs(match[0][1] - dmin)))
        d = match[0][1]
        tol = 2.0 ** -23 * abs(d) + 1e-12
        ok &= ck.true("%s: clip %r, distance %r ~ %r" % (where, float(gc[i]), float(gd[i]), d),
                      abs(float(gd[i]) - d) <= tol, "|diff| %.3g > %.3g" % (
                          abs(float(gd[i]) - d), tol))
        if expect_clip is not None:
            ok &= ck.true("%s: clip is the constructed %r" % (where, float(expect_clip[i])),
                          gc[i] == expect_clip[i])
    return ok
