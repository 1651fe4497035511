"""A QR symbol's data region as codewords, and Reed-Solomon repair that knows which
codewords were unreadable.

A decoder that has to guess every module treats a module under a floodlight's glare
or a grey smudge as a wrong guess half of the time: each such codeword is an error,
and error correction level M repairs at most 8 errors in a block of 43 codewords (v6).
A codeword known to be unreadable is an *erasure*, and Reed-Solomon repairs twice as
many erasures as errors (``2 * errors + erasures <= EC codewords per block``).  So the
grid reader marks the modules it could not see (no contrast where the code should
have some) and this module repairs with that knowledge, then lays the repaired
codewords back into the matrix for zxing to decode as usual (its own Reed-Solomon
check must pass again, and the gate still verifies the ticket's signature).

Layout as ISO/IEC 18004 defines it: the codeword placement (two-module columns
zigzagging up and down from the bottom right, skipping function patterns, format and
version information), the eight data masks, and the interleaving of blocks (the block
table from segno, the QR library that renders our tickets).
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

import numpy as np
from reedsolo import ReedSolomonError, RSCodec
from segno import consts as qr_consts

_EC_LEVEL_NUMBER = {"L": 1, "M": 0, "Q": 3, "H": 2}  # as in the format information


def symbol_size(version: int) -> int:
    return 17 + 4 * version


def alignment_centres(version: int) -> tuple[int, ...]:
    """Rows (and columns) of the alignment patterns' centres; the standard leaves out
    those that would overlap a finder pattern."""
    centres: tuple[int, ...] = qr_consts.ALIGNMENT_POS[version - 2] if version >= 2 else ()
    return centres


@cache
def reserved_modules(version: int) -> np.ndarray:
    """Every module that is not data: finder patterns and separators, timing, alignment,
    format information (with the dark module) and version information."""
    n = symbol_size(version)
    reserved = np.zeros((n, n), bool)
    reserved[:9, :9] = True  # finder, separator, format information (top left)
    reserved[:9, n - 8 :] = True  # finder, separator, format information (top right)
    reserved[n - 8 :, :9] = True  # finder, separator, format information, dark module
    reserved[6, :] = reserved[:, 6] = True  # timing
    centres = alignment_centres(version)
    for r in centres:
        for c in centres:
            if not (r < 9 and c < 9) and not (r < 9 and c > n - 9) and not (r > n - 9 and c < 9):
                reserved[r - 2 : r + 3, c - 2 : c + 3] = True
    if version >= 7:
        reserved[:6, n - 11 : n - 8] = True
        reserved[n - 11 : n - 8, :6] = True
    reserved.flags.writeable = False
    return reserved


@cache
def data_positions(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the data modules in placement order: codeword 0's most
    significant bit first."""
    n = symbol_size(version)
    reserved = reserved_modules(version)
    rows: list[int] = []
    cols: list[int] = []
    upward = True
    right = n - 1
    while right > 0:
        if right == 6:  # the vertical timing pattern is skipped as a whole column
            right -= 1
        order = range(n - 1, -1, -1) if upward else range(n)
        for r in order:
            for c in (right, right - 1):
                if not reserved[r, c]:
                    rows.append(r)
                    cols.append(c)
        upward = not upward
        right -= 2
    return np.array(rows), np.array(cols)


def mask_pattern(mask: int, size: int) -> np.ndarray:
    """Where data mask ``mask`` (0-7) flips a module."""
    i, j = np.indices((size, size))
    conditions = {
        0: (i + j) % 2 == 0,
        1: i % 2 == 0,
        2: j % 3 == 0,
        3: (i + j) % 3 == 0,
        4: (i // 2 + j // 3) % 2 == 0,
        5: (i * j) % 2 + (i * j) % 3 == 0,
        6: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        7: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    }
    flip: np.ndarray = conditions[mask]
    return flip


def _blocks(version: int, ec_level: str) -> list[tuple[int, int]]:
    """(data codewords, EC codewords) of each block, in order."""
    table = cast(dict[int, dict[int, tuple[Any, ...]]], qr_consts.ECC)
    groups = table[version][_EC_LEVEL_NUMBER[ec_level]]
    return [
        (group.num_data, group.num_total - group.num_data)
        for group in groups
        for _ in range(group.num_blocks)
    ]


def _interleaving(blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(block, index in block) of each codeword in the symbol's order: data codewords
    round-robin over the blocks, then the EC codewords likewise."""
    order = []
    for index in range(max(data for data, _ in blocks)):
        order += [(b, index) for b, (data, _) in enumerate(blocks) if index < data]
    for index in range(blocks[0][1]):
        order += [(b, data + index) for b, (data, _) in enumerate(blocks)]
    return order


@cache
def _codec(ec_codewords: int) -> RSCodec:
    # QR's field and generator: GF(256) over x^8+x^4+x^3+x^2+1, roots from alpha^0.
    return RSCodec(ec_codewords, fcr=0, prim=0x11D, generator=2, c_exp=8)


def repaired(
    dark: np.ndarray, unreadable: np.ndarray, version: int, ec_level: str, mask: int
) -> np.ndarray | None:
    """The module matrix with its codewords repaired, unreadable modules' codewords
    as erasures; None when Reed-Solomon cannot repair a block."""
    size = symbol_size(version)
    flip = mask_pattern(mask, size)
    rows, cols = data_positions(version)
    blocks = _blocks(version, ec_level)
    order = _interleaving(blocks)
    used = len(order) * 8  # the rest are remainder bits, outside every codeword
    bits = (dark ^ flip)[rows[:used], cols[:used]].reshape(-1, 8)
    codewords = np.packbits(bits, axis=1).ravel()
    erased = unreadable[rows[:used], cols[:used]].reshape(-1, 8).any(axis=1)
    contents = [bytearray(data + ec) for data, ec in blocks]
    erasures: list[list[int]] = [[] for _ in blocks]
    for position, (block, index) in enumerate(order):
        contents[block][index] = int(codewords[position])
        if erased[position]:
            erasures[block].append(index)
    for block, (_, ec) in enumerate(blocks):
        if len(erasures[block]) > ec:
            return None
        try:
            _, whole, _ = _codec(ec).decode(contents[block], erase_pos=erasures[block])
        except ReedSolomonError:
            return None
        contents[block] = bytearray(whole)
    fixed = np.array([contents[block][index] for block, index in order], dtype=np.uint8)
    out = dark.copy()
    where = rows[:used], cols[:used]
    out[where] = np.unpackbits(fixed).astype(bool) ^ flip[where]
    return out
