"""`wirespec add` and `wirespec update` end to end, on a small project of real documents;
update fetches from a real HTTP server on loopback (never the internet)."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import ROOT, run_cli
from test_ingest_bad_input import snapshot

CATALOG = ROOT / "sources" / "cloudflare" / "catalog"
OLD_7B = CATALOG / "older" / "qwen1.5-7b-chat-awq@f6a0628f.json"
NEW_7B = CATALOG / "qwen1.5-7b-chat-awq.json"
DOCUMENTS = {  # file in the small project -> (its bytes, the path it is served at)
    "qwen1.5-7b-chat-awq.json": (OLD_7B, "/models/qwen1.5-7b-chat-awq.json"),
    "aura-2-en.json": (CATALOG / "aura-2-en.json", "/models/aura-2-en.json"),
    "bge-m3.json": (CATALOG / "bge-m3.json", "/models/bge-m3.json"),
    "llama-guard-3-8b.json": (CATALOG / "llama-guard-3-8b.json", "/models/llama-guard.json"),
}


class Pages(http.server.BaseHTTPRequestHandler):
    served: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, media_type, body = self.served.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, tuple[int, str, bytes]]]]:
    served: dict[str, tuple[int, str, bytes]] = {}
    handler = type("Served", (Pages,), {"served": served})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def small_project(folder: Path, base_url: str = "http://127.0.0.1:9") -> Path:
    (folder / "sources" / "cloudflare").mkdir(parents=True)
    entries = []
    for name, (source, path) in DOCUMENTS.items():
        shutil.copyfile(source, folder / "sources" / "cloudflare" / name)
        entries.append(f'[[document]]\npath = "cloudflare/{name}"\nprovider = "cloudflare"\n'
                       f'url = "{base_url}{path}"\n')
    (folder / "sources" / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")
    assert run_cli("ingest", "--root", str(folder)).returncode == 0
    assert run_cli("generate", "--root", str(folder)).returncode == 0
    return folder


def state(root: Path) -> dict[str, dict[str, bytes] | None]:
    return {room: snapshot(root / room) for room in ("sources", "schemas", "generated")}


def test_add_a_newer_revision_prints_the_review(tmp_path):
    root = small_project(tmp_path / "project")
    download = tmp_path / "qwen1.5-7b-chat-awq.json"
    shutil.copyfile(NEW_7B, download)
    added = run_cli("add", str(download), "--provider", "cloudflare", "--root", str(root),
                    "--url", "https://example.invalid/7b.json")
    assert added.returncode == 1, added.stderr  # top_p narrowed: breaking
    out = added.stdout
    assert out.startswith("added sources/cloudflare/qwen1.5-7b-chat-awq@")
    assert "revision 2 of 1 model(s): cloudflare:@cf/qwen/qwen1.5-7b-chat-awq" in out
    assert "BREAKING      top_p (with prompt): range [0, 2] -> [0.001, 1]; e.g. 0 was " \
           "accepted and is now rejected" in out
    assert "NON-BREAKING  frequency_penalty (with prompt): range [0, 2] -> [-2, 2]" in out
    assert 'old: cloudflare/qwen1.5-7b-chat-awq.json:57 ' in out
    manifest = (root / "sources" / "manifest.toml").read_text()
    assert manifest.count("[[document]]") == len(DOCUMENTS) + 1
    assert "revision = 2" in manifest and 'url = "https://example.invalid/7b.json"' in manifest
    stored = next((root / "sources" / "cloudflare").glob("qwen1.5-7b-chat-awq@*.json"))
    assert stored.read_bytes() == NEW_7B.read_bytes()  # verbatim
    schema = (root / "schemas" / "cloudflare" / "cf__qwen__qwen1.5-7b-chat-awq.request.json")
    assert '"minimum": 0.001' in schema.read_text()
    assert run_cli("ingest", "--check", "--root", str(root)).returncode == 0
    assert run_cli("generate", "--check", "--root", str(root)).returncode == 0
    again = run_cli("add", str(download), "--root", str(root))
    assert again.returncode == 0 and "already holds these bytes: nothing added" in again.stdout


def test_add_a_document_of_new_models(tmp_path):
    root = small_project(tmp_path / "project")
    new = run_cli("add", str(CATALOG / "bart-large-cnn.json"), "--root", str(root))
    assert new.returncode == 0, new.stderr
    assert "revision 1 of 1 model(s): cloudflare:@cf/facebook/bart-large-cnn" in new.stdout
    assert "NON-BREAKING  (model): model added" in new.stdout
    assert 'path = "cloudflare/bart-large-cnn.json"' in (
        root / "sources" / "manifest.toml").read_text()


@pytest.mark.parametrize(("name", "data"), [
    ("garbage.json", b"\xff\xfe{not json at all"),
    ("notes.txt", b"Some notes about a model, without any parameters.\n"),
    ("empty.md", b""),
])
def test_add_an_unusable_document_writes_nothing(tmp_path, name, data):
    root = small_project(tmp_path / "project")
    before = state(root)
    (tmp_path / name).write_bytes(data)
    failed = run_cli("add", str(tmp_path / name), "--provider", "cloudflare", "--root",
                     str(root))
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1, failed.stderr
    assert name in failed.stderr and "Traceback" not in failed.stderr
    assert state(root) == before


def test_update_fetches_adds_the_changed_and_reports_the_rest(tmp_path, server):
    base, served = server
    root = small_project(tmp_path / "project", base)
    served["/models/qwen1.5-7b-chat-awq.json"] = (200, "application/json", NEW_7B.read_bytes())
    served["/models/aura-2-en.json"] = (200, "application/json",
                                        (CATALOG / "aura-2-en.json").read_bytes())
    served["/models/llama-guard.json"] = (200, "application/json", b"\x00\x01garbage{")
    # bge-m3's page is not served: 404

    before = state(root)
    dry = run_cli("update", "--dry-run", "--root", str(root))
    assert dry.returncode == 2 and state(root) == before
    assert "(dry run: nothing written)" in dry.stdout and "top_p (with prompt)" in dry.stdout

    run = run_cli("update", "--root", str(root))
    assert run.returncode == 2  # two documents could not be checked
    assert "sources/cloudflare/aura-2-en.json: unchanged" in run.stdout
    assert "sources/cloudflare/qwen1.5-7b-chat-awq.json: changed at" in run.stdout
    assert "BREAKING      top_p (with prompt): range [0, 2] -> [0.001, 1]" in run.stdout
    errors = run.stderr.splitlines()
    assert len(errors) == 2 and "Traceback" not in run.stderr
    assert any("bge-m3.json: unreachable" in e and "404" in e for e in errors)
    assert any("llama-guard-3-8b.json: unusable" in e for e in errors)
    manifest = (root / "sources" / "manifest.toml").read_text()
    assert manifest.count("[[document]]") == len(DOCUMENTS) + 1
    assert f'url = "{base}/models/qwen1.5-7b-chat-awq.json"' in manifest.split("\n\n")[-1]
    assert run_cli("generate", "--check", "--root", str(root)).returncode == 0

    served["/models/bge-m3.json"] = (200, "application/json",
                                     (CATALOG / "bge-m3.json").read_bytes())
    served["/models/llama-guard.json"] = (200, "application/json",
                                          (CATALOG / "llama-guard-3-8b.json").read_bytes())
    quiet = run_cli("update", "--root", str(root))
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stdout.count(": unchanged") == len(DOCUMENTS)  # the new revision is tracked


def test_update_exits_1_when_a_change_breaks(tmp_path, server):
    base, served = server
    root = small_project(tmp_path / "project", base)
    for source, path in DOCUMENTS.values():
        served[path] = (200, "application/json", source.read_bytes())
    served["/models/qwen1.5-7b-chat-awq.json"] = (200, "application/json", NEW_7B.read_bytes())
    result = run_cli("update", "--provider", "cloudflare", "--root", str(root))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "8 breaking" in result.stdout


def test_every_document_in_sources_records_where_it_is_published():
    import tomllib

    manifest = tomllib.loads((ROOT / "sources" / "manifest.toml").read_text(encoding="utf-8"))
    urls = {entry["path"]: entry.get("url", "") for entry in manifest["document"]}
    assert [path for path, url in urls.items() if not url.startswith("https://")] == []
    older = [url for path, url in urls.items() if "/older/" in path]
    assert older and all("/production/" not in url for url in older)  # pinned to commits


def test_a_document_dropped_in_without_an_entry_is_named_not_ignored(tmp_path):
    root = small_project(tmp_path / "project")
    shutil.copyfile(CATALOG / "bart-large-cnn.json", root / "sources" / "cloudflare" / "b.json")
    for command in (("ingest",), ("ingest", "--check")):
        result = run_cli(*command, "--root", str(root))
        assert result.returncode == 0
        assert ("wirespec: warning: sources/cloudflare/b.json is not in the manifest and was "
                "not read (`wirespec add sources/cloudflare/b.json` adds it)") in result.stderr
