"""Every code snippet in README.md and docs/ runs as written: Python blocks are executed, and every radsim
command line is parsed as the command line would parse it, with every scenario it names loaded and validated."""
import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT
from sim.cli import check_command

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _blocks(language: str):
    for path in DOCS:
        for i, block in enumerate(re.findall(rf"```{language}\n(.*?)```", path.read_text(), re.S)):
            yield pytest.param(block, id=f"{path.name}-{i}")


def _commands():
    for path in DOCS:
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                if words[:2] == [".venv/bin/python", "run_sim.py"]:
                    words = words[2:]
                elif words[:1] == ["radsim"]:
                    words = words[1:]
                else:
                    continue
                if ">" in words:
                    words = words[: words.index(">")]
                yield pytest.param(words, id=f"{path.name}: {' '.join(words)[:60]}")


@pytest.mark.parametrize("code", list(_blocks("python")))
def test_python_snippets_run_as_written(code, tmp_path):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # results they write land in tmp_path
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize("words", list(_commands()))
def test_command_lines_in_the_docs_parse_and_name_valid_scenarios(words, monkeypatch):
    monkeypatch.chdir(ROOT)
    if words[-1:] == ["my_department.yaml"] or "my.yaml" in words:
        pytest.skip("stands for the reader's own file")
    if any(w.startswith("results/") and w.endswith(".yaml") for w in words):
        pytest.skip("names a file an earlier command of the guide writes")
    assert check_command(words) is not None
