"""The results as JSON and Markdown: the machine, the versions, the data
set, one line per scenario, target and concurrency, and each target of
issue 10 with its figure and whether it is met."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSON = dict[str, Any]


_PROJECT = Path(__file__).resolve().parents[2]


FINDINGS = Path(__file__).with_name("findings.md")
"""What was tried to close the gaps, what it gave and what remains: written
by hand, appended to every report so the figures and their reading travel
together."""


def _output(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return "absent"
    completed = subprocess.run(list(command), capture_output=True, text=True, check=False, cwd=_PROJECT)  # noqa: S603
    text = (completed.stdout or completed.stderr).strip()
    return text.splitlines()[0] if text and completed.returncode in (0, 1) else "unknown"


def machine() -> JSON:
    """Cores and memory of this machine."""
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {"cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1), "system": platform.platform()}


def versions(postgres: str, postgraphile: str | None) -> JSON:
    """The versions measured: Python, PostgreSQL, Socle's commit, PostGraphile, wrk."""
    return {
        "python": platform.python_version(),
        "postgresql": postgres,
        "socle_commit": _output("git", "rev-parse", "--short", "HEAD"),
        "postgraphile": postgraphile or "not run",
        "wrk": " ".join(_output("wrk", "--version").split()[:2]),
    }


@dataclass(frozen=True)
class Goal:
    """One target of the issue, checked against one figure."""

    scenario: str
    goal: str
    value: float | None
    limit: float
    at_most: bool = True
    """The figure must be at most the limit (else above it)."""

    def met(self) -> bool | None:
        """Whether the figure meets the goal; None when it was not measured."""
        if self.value is None:
            return None
        return self.value <= self.limit if self.at_most else self.value > self.limit

    def as_json(self) -> JSON:
        """The goal with its verdict."""
        value = None if self.value is None else round(self.value, 3)
        sign = "≤" if self.at_most else ">"
        return {"scenario": self.scenario, "goal": self.goal, "value": value, "limit": f"{sign} {self.limit:g}",
                "met": self.met()}  # fmt: skip


def _figure(scenario: JSON, concurrency: str, target: str, key: str) -> float | None:
    found = scenario.get("load", {}).get(concurrency, {}).get(target)
    # A run where no request completed has no figures, whatever wrk prints.
    return None if found is None or found["requests"] == 0 else float(found[key])


def _ratio(scenario: JSON, concurrency: str, key: str, over: str = "baseline") -> float | None:
    socle, other = _figure(scenario, concurrency, "socle", key), _figure(scenario, concurrency, over, key)
    return None if socle is None or not other else socle / other


def goals(results: JSON) -> list[Goal]:
    """The issue's targets, each with the figure of this run (every concurrency)."""
    found: list[Goal] = []
    by_name = {s["name"]: s for s in results["scenarios"]}
    for concurrency in [str(c) for c in results["settings"]["concurrency"]]:
        at = f" at {concurrency}"
        page = by_name.get("members_page", {})
        found.append(Goal("members_page", f"p50 / baseline's{at}", _ratio(page, concurrency, "p50_ms"), 2.0))
        rps = _ratio(page, concurrency, "requests_per_second", over="postgraphile")
        found.append(Goal("members_page", f"requests/s / PostGraphile's{at}", rps, 1.0, at_most=False))
        for name in ("member_by_number", "household_eligibility"):
            found.append(Goal(name, f"p99 / baseline's{at}", _ratio(by_name.get(name, {}), concurrency, "p99_ms"), 2.0))
        search = _figure(by_name.get("member_search", {}), concurrency, "socle", "p95_ms")
        found.append(Goal("member_search", f"p95 (ms){at}", search, 50.0))
    trips = by_name.get("members_page", {}).get("statements")
    found.append(Goal("members_page", "SQL round trips per request", trips["round_trips"] if trips else None, 3.0))
    for scenario in results["scenarios"]:
        rls = scenario.get("rls")
        found.append(Goal(scenario["name"], "RLS / owner (EXPLAIN ANALYZE)", rls["ratio"] if rls else None, 1.2))
    imports = results.get("imports") or {}
    found.append(Goal("import", "rows/s / COPY's", imports.get("ratio_to_copy"), 0.3, at_most=False))
    found.append(Goal("import", "peak RSS at the largest / at the smallest", imports.get("rss_ratio"), 1.2))
    counts = by_name.get("ministry_member_counts", {})
    tenant = by_name.get("tenant_member_counts", {})
    first = str(results["settings"]["concurrency"][0])
    ministry_p50 = _figure(counts, first, "socle", "p50_ms")
    tenant_p50 = _figure(tenant, first, "socle", "p50_ms")
    cross = ministry_p50 / tenant_p50 if ministry_p50 is not None and tenant_p50 else None
    found.append(Goal("ministry_member_counts", f"p50 / one tenant's at {first}", cross, 2.0))
    return found


def _cell(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "not met")


def markdown(results: JSON, json_name: str = "benchmarks.json") -> str:
    """The report's Markdown, whose figures are also in ``json_name``."""
    m, v, d, s = results["machine"], results["versions"], results["dataset"], results["settings"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`uv run python -m infra.bench`); the same figures are in `{json_name}`.",
        "",
        f"- Machine: {m['cores']} cores, {m['memory_gib']} GiB ({m['system']})",
        f"- Versions: Python {v['python']}, PostgreSQL {v['postgresql']}, Socle {v['socle_commit']},"
        f" PostGraphile {v['postgraphile']}, {v['wrk']}",
        f"- Data set: {d['members']:,} members, seed {d['seed']}",
        f"- Runs: {s['duration']} s each{' after a warm-up' if s['warm_up'] else ''}, {s['rounds']} round(s)"
        " interleaving the targets,"
        f" median kept; concurrency {', '.join(str(c) for c in s['concurrency'])}; server {s['server']},"
        f" {s['workers']} worker(s)",
        "",
        "## Scenarios",
        "",
        "| Scenario | Target | Clients | Requests/s | p50 ms | p95 ms | p99 ms | p50 / baseline | Non-2xx | Errors"
        " | Note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for scenario in results["scenarios"]:
        if not scenario["available"]:
            lines.append(f"| {scenario['name']} | (not in Socle's API yet) | | | | | | | | | |")
            continue
        for concurrency, by_target in scenario["load"].items():
            for target, f in by_target.items():
                ratio = _ratio(scenario, concurrency, "p50_ms", over="baseline") if target == "socle" else None
                note = scenario["note"] if target == "postgraphile" else ""
                if f["requests"] == 0:
                    note = f"no request completed in {results['settings']['duration']} s {note}".strip()
                lines.append(
                    f"| {scenario['name']} | {target} | {concurrency} | {f['requests_per_second']:.0f}"
                    f" | {f['p50_ms']:.2f} | {f['p95_ms']:.2f} | {f['p99_ms']:.2f} | {_cell(ratio, 2)}"
                    f" | {f['non_2xx']} | {f['socket_errors']} | {note} |"
                )
    lines += [
        "",
        "## SQL per request and row-level security",
        "",
        "Statements are `pg_stat_statements` calls of the application role while Socle alone answers the"
        " scenario (BEGIN and COMMIT included; Socle's BEGIN with its settings is two statements in one"
        " round trip, see `infra/bench/statements.py`)."
        " RLS is the sum of the scenario's statements' execution times under EXPLAIN ANALYZE as the"
        " application role in a tenant transaction, against the owner without RLS, median of 5.",
        "",
        "| Scenario | Description | Rows | Statements | Round trips | RLS ms | Owner ms | RLS / owner |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario in results["scenarios"]:
        count, rls = scenario.get("statements"), scenario.get("rls")
        rows = scenario.get("rows", {}).get("socle")
        lines.append(
            f"| {scenario['name']} | {scenario['description']} | {'–' if rows is None else rows}"
            f" | {_cell(count and count['statements'])} | {_cell(count and count['round_trips'])}"
            f" | {_cell(rls and rls['with_rls_ms'], 3)} | {_cell(rls and rls['without_rls_ms'], 3)}"
            f" | {_cell(rls and rls['ratio'], 2)} |"
        )
    lines += _imports(results.get("imports"))
    lines += _declarations(results.get("declarations"))
    lines += ["", "## Targets of issue 10", "", "| Scenario | Target | Figure | Limit | Verdict |"]
    lines.append("| --- | --- | ---: | ---: | --- |")
    for goal in results["goals"]:
        lines.append(
            f"| {goal['scenario']} | {goal['goal']} | {_cell(goal['value'], 2)} | {goal['limit']}"
            f" | {_verdict(goal['met'])} |"
        )
    lines += ["", FINDINGS.read_text().rstrip()]
    return "\n".join(lines) + "\n"


def _imports(imports: JSON | None) -> list[str]:
    if not imports:
        return []
    lines = [
        "",
        "## Bulk import",
        "",
        f"A manager of `{imports['tenant']}` imports a generated file through Socle's API (start, upload, submit,"
        " then the job polled until done), worked through by a `socle worker` of its own on Redis, in a fresh"
        " database; beside it, PostgreSQL's COPY of the same file into a bare table of text columns. CPU is"
        " the seconds each process used during the import.",
        "",
        "| Rows | Seconds | Rows/s | COPY rows/s | / COPY | Worker peak RSS MiB | Worker CPU s | Web CPU s"
        " | Imported | Existing | Failed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in imports["runs"]:
        lines.append(
            f"| {run['rows']:,} | {run['seconds']:.1f} | {run['rows_per_second']:.0f}"
            f" | {run['copy_rows_per_second']:.0f} | {run['rows_per_second'] / run['copy_rows_per_second']:.3f}"
            f" | {run['worker_peak_rss_mib']:.1f} | {run['worker_cpu_seconds']:.1f} | {run['web_cpu_seconds']:.1f}"
            f" | {run['imported']} | {run['existing']} | {run['failed']} |"
        )
    return lines


def _declarations(declared: JSON | None) -> list[str]:
    if not declared:
        return []
    lines = [
        "",
        "## Employers' declarations",
        "",
        f"A manager of `{declared['tenant']}` files the {declared['period']} declaration of its largest employer's"
        " employees through Socle's API (each employee matched by staff number, both shares computed under the"
        " rule in force, the employer called and settled from its credit), then its correction with every salary"
        " raised by 2 % (the replaced call's money released and moved), then the correction again with its key"
        " (a client's retry, answered with the first filing). Seconds from request to answer.",
        "",
        "| Step | Version | Lines | Amount | Seconds | Lines/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in declared["runs"]:
        lines.append(
            f"| {run['step']} | {run['version']} | {run['lines']:,} | {run['amount']:,} | {run['seconds']:.2f}"
            f" | {run['lines_per_second']:.0f} |"
        )
    return lines


def write(results: JSON, markdown_path: Path) -> Path:
    """Write the Markdown report and, beside it, the JSON; the JSON's path."""
    results = {**results, "goals": [goal.as_json() for goal in goals(results)]}
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    json_path = markdown_path.with_suffix(".json")
    markdown_path.write_text(markdown(results, json_path.name))
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return json_path
