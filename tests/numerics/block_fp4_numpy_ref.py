#!/usr/bin/python3
"""Independent NumPy implementation of the block-scaled FP4 specs of
docs/numerics.md section 10 (MXFP4, NVFP4, E2M1, E8M0, UE4M3, the 16-point
RHT and the block-scaled GEMM). Written from the spec, shares no code with
hw_models/numerics. Writes the reference vectors that
tests/numerics/block_fp4_test.cpp compares with `==` (bit patterns):

  /usr/bin/python3 tests/numerics/block_fp4_numpy_ref.py > tests/data/numerics/block_fp4_vectors.txt

tests/scripts/block_fp4_numpy.py regenerates them at test time and checks the
checked-in file is exactly this script's output, and compares `nibble
quantize` with this implementation.
"""
import sys

import numpy as np

M64 = (1 << 64) - 1
E2M1_MAG = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], dtype=np.float64)


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def counter_hash(seed, index):
    return mix((mix(seed ^ 0x6A09E667F3BCC909) + index * 0x9E3779B97F4A7C15) & M64)


def counter_uniform(seed, index):
    return (counter_hash(seed, index) >> 11) * 2.0**-53


# ---- E2M1 ---------------------------------------------------------------
def e2m1_code(y, rounding, seed, index):
    """y: a Python float (exact). Returns the 4-bit code."""
    if y != y:
        return 0
    sign = 8 if y < 0 else 0
    a = abs(y)
    if rounding == "even":
        # [0,.25] 0 | (.25,.75) .5 | [.75,1.25] 1 | (1.25,1.75) 1.5 | [1.75,2.5] 2
        # (2.5,3.5) 3 | [3.5,5] 4 | (5,inf] 6
        bounds = [(0.25, True), (0.75, False), (1.25, True), (1.75, False), (2.5, True),
                  (3.5, False), (5.0, True)]
        m = 0
        for b, inclusive_low in bounds:
            if a > b or (a == b and not inclusive_low):
                m += 1
        return sign | m
    if rounding == "away":
        m = sum(1 for b in (0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0) if a >= b)
        return sign | m
    # stochastic
    if a >= 6.0:
        return sign | 7
    lo = int(np.searchsorted(E2M1_MAG, a, side="right")) - 1
    if a == E2M1_MAG[lo]:
        return sign | lo
    p = (a - E2M1_MAG[lo]) / (E2M1_MAG[lo + 1] - E2M1_MAG[lo])
    return sign | (lo + 1 if counter_uniform(seed, index) < p else lo)


def e2m1_value(code):
    v = E2M1_MAG[code & 7]
    return -v if code & 8 else v


# ---- scales -------------------------------------------------------------
def e8m0_code(amax, mode):
    amax = float(amax)
    if not np.isfinite(amax):
        return 255
    if amax == 0.0:
        e = -127
    else:
        mant, k2 = np.frexp(amax)  # amax = mant * 2^k2, mant in [0.5, 1)
        k, m = int(k2) - 1, float(mant) * 2
        if mode == "floor":
            e = k - 2
        elif mode == "ceil":  # smallest e with 6 * 2^e >= amax
            e = k - 2 if 6.0 * 2.0**(k - 2) >= amax else k - 1
        else:  # even: amax rounded to 1 mantissa bit, ties up
            e = (k + 1 if m >= 1.75 else k) - 2
    return max(-127, min(127, e)) + 127


def e4m3_table():
    vals = []
    for c in range(128):
        e, m = c >> 3, c & 7
        if c == 0x7F:
            vals.append(np.nan)
        elif e == 0:
            vals.append(m * 2.0**-9)
        else:
            vals.append((1 + m / 8) * 2.0**(e - 7))
    return np.array(vals)


E4M3 = e4m3_table()


def ue4m3_encode(v):
    """RNE of a non-negative float (<= 448) onto UE4M3; NaN -> 0x7F."""
    if v != v:
        return 0x7F
    finite = E4M3[:0x7F]
    i = int(np.searchsorted(finite, v, side="right")) - 1
    if i == len(finite) - 1 or finite[i] == v:
        return i
    lo, hi = finite[i], finite[i + 1]
    if v - lo < hi - v:
        return i
    if v - lo > hi - v:
        return i + 1
    return i if i % 2 == 0 else i + 1


F32 = np.float32
F32_MAX = np.finfo(np.float32).max


def nv_tensor_scale(amax):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        enc = F32(2688.0) / F32(amax)
        if not (enc != enc):
            enc = min(enc, F32_MAX)
        if enc == 0:
            enc = F32(1.0)
        return F32(enc), F32(F32(1.0) / F32(enc))


def nv_block_scale(amax, enc):
    with np.errstate(over="ignore", invalid="ignore"):
        mult = F32(enc) * F32(F32(1.0) / F32(6.0))
        d = F32(amax) * mult
    if d != d:
        return 0x7F
    d = min(F32(d), F32_MAX)
    d = min(d, F32(448.0))
    return ue4m3_encode(float(d))


def nv_encode_scale(code, dec):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        prod = F32(E4M3[code]) * F32(dec)
        enc = F32(1.0) / prod
    if enc != enc:
        return enc
    return min(enc, F32_MAX)


# ---- tensors ------------------------------------------------------------
def amax_of(v):
    v = np.asarray(v, dtype=np.float32)
    if v.size == 0:
        return F32(0)
    if np.isnan(v).any():
        return F32(np.nan)
    return F32(np.abs(v).max())


def quantize(x, rows, cols, fmt, block, tiles2d, scale_mode, rounding, seed):
    """x: float32 array rows x cols. Returns (codes, scales rows x nb, S_enc, S_dec)."""
    x = np.asarray(x, dtype=np.float32).reshape(rows, cols)
    nb = -(-cols // block)
    codes = np.zeros((rows, cols), dtype=np.int64)
    scales = np.zeros((rows, nb), dtype=np.int64)
    enc = dec = F32(1.0)
    if fmt == "nv":
        enc, dec = nv_tensor_scale(amax_of(x))
    th = 16 if tiles2d else 1
    for r0 in range(0, rows, th):
        for kb in range(nb):
            tile = x[r0:r0 + th, kb * block:(kb + 1) * block]
            amax = amax_of(tile)
            if fmt == "mx":
                sc = e8m0_code(amax, scale_mode)
                elem_enc = None
            else:
                sc = nv_block_scale(amax, enc)
                elem_enc = nv_encode_scale(sc, dec)
            for r in range(r0, min(rows, r0 + th)):
                scales[r, kb] = sc
                for c in range(kb * block, min(cols, (kb + 1) * block)):
                    idx = r * cols + c
                    xv = x[r, c]
                    if fmt == "mx":
                        if sc == 255:
                            code = 0
                        else:
                            code = e2m1_code(float(xv) * 2.0**-(sc - 127), rounding, seed, idx)
                    else:
                        with np.errstate(over="ignore", invalid="ignore"):
                            y = F32(xv) * F32(elem_enc)
                        code = e2m1_code(float(y), rounding, seed, idx)
                    codes[r, c] = code
    return codes, scales, enc, dec


def scale_value(fmt, sc):
    if fmt == "mx":
        return np.nan if sc == 255 else 2.0**(sc - 127)
    return E4M3[sc]


def decoded(fmt, codes, scales, dec, block):
    rows, cols = codes.shape
    out = np.zeros((rows, cols), dtype=np.float64)
    for r in range(rows):
        for c in range(cols):
            v = e2m1_value(codes[r, c]) * scale_value(fmt, scales[r, c // block])
            out[r, c] = v * float(dec) if fmt == "nv" else v
    return out


def rht(x, sign_mask):
    """16-point FWHT in float32 on each full run of 16 along the last axis."""
    x = np.array(x, dtype=np.float32)
    rows, cols = x.shape
    full = cols // 16 * 16
    v = x[:, :full].reshape(rows, -1, 16).copy()
    signs = np.array([-1 if (sign_mask >> i) & 1 else 1 for i in range(16)], dtype=np.float32)
    v = v * signs
    h = 1
    while h < 16:
        idx = [j for j in range(16) if not j & h]
        a = v[:, :, idx].copy()
        b = v[:, :, [j + h for j in idx]].copy()
        v[:, :, idx] = a + b
        v[:, :, [j + h for j in idx]] = a - b
        h *= 2
    v = v * F32(0.25)
    x[:, :full] = v.reshape(rows, full)
    return x


def sign_mask_from_seed(seed):
    return sum(1 << i for i in range(16) if counter_hash(seed, i) >> 63)


@np.errstate(over="ignore", invalid="ignore")
def gemm(fmt, ca, sa, deca, cb, sb, decb, block):
    """C = A * B^T, both blocked along K."""
    m, k = ca.shape
    n = cb.shape[0]
    nb = -(-k // block)
    tw = np.array([0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12], dtype=np.int64)
    wa, wb = tw[ca], tw[cb]
    alpha = F32(1.0) if fmt == "mx" else F32(F32(deca) * F32(decb))
    out = np.zeros((m, n), dtype=np.float32)
    for i in range(m):
        for j in range(n):
            acc = F32(0.0)
            for kb in range(nb):
                s = slice(kb * block, (kb + 1) * block)
                d = int(np.dot(wa[i, s], wb[j, s]))
                p = F32(d * 0.25 * scale_value(fmt, sa[i, kb]) * scale_value(fmt, sb[j, kb]))
                with np.errstate(over="ignore", invalid="ignore"):
                    acc = F32(acc + p)
            out[i, j] = F32(float(acc) * float(alpha))
    return out


# ---- vector generation ---------------------------------------------------
def bits(a):
    return " ".join("%08x" % int(b) for b in np.asarray(a, dtype=np.float32).ravel().view(np.uint32))


def ints(a):
    return " ".join("%x" % int(v) for v in np.asarray(a).ravel())


def random_tensor(rng, rows, cols, kind):
    if kind == "gauss":
        return rng.standard_normal((rows, cols)).astype(np.float32) * F32(rng.uniform(1e-3, 1e3))
    if kind == "wide":  # per-element exponents over a wide range, incl. tiny blocks
        e = rng.integers(-140, 120, size=(rows, cols))
        m = rng.uniform(-2, 2, size=(rows, cols))
        return np.ldexp(m, e).astype(np.float32)
    if kind == "grid":  # exact E2M1 grid points and midpoints times powers of two
        pts = np.array([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7])
        v = rng.choice(pts, size=(rows, cols)) * rng.choice([-1, 1], size=(rows, cols))
        return np.ldexp(v, int(rng.integers(-20, 20))).astype(np.float32)
    raise ValueError(kind)


def corner_rows():
    """Hand-made blocks (32 wide): the corner cases of the spec."""
    z = np.zeros(32, dtype=np.float32)
    rows = [z.copy()]  # all-zero block
    r = np.linspace(-6, 6, 32).astype(np.float32); r[5] = np.nan; rows.append(r)  # NaN
    r = np.linspace(-6, 6, 32).astype(np.float32); r[7] = np.inf; rows.append(r)  # +inf
    r = np.full(32, 1e-42, dtype=np.float32); r[0] = 3e-39; rows.append(r)  # below the smallest scale
    r = np.float32(np.nextafter(np.float32(8), np.float32(0))) * np.ones(32, np.float32)
    rows.append(r)  # just below a power of two
    r = np.array([7.0, 6.0, 5.0, 3.5, 2.5, 1.75, 1.25, 0.75, 0.25, -0.25, -5.0] + [0.0] * 21,
                 dtype=np.float32); rows.append(r)  # ties at scale 1
    r = np.full(32, np.finfo(np.float32).max, dtype=np.float32); r[1] = -1; rows.append(r)
    return np.stack(rows)


def emit_quant(out, name, x, fmt, block, tiles2d, scale_mode, rounding, seed, rht_mask=-1):
    rows, cols = x.shape
    xi = rht(x, rht_mask) if rht_mask >= 0 else x
    codes, scales, enc, dec = quantize(xi, rows, cols, fmt, block, tiles2d, scale_mode, rounding,
                                       seed)
    out.append("quant %s %s %d %d %d %d %s %s %d %d" % (name, fmt, rows, cols, block, tiles2d,
                                                         scale_mode, rounding, seed, rht_mask))
    out.append("x " + bits(x))
    out.append("codes " + ints(codes))
    out.append("scales " + ints(scales))
    out.append("tensor " + bits([enc, dec]))
    vals = decoded(fmt, codes, scales, dec, block).ravel()
    out.append("values " + " ".join("nan" if v != v else "%016x" % int(np.float64(v).view(np.uint64))
                                    for v in vals))


def emit_gemm(out, name, rng, fmt, m, n, k, block, kind):
    a = random_tensor(rng, m, k, kind)
    b = random_tensor(rng, n, k, kind)
    mode = "floor"
    ca, sa, _, deca = quantize(a, m, k, fmt, block, False, mode, "even", 0)
    cb, sb, _, decb = quantize(b, n, k, fmt, block, False, mode, "even", 0)
    c = gemm(fmt, ca, sa, deca, cb, sb, decb, block)
    out.append("gemm %s %s %d %d %d %d" % (name, fmt, m, n, k, block))
    out.append("a " + bits(a))
    out.append("b " + bits(b))
    out.append("c " + bits(c))


def main():
    rng = np.random.default_rng(20260916)
    out = ["# generated by tests/numerics/block_fp4_numpy_ref.py; do not edit"]
    corners = corner_rows()
    for mode in ("floor", "ceil", "even"):
        for rnd in ("even", "away", "stochastic"):
            emit_quant(out, "mx-corners", corners, "mx", 32, 0, mode, rnd, 7)
    emit_quant(out, "nv-corners", corners[[0, 3, 4, 5]], "nv", 16, 0, "floor", "even", 0)
    emit_quant(out, "nv-nan", corners[[1, 5]], "nv", 16, 0, "floor", "even", 0)
    emit_quant(out, "nv-inf", corners[[2, 5]], "nv", 16, 0, "floor", "even", 0)
    case = 0
    for fmt, block in (("mx", 32), ("mx", 16), ("nv", 16), ("nv", 32)):
        for kind in ("gauss", "wide", "grid"):
            for rnd in ("even", "away", "stochastic"):
                for mode in (("floor", "ceil", "even") if fmt == "mx" else ("floor",)):
                    rows, cols = int(rng.integers(1, 5)), int(rng.integers(1, 70))
                    emit_quant(out, "rand%d" % case, random_tensor(rng, rows, cols, kind), fmt,
                               block, 0, mode, rnd, case)
                    case += 1
    for fmt in ("nv", "mx"):  # 2-D 16x16 tiles, ragged edges
        for rows, cols in ((16, 16), (33, 40), (5, 21)):
            emit_quant(out, "tile%d" % case, random_tensor(rng, rows, cols, "gauss"), fmt, 16, 1,
                       "floor", "even", case)
            case += 1
    for mask in (0xD7E8, sign_mask_from_seed(1), sign_mask_from_seed(2026)):  # RHT then NVFP4
        emit_quant(out, "rht%d" % case, random_tensor(rng, 3, 40, "gauss"), "nv", 16, 0, "floor",
                   "stochastic", case, mask)
        case += 1
    out.append("signmask 1 %x" % sign_mask_from_seed(1))
    out.append("signmask 2026 %x" % sign_mask_from_seed(2026))
    for g in range(48):
        fmt = "mx" if g % 2 else "nv"
        block = 32 if (fmt == "mx" and g % 4 == 1) else 16
        emit_gemm(out, "g%d" % g, rng, fmt, int(rng.integers(1, 9)), int(rng.integers(1, 9)),
                  int(rng.integers(1, 130)), block, ("gauss", "wide", "grid")[g % 3])
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
