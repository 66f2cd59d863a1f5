"""The backcast's calibration script runs end to end (its mechanics, not its figures)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "calibration.py"


def test_calibration_prints_the_errors_of_every_series(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    series = {row["series"]: row for row in result["errors"]}
    assert set(series) == {"us_pipeline_exports", "south_texas", "west_texas", "arizona",
                           "california", "lng_imports"}
    total = series["us_pipeline_exports"]
    assert math.isfinite(total["mape"]) and math.isfinite(total["bias"])
    assert total["observed_bcf"] > 0 and total["model_bcf"] > 0
    assert len(result["monthly"]["model"]) == len(result["monthly"]["observed"]) == 12
    # The total is the sum of the corridors, month by month.
    for month, values in result["monthly"]["model"].items():
        corridors = sum(values[c] for c in ("south_texas", "west_texas", "arizona", "california"))
        assert abs(values["us_pipeline_exports"] - corridors) < 0.2, month


def test_calibration_table_is_readable(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "MAPE" in done.stdout and "us_pipeline_exports" in done.stdout
