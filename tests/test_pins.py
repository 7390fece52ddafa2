"""The exact pins live in pyproject.toml; environment.yml must repeat them exactly."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$")


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    pins = {}
    for req in reqs:
        match = PIN.match(req.strip())
        assert match, f"pyproject.toml: {req!r} is not an exact pin (name==version)"
        pins[match.group(1).lower()] = match.group(2)
    return pins


def _environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        line = line.strip()
        if line.startswith("- ") and "==" in line:
            match = PIN.match(line[2:].strip())
            assert match, f"environment.yml: {line!r} is not an exact pin"
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_requirement_is_an_exact_pin():
    assert _pyproject_pins()


def test_environment_yml_matches_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_environment_python_matches_requires_python():
    text = (ROOT / "environment.yml").read_text()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert "python=3.11" in text and ">=3.11,<3.12" == requires


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in _pyproject_pins().items():
        installed = version(name)
        assert installed.split("+")[0] == pinned, f"{name}: installed {installed}, pinned {pinned}"
