"""``python -m infra.bench``: the benchmark of issue 10 (``make bench``)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from infra.bench.dataset import Dataset, generate
from infra.bench.run import Options, run


def _integers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _generate(owner_url: str, members: int, seed: int) -> Dataset:
    return asyncio.run(generate(owner_url, members=members, seed=seed))


def options(arguments: list[str] | None = None) -> Options:
    """The run's options from the command line."""
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__)
    parser.add_argument("--members", type=int, default=100_000, help="members in the data set (up to 1,000,000)")
    parser.add_argument("--seed", type=int, default=2026, help="the data set's seed")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds interleaving the targets")
    parser.add_argument("--concurrency", type=_integers, default=(8, 32), help="clients, comma-separated")
    parser.add_argument("--import-rows", type=_integers, default=(10_000, 100_000), help="rows of the import runs")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"), help="the Markdown report")
    parser.add_argument("--root", type=Path, default=Path("var/bench"), help="the bench's database and logs")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the harness")
    found = parser.parse_args(arguments)
    if found.smoke:
        return Options(
            members=300, seed=found.seed, duration=1.0, rounds=1, concurrency=(2,), import_rows=(100, 200),
            out=found.out, root=found.root, counted_requests=3, warm_up=False,
        )  # fmt: skip
    return Options(
        members=found.members,
        seed=found.seed,
        duration=found.duration,
        rounds=found.rounds,
        concurrency=found.concurrency,
        import_rows=found.import_rows,
        out=found.out,
        root=found.root,
    )


def main() -> None:
    """Run the benchmark and say where the report is."""
    chosen = options()
    json_path = run(chosen, _generate)
    print(f"bench: {chosen.out} and {json_path} written")


if __name__ == "__main__":
    main()
