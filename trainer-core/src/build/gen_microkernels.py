#!/usr/bin/env python3
"""Writes the GEMM sets of the vector kernel: one class per vector shape (GemmNNNxRR.java), each with its
own species as a constant, its register blocking, the row dispatch and the GEMM driver.

A set is sized so that its accumulators, the B vectors of one step, the broadcast A value (and, without
FMA, the product) fit the register file, since a spilled accumulator costs a load and a store per step:
- 512x32 (AVX-512, 32 registers): 6 x 4 vectors = 24 accumulators + 4 B + 1 broadcast = 29;
- 256x16 (AVX2, 16 registers): 4 x 3 = 12 + 3 + 1 = 16 (the 6 x 4 block of 512x32 needs 29 and spills;
  6 x 2 = 15 fits too but broadcasts 6 A values per 12 FMAs instead of 4: 82 against 94 GFLOPS on
  XW_256x784x256 under -XX:UseAVX=2, JMH, Zen 4);
- 128x32 (NEON and other 128-bit machines with 32 registers and FMA): 6 x 4 as 512x32;
- 128x16 (128-bit vectors with FMA and 16 registers, e.g. AVX without 256-bit floats): 4 x 3 as 256x16;
- 128x16m (x86 SSE, and AVX without FMA, where HotSpot keeps float vectors at 128 bits: 16 registers, no
  FMA): 6 x 2 with multiply then add, 12 + 2 + 1 + 1 product = 16.
Every set also has a 12 x 1 kernel for outputs one vector wide, and smaller kernels for the rows left; the
sets whose wide block is more than two vectors wide also have 6 x 2 kernels for the columns left after the
wide blocks when they need two vectors (12 + 2 + 1 registers; 6 broadcasts per 12 multiply-adds where two
passes of 12 x 1 need 12, and each broadcast carries its index arithmetic and bounds check). The columns
left after the full vectors (the 10 outputs of a classifier) are copied, padded with zero columns, to a
vector of the set's own width (two when more than one is left) and run through those kernels; the padding
lanes are dropped when copying C back. Each element's sum is unchanged, so the bits are too. A scalar loop
over those columns was one chain of dependent FMAs per element: 1.9 GFLOPS on XW_256x256x10 against
OpenBLAS' 71 on AVX-512; 6 x 2 took XW_1024x256x16 under -XX:UseAVX=2 from 58 to 82 GFLOPS and
XW_256x256x10 from 35 to 47 (against two passes of 12 x 1).
The padding stays in the set's own species: tails of narrower vectors (8 + 2 columns as 256 + 128 bits)
put two vector classes into the type profiles of the Vector API's shared methods, and C2 then boxed every
vector the kernels stored, of both widths (28 KB allocated per XW_256x256x10 under -XX:UseAVX=2).

Every kernel sums C's element (r, j) from its starting value in step order, one multiply-add per step, so
the FMA sets give the same bits as one another whatever their width or blocking, and the multiply-add
sets give the scalar kernel's bits. Without FMA hardware, HotSpot computes FloatVector.fma and Math.fma
in BigDecimal, so those sets must not use it.

Each kernel keeps its block of C in named locals, since the Vector API needs vectors in locals, not arrays,
to keep them in registers. The kernels hold no branch that selects between vectors: on JDK 17, C2 boxes a
vector that two live branches merge, which costs an allocation per vector and a 20x slowdown.

The step loop of the 32-register sets' wide kernels has no step counter: it advances the A and B offsets by
their strides and ends when B's offset reaches its end (so B's stride must be positive). On JDK 17 that
leaves C2 enough general registers to keep every index out of the stack: 6 x 4 went from 106 to 116 GFLOPS
on 256x784x256 (Zen 4, AVX-512 FMA peak 117). The 16-register sets instead pack each block of B's columns
(kLen x BLOCK_COLS, once per block, reused by every row) and step a counted loop through it with the
constant stride BLOCK_COLS, which lets C2 drop B's bounds checks: 6 x 2 under -XX:UseAVX=2 went from 69 to
89 GFLOPS on 256x784x256 (a throwaway loop; the same packing slowed 6 x 4 on AVX-512 from 115 to 107).
The 1-vector kernels keep a counted loop, which C2 handles better there. For A read down its columns with
rows far apart (the weight gradient's Xᵀ, one new cache line per step at a stride that crosses a page every
step or so), the 16-register sets also pack A's rows into panels once per GEMM (gemmStridedA), of
PANEL_ROWS rows, the least multiple of the block's height and the lanes, copied as vectors: under
-XX:UseAVX=2, Xᵀ·dZ 784x256x256 went from 80.0 to 90.5 GFLOPS (JMH) with panels of 4 rows copied one
float at a time, and from 86 to 93 (a throwaway loop) with panels of 8 copied as vectors. Tried under -XX:UseAVX=2 and
dropped: the wide kernel looping over all row blocks itself (one call per column block) ran 20-40% slower
(dZWᵀ 256x256x784 92 -> 57 GFLOPS), and a 12 x 1 kernel indexing A by the loop counter, to let C2 remove
the broadcasts' bounds checks, was unrolled and spilled (XW_256x256x10 34 -> 17).

Run from trainer-core/:
    python3 src/build/gen_microkernels.py src/main/java/io/dendrite/core/kernel/vector
"""
import math
import os
import sys

# name, vector bits, registers, wide block (rows, vectors), FMA
SETS = [
    ("512x32", 512, 32, (6, 4), True),
    ("256x16", 256, 16, (4, 3), True),
    ("128x32", 128, 32, (6, 4), True),
    ("128x16", 128, 16, (4, 3), True),
    ("128x16m", 128, 16, (6, 2), False),
]
NARROW = (12, 1)
PAIR = (6, 2)
ARGS = ("kLen, a, aOff + i * aRow, aRow, aK, b, bOff, bK, c, cOff + i * cRow, cRow,\n"
        "                    init, initOff + i * initRow, initRow, floor")


def heights(top):
    """The tallest kernel and one of each smaller height for the rows left: 6 -> 6, 4, 2, 1."""
    out = [top]
    h = 8 if top > 8 else 4
    while h >= 1:
        if h < top:
            out.append(h)
        h //= 2
    return out


def rows_of(cols, tall, panels=False):
    """The row loop of one column block. With panels, A's rows may lie in panels of PANEL_ROWS rows (a
    multiple of the block's height, so no block straddles two): the block at row i starts at
    aOff + (i / PANEL_ROWS)·aPanel + (i % PANEL_ROWS)·aRow (aPanel = PANEL_ROWS·aRow when they do not)."""
    hs = heights(tall)
    args = ("kLen, a, aOff + i / PANEL_ROWS * aPanel + i % PANEL_ROWS * aRow, aRow, aK, b, bOff, bK, c,\n"
            "                    cOff + i * cRow, cRow, init, initOff + i * initRow, initRow, floor") if panels else ARGS
    panel = " int aPanel," if panels else ""
    out = [f"    /** All {{@code m}} rows of a block {cols} vector(s) wide: {hs[0]}-row kernels, then the rows left. */"]
    out.append(f"    private static void rows{cols}(int m, int kLen, float[] a, int aOff, int aRow, int aK,{panel} float[] b,")
    out.append("                              int bOff, int bK, float[] c, int cOff, int cRow, float[] init, int initOff,")
    out.append("                              int initRow, float floor) {")
    out.append("        int i = 0;")
    out.append(f"        for (; i + {hs[0]} <= m; i += {hs[0]}) {{")
    out.append(f"            mk{hs[0]}x{cols}({args});")
    out.append("        }")
    for h in hs[1:]:
        if h == 1:
            out.append("        if (i < m) {")
            out.append(f"            mk1x{cols}({args});")
        else:
            out.append(f"        if (i + {h} <= m) {{")
            out.append(f"            mk{h}x{cols}({args});")
            out.append(f"            i += {h};")
        out.append("        }")
    out.append("    }")
    return "\n".join(out)


def kernel(rows, cols, fma, counted, packed=False):
    acc = lambda r, c: f"c{r}{c}"
    out = []
    out.append(f"    /** C[{rows} × {cols}·V] = max(init + A·B, floor) over {{@code kLen}} steps. */")
    out.append(f"    private static void mk{rows}x{cols}(int kLen, float[] a, int aOff, int aRow, int aK, float[] b,")
    out.append("                                int bOff, int bK, float[] c, int cOff, int cRow, float[] init,")
    out.append("                                int initOff, int initRow, float floor) {")
    for r in range(rows):
        for col in range(cols):
            out.append(f"        FloatVector {acc(r, col)} = FloatVector.fromArray(S, init, initOff + {r} * initRow + {col} * V);")
    if packed:
        # B packed with the constant row stride BLOCK_COLS: C2 removes B's bounds checks from the counted loop.
        out.append("        for (int t = 0, at = aOff, bt = bOff; t < kLen; t++, at += aK, bt += BLOCK_COLS) {")
    elif counted:
        out.append("        for (int t = 0, at = aOff, bt = bOff; t < kLen; t++, at += aK, bt += bK) {")
    else:
        out.append("        int bEnd = bOff + kLen * bK;")
        out.append("        for (int at = aOff, bt = bOff; bt < bEnd; at += aK, bt += bK) {")
    for col in range(cols):
        out.append(f"            FloatVector b{col} = FloatVector.fromArray(S, b, bt + {col} * V);")
    for r in range(rows):
        out.append(f"            FloatVector a{r} = FloatVector.broadcast(S, a[at + {r} * aRow]);")
        for col in range(cols):
            if fma:
                out.append(f"            {acc(r, col)} = a{r}.fma(b{col}, {acc(r, col)});")
            else:
                out.append(f"            {acc(r, col)} = {acc(r, col)}.add(a{r}.mul(b{col}));")
    out.append("        }")
    if fma:
        out.append(f"        FloatVector lo = FloatVector.broadcast(S, floor);")
    else:
        # HotSpot has no SSE form of the float MAX (nor of float compares): it would box every vector. A
        # ReLU floor clears the bits of lanes whose sign bit is set (MAX's result, -0 included); no floor
        # clears nothing.
        out.append("        IntVector clear = IntVector.broadcast(IS, floor == 0f ? -1 : 0);")
    for r in range(rows):
        for col in range(cols):
            v = acc(r, col)
            dst = f"c, cOff + {r} * cRow + {col} * V"
            if fma:
                out.append(f"        {v}.lanewise(VectorOperators.MAX, lo).intoArray({dst});")
            else:
                out.append(f"        IntVector i{v} = {v}.viewAsIntegralLanes();")
                out.append(f"        i{v}.lanewise(VectorOperators.AND_NOT, i{v}.lanewise(VectorOperators.ASHR, 31).and(clear))"
                           f".viewAsFloatingLanes().intoArray({dst});")
    out.append("    }")
    return "\n".join(out)


def wide_loop(cols, packed):
    if not packed:
        return f"""        checkStride(n >= BLOCK_COLS, kLen, b, bOff, bK);
        int j = 0;
        for (; j + BLOCK_COLS <= n; j += BLOCK_COLS) {{
            rows{cols}(m, kLen, a, aOff, aRow, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j, initRow,
                    floor);
        }}
        return j;"""
    return f"""        int j = 0;
        for (; j + BLOCK_COLS <= n; j += BLOCK_COLS) {{
            // Rows of B BLOCK_COLS apart already (a packed Wᵀ panel) are used as they are; others are packed.
            boolean asIs = bK == BLOCK_COLS;
            float[] bp = asIs ? b : packB(kLen, b, bOff + j, bK);
            rows{cols}(m, kLen, a, aOff, aRow, aK, aPanel, bp, asIs ? bOff + j : 0, BLOCK_COLS, c, cOff + j, cRow,
                    init, initOff + j, initRow, floor);
        }}
        return j;"""


def panel_constant(rows, bits):
    return f"""    /**
     * Rows of a panel of packed A: the least multiple of both the wide block's height ({rows}) and the lanes,
     * so that a block never straddles two panels and the pack copies whole vectors.
     */
    static final int PANEL_ROWS = {panel_rows(rows, bits)};
"""


def wide_call(packed):
    if packed:
        return """        int j = wideBlocks(m, n, kLen, a, aOff, aRow, aK, PANEL_ROWS * aRow, b, bOff, bK, c, cOff, cRow, init,
                initOff, initRow, floor);"""
    return """        int j = wideBlocks(m, n, kLen, a, aOff, aRow, aK, b, bOff, bK, c, cOff, cRow, init, initOff, initRow, floor);"""


def wide_blocks(cols, packed):
    """The wide blocks of C's columns; with packed A (the 16-register sets), A's rows may lie in panels."""
    if packed:
        return f"""    /**
     * The wide blocks of C's columns, {{@code [0, j)}}, returning {{@code j}}. A's rows lie in panels: the block at
     * row {{@code i}} starts at {{@code aOff + (i / PANEL_ROWS)·aPanel + (i % PANEL_ROWS)·aRow}}.
     */
    private static int wideBlocks(int m, int n, int kLen, float[] a, int aOff, int aRow, int aK, int aPanel,
                                  float[] b, int bOff, int bK, float[] c, int cOff, int cRow, float[] init,
                                  int initOff, int initRow, float floor) {{
{wide_loop(cols, packed)}
    }}"""
    return f"""    /** The wide blocks of C's columns, {{@code [0, j)}}, returning {{@code j}}. */
    private static int wideBlocks(int m, int n, int kLen, float[] a, int aOff, int aRow, int aK, float[] b,
                                  int bOff, int bK, float[] c, int cOff, int cRow, float[] init, int initOff,
                                  int initRow, float floor) {{
{wide_loop(cols, packed)}
    }}"""


def strided_a(packed):
    """gemmStridedA: the 16-register sets pack A's rows into panels first (with two wide blocks or more, and
    rows at least PACKED_A_STRIDE floats apart); the 32-register sets read A as it is."""
    if not packed:
        return """        // Packing A slowed the 6 x 4 kernels: Xᵀ·dZ 784×256×256 on AVX-512 went from 108 to 95 GFLOPS.
        gemm(m, n, kLen, a, aOff, 1, aK, b, bOff, bK, c, cOff, cRow, init, initOff, initRow, floor);"""
    return """        if (n < 2 * BLOCK_COLS || aK < PACKED_A_STRIDE) {
            gemm(m, n, kLen, a, aOff, 1, aK, b, bOff, bK, c, cOff, cRow, init, initOff, initRow, floor);
            return;
        }
        float[] ap = packA(m, kLen, a, aOff, aK);
        int j = wideBlocks(m, n, kLen, ap, 0, 1, PANEL_ROWS, PANEL_ROWS * kLen, b, bOff, bK, c, cOff, cRow, init,
                initOff, initRow, floor);
        if (j < n) {
            gemm(m, n - j, kLen, a, aOff, 1, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j, initRow, floor);
        }"""


def panel_rows(rows, bits):
    lanes = bits // 32
    return rows * lanes // math.gcd(rows, lanes)


def pack_a(rows, bits):
    lanes = bits // 32
    copies = "\n                    ".join(
        f"FloatVector.fromArray(S, a, src + {v} * V).intoArray(ap, dst + {v} * V);"
        for v in range(panel_rows(rows, bits) // lanes))
    return f"""

    /**
     * {{@code ap[(r / PANEL_ROWS)·PANEL_ROWS·kLen + t·PANEL_ROWS + r % PANEL_ROWS] = a[aOff + r + t·aK]}}: A's
     * {{@code m}} rows (read down the columns of {{@code a}}) in panels of {{@link #PANEL_ROWS}} rows, each panel
     * one stream of {{@code kLen}} steps, into this thread's buffer; whole vectors, {{@link GemmSet#PACK_STEPS}}
     * steps at a time across all panels, so that the rows of {{@code a}} it reads stay in cache while every
     * panel takes its part of them. On Zen 4, 784 × 256 took 61 µs in panels of 4 rows copied one float at a
     * time (125 µs one panel at a time); panels of 8 rows copied as vectors took XᵀdZ 784×256×256 under
     * {{@code -XX:UseAVX=2}} from 86 to 93 GFLOPS (a throwaway loop of 300 GEMMs, three runs each).
     */
    private static float[] packA(int m, int kLen, float[] a, int aOff, int aK) {{
        float[] ap = packedA((m + PANEL_ROWS - 1) / PANEL_ROWS * PANEL_ROWS * kLen);
        int full = m - m % PANEL_ROWS;
        for (int t0 = 0; t0 < kLen; t0 += PACK_STEPS) {{
            int t1 = Math.min(kLen, t0 + PACK_STEPS);
            for (int p = 0; p < full; p += PANEL_ROWS) {{
                for (int t = t0, src = aOff + t0 * aK + p, dst = p * kLen + t0 * PANEL_ROWS; t < t1;
                     t++, src += aK, dst += PANEL_ROWS) {{
                    {copies}
                }}
            }}
        }}
        for (int t = 0, src = aOff + full, dst = full * kLen; t < kLen; t++, src += aK, dst += PANEL_ROWS) {{
            for (int r = 0; r < m - full; r++) {{
                ap[dst + r] = a[src + r];
            }}
        }}
        return ap;
    }}"""


def pair_loop():
    """Two vectors' worth of the columns left after the wide blocks (the second padded when short) in 6 x 2
    blocks: 6 broadcasts per 12 multiply-adds instead of the 12 x 1 kernels' 12."""
    return """        if (n - j > V) {
            if (j + 2 * V <= n) {
                rows2(m, kLen, a, aOff, aRow, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j, initRow,
                        floor);
                j += 2 * V;
            } else {
                PaddedTail pt = PaddedTail.of(m, n, j, kLen, b, bOff, bK, init, initOff, initRow, 2 * V);
                rows2(m, kLen, a, aOff, aRow, aK, pt.b, 0, 2 * V, pt.c, 0, 2 * V, pt.init, 0, pt.initRow, floor);
                pt.copyOut(m, n - j, c, cOff + j, cRow);
                j = n;
            }
        }
"""


def padded_tail():
    """The columns left after the full vectors: padded with zeros to one vector of the set's width."""
    return """        if (j < n) {
            PaddedTail pt = PaddedTail.of(m, n, j, kLen, b, bOff, bK, init, initOff, initRow, V);
            rows1(m, kLen, a, aOff, aRow, aK, pt.b, 0, V, pt.c, 0, V, pt.init, 0, pt.initRow, floor);
            pt.copyOut(m, n - j, c, cOff + j, cRow);
        }"""


def pack_b(cols):
    loads = "\n".join(f"            FloatVector.fromArray(S, b, src + {c} * V).intoArray(bp, dst + {c} * V);" for c in range(cols))
    return f"""

    /**
     * Copies {{@code kLen}} rows of one block of B's columns (row stride {{@code bK}}, from {{@code bOff}}) into this
     * thread's buffer with row stride {{@link #BLOCK_COLS}}, and returns the buffer. One vector load and store per
     * vector of the block: {{@code System.arraycopy}} of so few floats costs a call each, which was as slow as
     * the sums when few rows of C use the block (the classifier's weight gradient, transposed).
     */
    private static float[] packB(int kLen, float[] b, int bOff, int bK) {{
        float[] bp = packedB(kLen * BLOCK_COLS);
        for (int t = 0, src = bOff, dst = 0; t < kLen; t++, src += bK, dst += BLOCK_COLS) {{
{loads}
        }}
        return bp;
    }}"""


def driver(name, bits, wide_rows, wide_cols, fma, packed):
    int_species = "" if fma else f"""    /** C's bits as ints, for the ReLU floor without float MAX. */
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_{bits};
"""
    return f"""    static final VectorSpecies<Float> S = FloatVector.SPECIES_{bits};
    static final int V = S.length();
{int_species}    /** Columns of one wide block: the panel width of the packed Wᵀ. */
    static final int BLOCK_COLS = {wide_cols} * V;
{panel_constant(wide_rows, bits) if packed else ""}
    @Override
    String id() {{
        return "{name}";
    }}

    @Override
    String blocks() {{
        return "{wide_rows}x{wide_cols} blocks";
    }}

    @Override
    int blockCols() {{
        return BLOCK_COLS;
    }}

    @Override
    int bits() {{
        return {bits};
    }}

    @Override
    boolean fma() {{
        return {"true" if fma else "false"};
    }}

    @Override
    void gemm(int m, int n, int kLen, float[] a, int aOff, int aRow, int aK, float[] b, int bOff, int bK,
              float[] c, int cOff, int cRow, float[] init, int initOff, int initRow, float floor) {{
{wide_call(packed)}
{pair_loop() if wide_cols > PAIR[1] else ""}        for (; j + V <= n; j += V) {{
            rows1(m, kLen, a, aOff, aRow, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j, initRow, floor);
        }}
{padded_tail()}
    }}

    @Override
    void gemmStridedA(int m, int n, int kLen, float[] a, int aOff, int aK, float[] b, int bOff, int bK, float[] c,
                      int cOff, int cRow, float[] init, int initOff, int initRow, float floor) {{
{strided_a(packed)}
    }}

{wide_blocks(wide_cols, packed)}

    @Override
    void gemmDzWt(int m, int k, int n, float[] delta, float[] params, int wOff, float[] dx) {{
        float[] panel = panel(n * BLOCK_COLS);
        for (int p = 0; p < k; p += BLOCK_COLS) {{
            int width = Math.min(BLOCK_COLS, k - p);
            if (width == BLOCK_COLS) {{
                packFullPanel(params, wOff + p * n, n, panel);
            }} else {{
                packTransposed(params, wOff + p * n, n, width, panel);
            }}
            gemm(m, width, n, delta, 0, n, 1, panel, 0, width, dx, p, k, zeros(width), 0, 0, NO_FLOOR);
        }}
    }}

    /**
     * {{@code panel[j·BLOCK_COLS + c] = w[base + c·n + j]}}: one full panel of W's rows, transposed, four rows
     * at a time over tiles of {{@link #PACK_TILE}} columns (see {{@link GemmSet#packTransposed}}). Written
     * through the constant {{@link #BLOCK_COLS}} so that C2 drops the bounds checks of the stores too.
     */
    private static void packFullPanel(float[] w, int base, int n, float[] panel) {{
        for (int j0 = 0; j0 < n; j0 += PACK_TILE) {{
            int j1 = Math.min(n, j0 + PACK_TILE);
            for (int c = 0; c < BLOCK_COLS; c += 4) {{
                int r0 = base + c * n;
                int r1 = r0 + n;
                int r2 = r1 + n;
                int r3 = r2 + n;
                for (int j = j0; j < j1; j++) {{
                    panel[j * BLOCK_COLS + c] = w[r0 + j];
                    panel[j * BLOCK_COLS + c + 1] = w[r1 + j];
                    panel[j * BLOCK_COLS + c + 2] = w[r2 + j];
                    panel[j * BLOCK_COLS + c + 3] = w[r3 + j];
                }}
            }}
        }}
    }}""" + (pack_a(wide_rows, bits) + pack_b(wide_cols) if packed else "")


def gemm_class(name, bits, regs, wide, fma):
    packed = regs == 16
    rows, cols = wide
    cls = "Gemm" + name[0].upper() + name[1:]
    if fma:
        arith = "one fused multiply-add per step"
    else:
        arith = "a multiply then an add per step (no FMA hardware: the scalar kernel's rounding)"
    kernels = [rows_of(cols, rows, panels=packed), rows_of(1, NARROW[0])]
    kernels += [kernel(h, cols, fma, counted=False, packed=packed) for h in heights(rows)]
    kernels += [kernel(h, 1, fma, counted=True) for h in heights(NARROW[0])]
    if cols > PAIR[1]:
        kernels.append(rows_of(PAIR[1], PAIR[0]))
        kernels += [kernel(h, PAIR[1], fma, counted=True) for h in heights(PAIR[0])]
    pair = ",\n * 6 × 2 for two vectors' worth of columns left" if cols > PAIR[1] else ""
    body = driver(name, bits, rows, cols, fma, packed) + "\n\n" + "\n\n".join(kernels)
    return cls, f"""package io.dendrite.core.kernel.vector;

import jdk.incubator.vector.FloatVector;
{"" if fma else "import jdk.incubator.vector.IntVector;" + chr(10)}import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM set for {bits}-bit vectors and {regs} registers: {rows} × {cols}-vector blocks of C in registers
 * ({cols * rows} accumulators), 12 × 1 for outputs one vector wide{pair};
 * {arith}.
 * Generated by {{@code src/build/gen_microkernels.py}}; edit that, not this.
 */
final class {cls} extends GemmSet {{
{body}
}}
"""


def main():
    out_dir = sys.argv[1]
    for name, bits, regs, wide, fma in SETS:
        cls, text = gemm_class(name, bits, regs, wide, fma)
        with open(os.path.join(out_dir, cls + ".java"), "w") as f:
            f.write(text)


main()
