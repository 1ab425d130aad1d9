"""The committed schema and the studio's generated types are what `make schema` writes now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posestudio.protocol import export

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("schema")
    return out, export.generate(out)


def test_generated_files_are_not_stale(generated: tuple[Path, list[Path]]) -> None:
    out, files = generated
    stale = [
        str(relative)
        for relative in files
        if not (REPO / relative).is_file()
        or (REPO / relative).read_text() != (out / relative).read_text()
    ]
    assert not stale, f"stale or missing, regenerate them with `make schema`: {stale}"


def test_no_schema_is_left_from_a_message_that_is_gone(generated: tuple[Path, list[Path]]) -> None:
    _, files = generated
    committed = {p.relative_to(REPO) for p in (REPO / export.SCHEMA_DIR).iterdir()}
    leftover = sorted(str(p) for p in committed - set(files))
    assert not leftover, f"not generated from any model; `make schema` removes them: {leftover}"


def test_the_index_names_one_schema_file_per_message(generated: tuple[Path, list[Path]]) -> None:
    out, _ = generated
    index = json.loads((out / export.SCHEMA_DIR / "index.json").read_text())
    names = [entry["name"] for entry in index["messages"]]
    assert "PoseMessage" in names and "StartAck" in names and "ErrorMessage" in names
    for entry in index["messages"]:
        schema = json.loads((out / export.SCHEMA_DIR / entry["file"]).read_text())
        assert schema["title"] == entry["name"]
        assert schema["$schema"] == export.DIALECT
    assert len(index["landmark_names"]) == 33
    assert index["error_codes"]["RATE_LIMITED"]


def test_the_studio_gets_every_message_code_and_landmark(
    generated: tuple[Path, list[Path]],
) -> None:
    out, _ = generated
    protocol = (out / export.GENERATED_DIR / "protocol.ts").read_text()
    constants = (out / export.GENERATED_DIR / "constants.ts").read_text()
    for entry in export.MESSAGES:
        assert f"export interface {entry.model.__name__} " in protocol
    assert "landmarks: [number, number, number, number, number][];" in protocol
    assert '"RATE_LIMITED"' in protocol and "RATE_LIMITED:" in constants
    assert '"left_foot_index"' in constants
    assert "[11, 13]" in constants  # left shoulder to left elbow
