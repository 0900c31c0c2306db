"""The benchmark harness end to end on a tiny data set: every scenario
answers the same rows, and some, from Socle, the raw baseline and PostGraphile
(where its Node.js is installed), the imports import every row, and the report
and its JSON name every scenario. Nothing here is about speed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.bench import postgraphile
from infra.bench.scenarios import SCENARIOS

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="make bench installs wrk")


def test_every_scenario_returns_the_same_rows_everywhere(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SOCLE_")}
    completed = subprocess.run(
        [sys.executable, "-m", "infra.bench", "--smoke", "--root", str(tmp_path / "bench"), "--out", str(out)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]

    results = json.loads(out.with_suffix(".json").read_text())
    assert [s["name"] for s in results["scenarios"]] == [s.name for s in SCENARIOS]
    targets = {"socle", "baseline"} | ({"postgraphile"} if postgraphile.node_binary() else set())
    for scenario, defined in zip(results["scenarios"], SCENARIOS, strict=True):
        if not defined.available:
            assert scenario["available"] is False
            continue
        counts = scenario["rows"]
        # The harness raises when the rows differ: here, they are some, and every target gave them.
        expected = targets if defined.graphile else targets - {"postgraphile"}
        assert set(counts) == expected, scenario["name"]
        assert len(set(counts.values())) == 1, (scenario["name"], counts)
        assert min(counts.values()) > 0, (scenario["name"], counts)
        assert set(scenario["load"]["2"]) == expected, scenario["name"]
        assert scenario["statements"]["statements"] > 0, scenario["name"]
    runs = results["imports"]["runs"]
    assert [(r["rows"], r["imported"], r["existing"], r["failed"]) for r in runs] == [
        (100, 100, 0, 0),
        (200, 200, 0, 0),
    ]
    steps = [(run["step"], run["lines"] > 0) for run in results["declarations"]["runs"]]
    assert steps == [("declaration", True), ("correction", True), ("replay", True)]
    report = out.read_text()
    for scenario in SCENARIOS:
        assert f"| {scenario.name} |" in report
    assert "## Bulk import" in report
    assert "## Employers' declarations" in report
