"""Summarize a `py-spy record --format raw` profile (collapsed stacks, one `frames count` a line):
the share of samples that were busy (not idle in the event loop's select), the functions with
the most samples of their own, and the paicha/library functions with the most samples under
them. `benchmarks/whole_chain.py --profile DIR` writes one such file per service.

    python benchmarks/profile_summary.py .bench/prof/tasking.txt [--top 15]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

IDLE = ("select (selectors.py", "_worker (concurrent/futures/thread.py", "wait (threading.py")


def parse(text: str) -> list[tuple[list[str], int]]:
    stacks = []
    for line in text.splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def summarize(stacks: list[tuple[list[str], int]], top: int = 15,
              focus: tuple[str, ...] = ("services/", "paicha_runtime/", "contracts/")
              ) -> dict[str, object]:
    total = sum(n for _, n in stacks)
    busy = [(frames, n) for frames, n in stacks if not any(i in frames[-1] for i in IDLE)]
    busy_total = sum(n for _, n in busy)
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in busy:
        own[frames[-1]] += n
        for frame in set(frames):
            if any(f in frame for f in focus):
                inclusive[frame] += n
    return {"samples": total, "busy_share": busy_total / total if total else 0.0,
            "own": own.most_common(top), "inclusive": inclusive.most_common(top),
            "busy": busy_total}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("profiles", nargs="+")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for path in args.profiles:
        s = summarize(parse(Path(path).read_text()), args.top)
        busy = int(s["busy"])  # type: ignore[call-overload]
        print(f"\n== {path}: {s['samples']} samples, busy {s['busy_share']:.0%}")
        print("  own (share of busy samples):")
        for frame, n in s["own"]:  # type: ignore[attr-defined]
            print(f"    {n / busy:6.1%}  {frame}")
        print("  inclusive, paicha code:")
        for frame, n in s["inclusive"]:  # type: ignore[attr-defined]
            print(f"    {n / busy:6.1%}  {frame}")


if __name__ == "__main__":
    main()
