"""Random and mutated scanner inputs, shared by the fuzz test and the bench.

Mutations work on the decoded bytes as well as on the text, so most of them
pass the Base45 layer and reach the claims parser and Ed25519: the parts worth
attacking.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import base45

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _b45(raw: bytes) -> str:
    text: str = base45.b45encode(raw).decode("ascii")
    return text


def mutate(rng: random.Random, genuine: Sequence[str]) -> str:
    text = rng.choice(genuine)
    raw = base45.b45decode(text)
    choice = rng.randrange(14)
    if choice == 0:  # one flipped bit anywhere
        data = bytearray(raw)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return _b45(bytes(data))
    if choice == 1:  # a few random bytes overwritten
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return _b45(bytes(data))
    if choice == 2:  # truncated bytes
        return _b45(raw[: rng.randrange(len(raw))])
    if choice == 3:  # trailing bytes
        return _b45(raw + rng.randbytes(rng.randint(1, 8)))
    if choice == 4:  # bytes inserted inside
        at = rng.randrange(len(raw))
        return _b45(raw[:at] + rng.randbytes(rng.randint(1, 4)) + raw[at:])
    if choice == 5:  # spliced from two genuine tickets
        other = base45.b45decode(rng.choice(genuine))
        cut = rng.randrange(1, len(raw))
        return _b45(raw[:cut] + other[cut:])
    if choice == 6:  # claims of one ticket, signature of another
        other = base45.b45decode(rng.choice(genuine))
        return _b45(raw[:-64] + other[-64:])
    if choice == 7:  # one character substituted
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(ALPHABET) + text[at + 1 :]
    if choice == 8:  # characters deleted or duplicated
        at = rng.randrange(len(text))
        return (
            text[:at] + text[at + rng.randint(0, 3) :] if rng.random() < 0.5 else text + text[at:]
        )
    if choice == 9:  # random text in the alphabet
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 200)))
    if choice == 10:  # random unicode, control characters included
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 60))).replace(
            "\ud800", ""
        )
    if choice == 11:  # random bytes read as latin-1 (a misconfigured wedge)
        return rng.randbytes(rng.randint(0, 300)).decode("latin-1")
    if choice == 12:  # the version byte or key id changed
        data = bytearray(raw)
        data[rng.randrange(5)] = rng.randrange(256)
        return _b45(bytes(data))
    return text.lower() if rng.random() < 0.5 else " " + text  # case and padding


def fuzz_inputs(rng: random.Random, genuine: Sequence[str], count: int) -> Iterator[str]:
    for index in range(count):
        if index % 50 == 0:
            yield rng.choice(genuine)  # genuine codes keep the admit path exercised
        else:
            yield mutate(rng, genuine)
