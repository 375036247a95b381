"""The benchmarks still run (issues 11, 25): the quick mode of every scenario, with one worker and
with N, no timing asserted."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_benchmark_runs_every_scenario_and_writes_results(tmp_path):
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert set(results["scenarios"]) == {"fanout", "city", "posting", "pages", "memory", "storm", "startup"}
    for name, scenario in results["scenarios"].items():
        assert "error" not in scenario, name
        assert scenario["rows"], f"{name} reported no figures"
        for row in scenario["rows"]:
            assert {"measure", "value", "workers", "unit", "baseline", "ratio", "target", "met"} <= set(row)
    for name in ("city", "posting", "pages", "memory", "storm"):  # the N-worker column, beside one worker
        assert all(row["workers"] is not None for row in results["scenarios"][name]["rows"][:1]), name
    assert "| scenario |" in run.stdout  # the final table
