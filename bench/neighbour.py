"""A noisy neighbour: copies a large buffer over and over, on one core, until killed.

On a shared host, other virtual machines on the same processor take the L3 cache and the
memory bandwidth, and nothing inside this machine shows it (no steal time, no busy process).
This process does the same from inside, so a bot can be measured in that state on demand
(``telegram_load --neighbour``): each copy streams the whole buffer through the caches, far
more than the L3, and evicts what the bot had there.

    python -m bench.neighbour [--mib 256]
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=256, help="size of each of the two buffers")
    args = parser.parse_args()
    source = bytearray(b"\x5a" * (args.mib << 20))
    target = bytearray(len(source))
    while True:
        target[:] = source  # one memmove of the whole buffer


if __name__ == "__main__":
    main()
