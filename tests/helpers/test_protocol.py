"""helpers.protocol: the names the student side and the grader side must agree on.

The grader does not import ``helpers`` (importing it installs the kernel's quiet-import hook
and IPython error formatting), so its own copies of these names are pinned here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader import settings
from grader.batch import verdicts
from grader.sandbox import executor
from helpers import protocol

HELPERS = Path(__file__).resolve().parents[2] / "helpers"


def test_does_the_grader_use_the_protocols_names():
    assert settings.FAST_MODE_VARIABLE == protocol.FAST_MODE_VARIABLE
    assert settings.GRADING_VARIABLE == protocol.GRADING_VARIABLE
    assert settings.DATA_VARIABLE == protocol.DATA_VARIABLE
    assert verdicts.EVIDENCE_MIME == protocol.EVIDENCE_MIME
    assert verdicts.SEAL_MIME == protocol.SEAL_MIME
    assert executor.GRADING_MIME_PREFIX == protocol.MIME_PREFIX
    assert protocol.EVIDENCE_MIME.startswith(protocol.MIME_PREFIX)
    assert protocol.SEAL_MIME.startswith(protocol.MIME_PREFIX)


def test_do_helpers_spell_the_protocols_names_only_in_the_protocol():
    names = {
        protocol.FAST_MODE_VARIABLE,
        protocol.GRADING_VARIABLE,
        protocol.DATA_VARIABLE,
        protocol.EVIDENCE_MIME,
        protocol.SEAL_MIME,
    }
    spelled = []
    for path in sorted(HELPERS.rglob("*.py")):
        if path.name == "protocol.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                spelled.append(f"{path.relative_to(HELPERS)}:{node.lineno} {node.value}")
    assert spelled == []


def test_does_the_protocol_import_only_the_standard_library():
    tree = ast.parse((HELPERS / "protocol.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "collections", "typing"}


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        (" TRUE ", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("", False),
        (None, False),
        ("no", False),
        ("2", False),
    ],
)
def test_which_values_switch_fast_mode_on(value, on):
    assert protocol.is_true(value) is on


def test_is_only_the_exact_grading_value_grading():
    assert protocol.is_grading({protocol.GRADING_VARIABLE: protocol.GRADING_ON})
    for other in ({}, {protocol.GRADING_VARIABLE: "true"}, {protocol.GRADING_VARIABLE: " 1"}):
        assert not protocol.is_grading(other)
