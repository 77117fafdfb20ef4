"""Each benchmark script owns one section of docs/benchmarks.md and rewrites it when it runs.

A section lies between `<!-- begin NAME -->` and `<!-- end NAME -->` (NAME: the script's file name); the
text around it is left as it is. The first line of every section says the command that made it, the
machine and the date (`provenance`)."""

from __future__ import annotations

import os
import platform
import time
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "benchmarks" / "results"


def provenance(command: str, packages: tuple[str, ...] = ("topics",)) -> str:
    """"`command` (machine, cores, Python, package versions, date)": the line above every table."""
    versions = []
    for package in packages:
        try:
            module = __import__(package)
            versions.append(f"{package} {getattr(module, '__version__', '?')}")
        except Exception:  # noqa: BLE001 - a missing optional package is said, not fatal
            versions.append(f"{package} not installed")
    load = f"load average {os.getloadavg()[1]:.1f} over the last 5 minutes of the run; " if hasattr(
        os, "getloadavg") else ""
    return (f"`{command}` ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"{', '.join(versions)}; {load}{time.strftime('%Y-%m-%d')})")


def package_version(package: str) -> str | None:
    """The installed version of `package` (its distribution name), or None."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def run_record(command: str, packages: tuple[str, ...]) -> dict:
    """The head of a benchmark's raw results: its command, date, machine and the versions of `packages`."""
    return {"command": command, "date": date.today().isoformat(),
            "machine": f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "versions": {package: package_version(package) for package in packages}}


def write_section(name: str, text: str, doc: Path = DOC) -> None:
    """Replace section `name` of docs/benchmarks.md with `text` (appended at the end if it is not there)."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{text.strip()}\n{end}"
    old = doc.read_text(encoding="utf-8") if doc.is_file() else "# Benchmarks\n"
    if begin in old and end in old:
        before, rest = old.split(begin, 1)
        after = rest.split(end, 1)[1]
        new = before + block + after
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(new, encoding="utf-8")
