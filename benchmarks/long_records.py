"""Peak memory and time of `topics report` against the length of the corpus's longest record.

    python benchmarks/long_records.py        # rewrites docs/benchmarks.md "Long records"

The bundled sample papers (58) plus one record whose abstract is N characters of the sample's own words
drawn at random (fixed seed), for N from none to 100 MB; each run is a fresh `topics report` process,
its peak memory the high-water mark of that process's resident set (VmHWM, imports included). Since every
record is read up to `topics.defaults.MAX_RECORD_CHARACTERS` for features, label phrases and embeddings,
memory and time should follow the corpus, not the longest record. Raw results:
benchmarks/results/long_records.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "long_records.json"
LENGTHS = [0, 100_000, 1_000_000, 5_800_000, 20_000_000, 100_000_000]


def corpus_with_a_long_record(length: int, folder: Path) -> Path:
    """The sample papers as a CSV, plus (length > 0) one record with an abstract of `length` characters."""
    import topics

    sample = topics.datasets.load_sample_papers()[["id", "title", "abstract"]]
    if length:
        words = np.array(" ".join(sample["abstract"]).split())
        drawn = np.random.default_rng(0).choice(words, length // 6 + 1)
        abstract = " ".join(drawn)[:length]
        sample = pd.concat([sample, pd.DataFrame([{"id": "long", "title": "One very long record",
                                                   "abstract": abstract}])], ignore_index=True)
    path = folder / f"papers-{length}.csv"
    sample.to_csv(path, index=False)
    return path


def run_report(path: Path, out: Path) -> dict:
    """One `topics report` in a fresh process: seconds and peak resident memory (MB)."""
    # the peak of this process's own memory (VmHWM): ru_maxrss would also count this benchmark's memory,
    # which a forked child carries over on Linux until it execs
    code = (
        "import re, sys; from topics.cli import main; status = main(sys.argv[1:]); "
        "status_file = open('/proc/self/status').read(); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', status_file).group(1), file=sys.stderr); sys.exit(status)"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "report", str(path), "--out", str(out), "-q"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"topics report failed on {path.name}:\n{done.stderr}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return {"seconds": round(seconds, 1), "peak_mb": round(peak_kb / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=LENGTHS, help="record lengths (characters)")
    args = parser.parse_args(argv)
    from topics import defaults

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for length in args.lengths:
            path = corpus_with_a_long_record(length, Path(folder))
            row = {"longest_record_characters": length, "file_mb": round(path.stat().st_size / 1e6, 1),
                   **run_report(path, Path(folder) / f"report-{length}")}
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    record = {
        "date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(), "max_record_characters": defaults.MAX_RECORD_CHARACTERS,
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    from _doc import provenance, write_section

    command = " ".join(["python benchmarks/long_records.py", *(argv if argv is not None else sys.argv[1:])])
    lines = [
        "## Long records",
        "",
        provenance(command) + "; raw results in `benchmarks/results/long_records.json`.",
        "",
        "The bundled sample papers (58) plus one record whose abstract is N characters of the sample's own "
        "words; each row a fresh `topics report` process, peak memory its maximum resident set (imports "
        f"included). Every record is read up to {defaults.MAX_RECORD_CHARACTERS:,} characters for features, "
        "label phrases and embeddings (`topics.defaults.MAX_RECORD_CHARACTERS`), counted in the notes, and "
        "kept whole in the model.",
        "",
        "| longest record (characters) | CSV (MB) | topics report (s) | peak memory (MB) |",
        "|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row['longest_record_characters']:,} | {row['file_mb']} | {row['seconds']} | "
                     f"{row['peak_mb']:,} |")
    write_section("long_records.py", "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
