"""Trees are replaced as a whole: kill -9 at any point of the write leaves schemas/ or
generated/ byte-identical to the old tree or to the new one, never a mix, and the next run
removes what the killed one left.

A real tree is copied once (a spread of 120 of its files; `make hostile`: all of them); trials
then go old -> new and new -> old in turn. Each starts a writer process (``sync_tree`` with
every file write and copy slowed down, and a pause before the old tree is deleted; with the
fallback, before each rename too, so that kills land between them) and kills it after a
random delay spread over the whole write. ``make test`` runs 12 trials per tree with the
exchange and 6 with the fallback; ``make hostile``
(WIRESPEC_DEEP=1) runs 200 and 60.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from hostile import scaled

from wirespec.codegen._files import recover, stale_files, sync_tree

WRITER = """
import errno, importlib.util, json, shutil, sys, time
from pathlib import Path

# codegen/_files.py alone (it imports only the standard library): a quick start per trial
files_path, root, wanted_file, pattern, delay, mode = sys.argv[1:7]
spec = importlib.util.spec_from_file_location("wirespec_files", files_path)
_files = importlib.util.module_from_spec(spec)
spec.loader.exec_module(_files)

def slowly(function, pause):
    def slow(*args, **kwargs):
        time.sleep(pause)
        return function(*args, **kwargs)
    return slow

_files._write_text = slowly(_files._write_text, float(delay))
_files._carry = slowly(_files._carry, float(delay))
_files.shutil.rmtree = slowly(shutil.rmtree, 20 * float(delay))  # after the swap: a window
if mode == "fallback":
    def no_exchange(first, second):
        raise OSError(errno.ENOSYS, "no exchange here")
    _files.exchange = no_exchange
    _files.os.rename = slowly(_files.os.rename, 100 * float(delay))  # kills between renames
wanted = json.loads(Path(wanted_file).read_text())
print("writing", flush=True)
_files.sync_tree(Path(root), wanted, pattern)
"""
PER_FILE_DELAY = 0.0005


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.parent.iterdir() if p.name != root.name)


# the kill trials take this many of a real tree's files, spread over it (`make hostile`: all)
BOUNDED_FILES = 120


def tree_case(name: str, tmp_path: Path) -> tuple[Path, str, dict[str, str], float]:
    """A real tree (a spread of its files, every one under `make hostile`, copied under
    ``tmp_path``), its pattern, a new content (half the files changed, some removed, some
    added, one in a new folder; files outside the pattern must survive), and the delay per
    file that makes the write last as long as the whole tree's."""
    pattern = "*.json" if name == "schemas" else "*.py"
    real = ROOT / name
    every = sorted(str(p.relative_to(real)) for p in real.rglob(pattern))
    files = every[::max(1, len(every) // scaled(BOUNDED_FILES, len(every)))]
    source = tmp_path / f"real-{name}"
    for rel in files:
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real / rel, source / rel)
    wanted = {rel: (source / rel).read_text(encoding="utf-8") for rel in files}
    for index, rel in enumerate(files):
        if index % 2:
            wanted[rel] += "\n" if pattern == "*.py" else " "
        if index % 7 == 3:
            del wanted[rel]
    wanted["added/new" + pattern[1:]] = "1\n"
    wanted["another" + pattern[1:]] = "2\n"
    return source, pattern, wanted, PER_FILE_DELAY * len(every) / len(files)


def fresh_tree(source: Path, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    for leftover in root.parent.glob(f".{root.name}.*"):
        shutil.rmtree(leftover)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "py.typed").write_text("")  # not matched by the pattern: carried over
    (root / "__pycache__").mkdir(exist_ok=True)
    (root / "__pycache__" / "stale.cpython-311.pyc").write_bytes(b"\0")


def start_writer(root: Path, wanted_file: Path, pattern: str, mode: str, delay: float
                 ) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ROOT / "codegen" / "_files.py"), str(root),
         str(wanted_file), pattern, str(delay), mode], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"  # imports done: the write starts now
    return process


def trial(process: subprocess.Popen[str], delay: float) -> None:
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.stdout is not None
    process.stdout.close()


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
@pytest.mark.parametrize("name", ["schemas", "generated"])
def test_kill_at_any_point_leaves_old_or_new_and_the_next_run_repairs(tmp_path, name, mode):
    source, pattern, new_files, delay = tree_case(name, tmp_path)
    root = tmp_path / "project" / name
    fresh_tree(source, root)
    first = snapshot(root)
    assert first is not None
    old_files = {rel: data.decode() for rel, data in first.items() if rel.endswith(pattern[1:])}
    others = {rel: data for rel, data in first.items() if not rel.endswith(pattern[1:])}
    # trials go old -> new, then new -> old, and so on: no fresh copy each time
    new = others | {rel: text.encode() for rel, text in new_files.items()}
    trees = [(old_files, first), (new_files, new)]
    wanted_files = []
    for index, (wanted, _) in enumerate(trees):
        wanted_files.append(tmp_path / f"wanted{index}.json")
        wanted_files[-1].write_text(json.dumps(wanted))

    started = time.monotonic()  # one unkilled run: how long the whole write takes
    writer = start_writer(root, wanted_files[1], pattern, mode, delay)
    assert writer.wait(timeout=120) == 0
    duration = time.monotonic() - started
    assert snapshot(root) == trees[1][1] and leftovers(root) == []
    assert writer.stdout is not None
    writer.stdout.close()

    rng = random.Random(f"{name}/{mode}")
    trials = scaled(12, 200) if mode == "exchange" else scaled(6, 60)
    outcomes: Counter[str] = Counter()
    points = set()
    for number in range(trials):
        (_, before), (wanted, after) = trees[(number + 1) % 2], trees[number % 2]
        trial(start_writer(root, wanted_files[number % 2], pattern, mode, delay),
              rng.uniform(0, duration * 1.1))
        found = snapshot(root)
        left = leftovers(root)
        point = (found == after, tuple(n.rsplit("-", 1)[0] for n in left),
                 sum(len(snapshot(root.parent / n) or ()) for n in left))
        points.add(point)
        if found is None:  # the fallback, killed between its two renames
            assert mode == "fallback"
            assert snapshot(root.parent / f".{name}.wirespec-old") == before
            recover(root)
            found = snapshot(root)
            outcomes["missing until the next run put the old tree back"] += 1
        assert found in (before, after), f"a mix of old and new after a kill at {point}"
        outcomes["new" if found == after else "old"] += 1
        expected = stale_files(root, wanted, pattern)
        assert (expected == []) == (found == after)
        assert sync_tree(root, wanted, pattern) == expected
        assert snapshot(root) == after and leftovers(root) == []
    print(f"\n{name} ({mode}): {trials} kills at {len(points)} distinct points "
          f"(state, leftovers, files in them); whole write {duration:.2f} s; "
          f"after the kill: {dict(outcomes)}; every one old or new, repaired by the next run")


def test_nothing_changed_nothing_touched(tmp_path):
    root = tmp_path / "generated"
    fresh_tree(ROOT / "generated", root)
    wanted = {str(p.relative_to(root)): p.read_text() for p in root.glob("*.py")}
    before = {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*")}
    parent_before = sorted(os.listdir(tmp_path))
    root_before = (root.stat().st_ino, root.stat().st_mtime_ns)
    assert sync_tree(root, wanted, "*.py") == []
    assert {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*")} == before
    assert (root.stat().st_ino, root.stat().st_mtime_ns) == root_before
    assert sorted(os.listdir(tmp_path)) == parent_before


def test_a_changed_tree_keeps_other_files_and_unchanged_times(tmp_path):
    root = tmp_path / "generated"
    fresh_tree(ROOT / "generated", root)
    os.chmod(root, 0o755)
    wanted = {str(p.relative_to(root)): p.read_text() for p in root.glob("*.py")}
    kept = sorted(wanted)[5]
    kept_time = (root / kept).stat().st_mtime_ns
    wanted["_index.py"] += "# changed\n"
    del wanted["__init__.py"]
    assert sync_tree(root, wanted, "*.py") == ["__init__.py", "_index.py"]
    assert (root / "py.typed").is_file() and not (root / "__init__.py").exists()
    assert not (root / "__pycache__").exists()
    assert (root / "_index.py").read_text().endswith("# changed\n")
    assert (root / kept).stat().st_mtime_ns == kept_time
    assert root.stat().st_mode & 0o777 == 0o755
    assert stale_files(root, wanted, "*.py") == [] and leftovers(root) == []


def test_a_new_tree_and_leftovers_of_killed_runs(tmp_path):
    root = tmp_path / "schemas"
    (tmp_path / ".schemas.wirespec-new-x1" / "cloudflare").mkdir(parents=True)
    (tmp_path / ".schemas.wirespec-new-x1" / "cloudflare" / "a.json").write_text("{}")
    assert sync_tree(root, {"a/b.json": "{}\n"}, "*.json") == ["a/b.json"]
    assert snapshot(root) == {"a/b.json": b"{}\n"} and leftovers(root) == []
    # the fallback killed between its renames: the old tree comes back, then is updated
    os.rename(root, tmp_path / ".schemas.wirespec-old")
    assert sync_tree(root, {"a/b.json": "[]\n"}, "*.json") == ["a/b.json"]
    assert snapshot(root) == {"a/b.json": b"[]\n"} and leftovers(root) == []


def test_leftovers_are_ignored_by_git():
    for name in (".generated.wirespec-new-k2j3", ".schemas.wirespec-old"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
        assert ignored.returncode == 0, name
