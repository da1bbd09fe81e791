#!/usr/bin/env python3
"""The oracle for AOS's .bint (devices/lua/aos/bint.lua): Python's integers
reduced by lua-bint's rules -- BITS-bit two's complement, every result
wrapped modulo 2^BITS, `//` and `%` floor division and modulo as Python's.

Prints one case per line, "op a b want", operands and results as signed
decimal (or true/false for comparisons):
    bint_model.py SEED COUNT [BITS]
"""
import random
import sys

seed, count = int(sys.argv[1]), int(sys.argv[2])
bits = int(sys.argv[3]) if len(sys.argv) > 3 else 256
half, full = 1 << (bits - 1), 1 << bits


def wrap(x):
    return (x + half) % full - half


rng = random.Random(seed)
edges = [0, 1, -1, 2, -2, 10, -10, half - 1, -half, half - 2, -half + 1,
         (1 << 63) - 1, -(1 << 63), 1 << 64, -(1 << 64), 12345678901234567890]


def operand():  # a value of the width (what bint('<decimal>') holds)
    r = rng.random()
    if r < 0.2:
        return wrap(rng.choice(edges))
    if r < 0.4:
        return wrap(rng.randint(-(1 << 64), 1 << 64))
    return rng.randint(-half, half - 1)


def case(op, a, b, want):
    print(op, a, b, want)


for _ in range(count):
    a, b = operand(), operand()
    case("add", a, b, wrap(a + b))
    case("sub", a, b, wrap(a - b))
    case("mul", a, b, wrap(a * b))
    if b != 0:
        case("idiv", a, b, wrap(a // b))
        case("mod", a, b, wrap(a % b))
    e = rng.randint(0, 300)
    case("pow", a, e, wrap(pow(a % full, e, full)))
    case("lt", a, b, "true" if a < b else "false")
    case("le", a, b, "true" if a <= b else "false")
    case("eq", a, b, "true" if a == b else "false")
    big = a + rng.choice([0, 1, -1, 5]) * full  # a decimal beyond the width wraps
    case("wrap", big, 0, wrap(big))
