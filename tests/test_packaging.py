"""A wheel (not only the editable checkout) carries the schemas the runtime reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_packages_every_schema(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("wirespec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"wirespec/schemas/{p.relative_to(ROOT / 'schemas')}"
                for p in (ROOT / "schemas").rglob("*.json")}
    assert expected <= names
    assert "wirespec/_cli.py" in names and "wirespec/validators/_engine.py" in names
