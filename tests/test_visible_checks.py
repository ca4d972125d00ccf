"""The catalogue of typical wrong answers: does the visible test of every graded cell catch one?

Every graded test cell of every solution notebook (a lecture's ``knowledge_check`` cell, a
practice's autograded test cell) gets at least one :class:`TypicalWrongAnswer`: the mistake a
student is likely to make, written as a text edit ``old -> new`` of the instructor's answer
cell. For each entry this module runs, in a fresh namespace, a small explicit prelude of the
notebook's cells (imports and data, no training), the answer cell with the edit applied, and
then ONLY the visible part of the test cell (its source before ``### BEGIN HIDDEN TESTS``),
with ``NN_TRICKS_GRADING=1`` as nbgrader runs it. The visible part must fail on the wrong
answer and pass on the unedited solution: the student sees the mistake before submitting.

A few test cells check networks trained earlier in the notebook; their entries say
``caught_by=TRAINED`` and why, and are not run here (no test here trains a real model).

CONTRIBUTING.md lists the catalogue in a table, checked against it here; print the table with

    .venv/bin/python -m tests.test_visible_checks
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat
import pytest

from grader.cells import grade_id, is_graded, is_graded_test, is_solution

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
CONTRIBUTING = REPO / "CONTRIBUTING.md"
HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"
TABLE_BEGIN = "<!-- typical wrong answers: begin (python -m tests.test_visible_checks) -->"
TABLE_END = "<!-- typical wrong answers: end -->"

VISIBLE = "visible"  # the visible part of the test cell fails; run here
TRAINED = "visible, after training"  # the visible part fails on the trained networks; not run
HIDDEN = "hidden"  # only the hidden tests catch it; not run
CAUGHT_BY = (VISIBLE, TRAINED, HIDDEN)


# ---------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypicalWrongAnswer:
    """A typical mistake: ``old`` replaced by ``new`` in the answer cell ``answer`` of
    ``solutions/<notebook>/``; the visible part of the test cell ``test`` must fail on it.

    ``caught_by`` is :data:`VISIBLE` (checked here), or :data:`TRAINED` / :data:`HIDDEN` with a
    ``why``; ``raises`` is the exception the visible part fails with (a check's
    ``CheckFailed`` and a plain ``assert`` are both ``AssertionError``).
    """

    notebook: str
    exercise: str
    answer: str
    old: str
    new: str
    what: str
    test: str
    caught_by: str = VISIBLE
    why: str = ""
    raises: type[BaseException] = AssertionError


W = TypicalWrongAnswer
NB01, NB02, NB03, NB04 = (
    "01-keras-baseline",
    "02-loss-and-initialization",
    "03-overfitting",
    "04-data-augmentation",
)
NB05, NB06, NB07 = "05-optimization", "06-activations-and-depth", "07-convolution-mechanics"
P1A, P1B, P2 = "practice-1a-l1-vs-l2", "practice-1b-kernel-sizes", "practice-2-rotated-test"

FORWARD_DIFFERENCE_OLD = """\
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * eps)"""
FORWARD_DIFFERENCE_NEW = """\
        x[index] = original
        f_minus = f(x)
        gradient[index] = (f_plus - f_minus) / eps"""

# fmt: off
CATALOGUE: tuple[TypicalWrongAnswer, ...] = (
    # --- 01 -----------------------------------------------------------------------------------
    W(NB01, "1.1", "nb01-to-dense-input", ".astype(np.float32) / 255.0", ".astype(np.float32)",
      "the pixels not divided by 255 (left in 0..255)", "nb01-to-dense-input-tests"),
    W(NB01, "1.2", "nb01-count-parameters", "n_in * n_out + n_out", "n_in * n_out",
      "the biases left out (weights only)", "nb01-count-parameters-tests"),
    W(NB01, "1.3", "nb01-accuracy", "np.argmax(probs, axis=1)", "np.argmax(probs)",
      "the argmax of the whole array, not of each row (no axis=1)", "nb01-accuracy-tests"),
    # --- 02 -----------------------------------------------------------------------------------
    W(NB02, "2.1", "nb02-sigmoid-derivative", "return s * (1.0 - s)",
      "return np.asarray(z, dtype=float) * (1.0 - np.asarray(z, dtype=float))",
      "z(1 − z) instead of σ(z)(1 − σ(z)): the sigmoid not applied first",
      "nb02-sigmoid-derivative-tests"),
    W(NB02, "2.2", "nb02-output-gradients", "2.0 * (a - y) * a * (1.0 - a), a - y",
      "2.0 * (a - y), a - y",
      "the MSE gradient without the factor σ'(z) (the chain rule stopped at a)",
      "nb02-output-gradients-tests"),
    W(NB02, "2.3", "nb02-softmax", "np.exp(logits - logits.max(axis=-1, keepdims=True))",
      "np.exp(logits)", "the largest logit not subtracted: exp overflows for large logits",
      "nb02-softmax-tests"),
    W(NB02, "2.3", "nb02-softmax", "exps / exps.sum(axis=-1, keepdims=True)", "exps / exps.sum()",
      "a 2-D batch normalized by its grand total instead of row by row", "nb02-softmax-tests"),
    # --- 03 -----------------------------------------------------------------------------------
    W(NB03, "3.1", "nb03-l2-penalty", "np.square(w)", "np.abs(w)",
      "absolute values (an L1 penalty) instead of squares", "nb03-l2-penalty-tests"),
    W(NB03, "3.1", "nb03-l2-penalty", "return lam * sum(", "return lam / 2 * sum(",
      "the book's λ/2 scale instead of Keras' λ·Σw²", "nb03-l2-penalty-tests"),
    W(NB03, "3.2", "nb03-inverted-dropout", "x / (1.0 - rate)", "x",
      "the kept entries not scaled by 1/(1 − rate) (plain dropout)",
      "nb03-inverted-dropout-tests"),
    W(NB03, "3.2", "nb03-inverted-dropout", "rng.random(x.shape) >= rate",
      "rng.random(x.shape) < rate", "rate used as the probability to keep an entry",
      "nb03-inverted-dropout-tests"),
    W(NB03, "3.3", "nb03-best-epoch", "if waited >= patience:", "if waited > patience:",
      "patience off by one: one more epoch without improvement before stopping",
      "nb03-best-epoch-tests"),
    # --- 04 -----------------------------------------------------------------------------------
    W(NB04, "4.1", "nb04-rotation-ranges", "(-max_degrees, -min_degrees)",
      "(-min_degrees, -max_degrees)", "the negative range written (−min, −max), low end last",
      "nb04-rotation-ranges-tests"),
    W(NB04, "4.2", "nb04-augment-counts", "-(-images // batch_size)", "images // batch_size",
      "the last, partial batch not counted (floor instead of ceiling)",
      "nb04-augment-counts-tests"),
    W(NB04, "4.3", "nb04-rotation-factor", "degrees / 360.0", "np.deg2rad(degrees)",
      "radians instead of a fraction of a full turn", "nb04-rotation-factor-tests"),
    # --- 05 -----------------------------------------------------------------------------------
    W(NB05, "5.1", "opt-ewa", "v / (1 - beta**t) if bias_correction else v", "v",
      "bias_correction ignored: never divides by 1 − βᵗ", "opt-ewa-test"),
    W(NB05, "5.2", "opt-schedule", "lr0 * rate**epoch", "lr0 * rate ** (epoch + 1)",
      "epochs counted from 1: the first epoch is already decayed", "opt-schedule-test"),
    W(NB05, "5.3", "opt-loguniform",
      "10.0 ** rng.uniform(np.log10(low), np.log10(high), size=n)",
      "rng.uniform(low, high, size=n)",
      "a linear uniform(low, high) instead of uniform logarithms", "opt-loguniform-test"),
    # --- 06 -----------------------------------------------------------------------------------
    W(NB06, "6.1", "act-relu", "np.asarray(z) > 0", "np.asarray(z) >= 0",
      "the derivative at 0 taken as 1 (>= instead of >)", "act-relu-test"),
    W(NB06, "6.2", "act-leaky", "np.where(z > 0, z, alpha * z)", "np.where(z > 0, z, 0.0)",
      "plain ReLU: alpha never used", "act-leaky-test"),
    W(NB06, "6.3", "act-numgrad", FORWARD_DIFFERENCE_OLD, FORWARD_DIFFERENCE_NEW,
      "a forward difference (f(x + ε) − f(x)) / ε instead of the central one", "act-numgrad-test"),
    # --- 07 -----------------------------------------------------------------------------------
    W(NB07, "7.1", "cnn-conv-output-size", "return (size - kernel) // stride + 1",
      "return size - kernel + 1", "valid padding without the stride: n − k + 1 for every stride",
      "cnn-conv-output-size-test"),
    W(NB07, "7.2", "cnn-conv-params", "kernel_size * kernel_size * in_channels + 1",
      "kernel_size * kernel_size + 1", "the input channels left out (one k × k kernel per filter)",
      "cnn-conv-params-test"),
    W(NB07, "7.3", "cnn-pooled-size", "stride = pool_size if stride is None else stride",
      "stride = pool_size", "an explicit stride ignored (always the pool size)",
      "cnn-pooled-size-test"),
    # --- practice 1a --------------------------------------------------------------------------
    W(P1A, "P1a.1", "l1l2-build-l1", "keras.regularizers.L1(lam)", "keras.regularizers.L2(lam)",
      "the L2 penalty copied from build_l2_model, not changed to L1", "l1l2-test-l1-network"),
    W(P1A, "P1a.1", "l1l2-build-l1", "keras.regularizers.L1(lam)", "keras.regularizers.L1(0.01)",
      "the L1 strength hard-coded to 0.01 instead of the argument lam", "l1l2-test-l1-strength"),
    W(P1A, "P1a.2", "l1l2-final-gaps",
      'float(history["val_loss"][-1]) - float(history["loss"][-1])',
      'float(history["loss"][-1]) - float(history["val_loss"][-1])',
      "the loss gap's sign flipped (training − validation loss)", "l1l2-test-final-gaps"),
    W(P1A, "P1a.2", "l1l2-final-gaps",
      'float(history["val_loss"][-1]) - float(history["loss"][-1])',
      'min(history["val_loss"]) - min(history["loss"])',
      "the lowest losses of the run instead of the last epoch's", "l1l2-test-final-gaps"),
    W(P1A, "P1a.3", "l1l2-fraction-near-zero", "np.abs(np.asarray(a, dtype=np.float64))",
      "np.asarray(a, dtype=np.float64)", "w <= tol without the absolute value",
      "l1l2-test-fraction-near-zero"),
    W(P1A, "P1a.3", "l1l2-fraction-near-zero", "values <= tol", "values < tol",
      "the boundary, a weight of size exactly tol, left out (< for <=)",
      "l1l2-test-fraction-near-zero"),
    W(P1A, "P1a.3", "l1l2-fraction-near-zero", "return float(np.mean(values <= tol))",
      "return float(np.mean([np.mean(np.abs(np.asarray(a)) <= tol) for a in arrays]))",
      "a list of arrays averaged array by array instead of pooled",
      "l1l2-test-fraction-near-zero"),
    W(P1A, "P1a.4", "l1l2-build-l1", "keras.regularizers.L1(lam)", "keras.regularizers.L2(lam)",
      "the L2 penalty copied from build_l2_model: the trained model is not sparse",
      "l1l2-test-sparsity", TRAINED,
      "the visible part reads the L1 and L2 models trained by the cell l1l2-train"),
    # --- practice 1b --------------------------------------------------------------------------
    W(P1B, "P1b.1", "kernels-build-cnn", "keras.optimizers.Adadelta(learning_rate=1.0)",
      "keras.optimizers.Adadelta()", "Keras' default Adadelta learning rate instead of 1.0",
      "kernels-test-cnn-5x5"),
    W(P1B, "P1b.1", "kernels-build-cnn", 'Conv2D(filters, kernel_size, activation="relu")',
      'Conv2D(filters, kernel_size, activation="relu", padding="same")',
      'padding="same": the feature map keeps 28 × 28', "kernels-test-cnn-5x5"),
    W(P1B, "P1b.1", "kernels-build-cnn", "keras.layers.Conv2D(filters, kernel_size,",
      "keras.layers.Conv2D(filters, 5,",
      "the kernel size hard-coded to 5 instead of the argument kernel_size",
      "kernels-test-cnn-other-sizes"),
    W(P1B, "P1b.2", "kernels-shapes-and-params", "side = image_side - kernel_size + 1",
      "side = image_side - kernel_size", "n − k positions per side instead of n − k + 1",
      "kernels-test-shapes"),
    W(P1B, "P1b.2", "kernels-shapes-and-params", "pooled = side // 2", "pooled = side / 2",
      "true division by 2: an odd side gives a fractional pooled size", "kernels-test-shapes"),
    W(P1B, "P1b.2", "kernels-shapes-and-params", "filters * (kernel_size * kernel_size + 1)",
      "filters * kernel_size * kernel_size", "the convolution's biases left out",
      "kernels-test-params"),
    W(P1B, "P1b.2", "kernels-shapes-and-params", "pooled * pooled * filters * 10 + 10",
      "pooled * pooled * filters * 10", "the dense layer's 10 biases left out",
      "kernels-test-params"),
    W(P1B, "P1b.3", "kernels-table", "tuple(conv.output.shape[1:])", "tuple(conv.output.shape)",
      "conv_output with the batch dimension (None, h, w, c)", "kernels-test-table"),
    W(P1B, "P1b.3", "kernels-table", '"kernel": int(conv.kernel_size[0]),',
      '"kernel": tuple(conv.kernel_size),', "the kernel as the tuple (k, k) instead of k",
      "kernels-test-table"),
    W(P1B, "P1b.3", "kernels-table",
      "for result in comparison.results:\n        model = comparison.models[result.name]",
      "for result, model in zip(comparison.results, comparison.models.values()):",
      "models paired with the results by position instead of by name", "kernels-test-table"),
    W(P1B, "P1b.3", "kernels-table",
      "conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))",
      "conv = model.layers[0]", "model.layers[0] taken for the convolution",
      "kernels-test-table", raises=AttributeError),
    W(P1B, "P1b.4", "kernels-build-cnn", "keras.layers.Conv2D(filters, kernel_size,",
      "keras.layers.Conv2D(filters, 5,",
      "the kernel size hard-coded to 5: the three trained networks are all 5 × 5",
      "kernels-test-trained"),
    # --- practice 2 ---------------------------------------------------------------------------
    W(P2, "P2.1", "rotated-rotate-test-set", "angles = sizes * signs", "angles = sizes",
      "every image rotated the same way (no random sign)", "rotated-test-rotate"),
    W(P2, "P2.1", "rotated-rotate-test-set",
      "sizes = rng.uniform(min_degrees, max_degrees, size=len(images))",
      "sizes = rng.uniform(min_degrees, max_degrees)",
      "one angle size drawn for the whole set instead of one per image", "rotated-test-rotate"),
    W(P2, "P2.1", "rotated-rotate-test-set", "rng = np.random.default_rng(seed)",
      "rng = np.random.default_rng()", "the seed not used (an unseeded generator)",
      "rotated-test-rotate-seeds-ranges"),
    W(P2, "P2.1", "rotated-rotate-test-set", "rng.uniform(min_degrees, max_degrees,",
      "rng.uniform(5.0, 25.0,", "the lecture's 5° to 25° hard-coded instead of the arguments",
      "rotated-test-rotate-seeds-ranges"),
    W(P2, "P2.2", "rotated-evaluate-accuracy", "data.prepare_dense(images)",
      "images.reshape(len(images), 784).astype(np.float32)",
      "raw pixels 0..255 given to the model (flattened, not divided by 255)",
      "rotated-test-evaluate-accuracy"),
    W(P2, "P2.2", "rotated-evaluate-accuracy", "data.prepare_dense(images)",
      "np.asarray(images, dtype=np.float32) / 255",
      "the images scaled but not flattened: (N, 28, 28) given to a 784-input model",
      "rotated-test-evaluate-accuracy"),
    W(P2, "P2.2", "rotated-evaluate-accuracy", "return float(np.mean(",
      "return 100 * float(np.mean(", "a percentage instead of a fraction",
      "rotated-test-evaluate-accuracy"),
    W(P2, "P2.3", "rotated-train-augmented", "model_aug = build_model()", "model_aug = model",
      "the network trained on the originals trained further instead of a new one",
      "rotated-test-augmented", TRAINED,
      "the answer cell itself trains model_aug (and the test needs the trained model)"),
    W(P2, "P2.4", "rotated-recovered-fraction", "if drop <= 0:", "if drop < 0:",
      "no ValueError when there is no drop (acc_orig == acc_rot): divides by zero",
      "rotated-test-recovered-fraction"),
    W(P2, "P2.4", "rotated-recovered-fraction",
      "return (float(acc_rot_aug) - float(acc_rot)) / drop",
      "return (float(acc_rot_aug) - float(acc_rot)) / float(acc_orig)",
      "divided by acc_orig instead of the drop", "rotated-test-recovered-fraction"),
)
# fmt: on


# ---------------------------------------------------------------------------------------------
# how each notebook's cells are run: preludes and the steps between answer and test
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A notebook cell by grade_id (or cell id); only from ``start`` / up to ``until`` if given."""

    ref: str
    start: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Code:
    """Support code standing in for a cell that trains (``why`` says what it replaces)."""

    source: str
    why: str = field(default="", compare=False)


#: run once per notebook (cached): imports and data, never a training run
PRELUDES: dict[str, tuple[Cell | Code, ...]] = {
    NB01: (Cell("cell-01"), Cell("cell-03"), Cell("cell-11"), Cell("cell-17")),
    NB02: (Cell("cell-01"), Cell("cell-02b", until="lecture_x, lecture_y ="), Cell("cell-09")),
    NB03: (Cell("setup"), Cell("cell-03")),
    NB04: (Cell("setup"), Cell("cell-03"), Cell("cell-05", until="first = np.arange")),
    NB05: (Cell("opt-01"), Cell("opt-03")),
    NB06: (Cell("act-01"), Cell("act-03")),
    NB07: (Cell("cnn-01"), Cell("4a44868c")),
    P1A: (Cell("setup"), Cell("l1l2-data")),
    P1B: (Cell("setup"), Cell("kernels-data")),
    P2: (Cell("setup"), Cell("rotated-data")),
}

STUB_KERNEL_COMPARISON = Code(
    """\
from types import SimpleNamespace

untrained = {f"{k}×{k}": build_cnn(k) for k in KERNEL_SIZES}
comparison = SimpleNamespace(models=untrained, results=[
    RunResult(name=name, params=model.count_params(), epochs_run=EPOCHS, best_epoch=EPOCHS,
              train_accuracy=0.9, test_loss=0.3, test_accuracy=0.9, seconds_per_epoch=1.0)
    for name, model in untrained.items()
])
""",
    why="the training cell kernels-train: the untrained networks with made-up accuracies "
    "(the visible checks read the kernels and parameter counts)",
)

#: per test cell, the cells run after the prelude (default: the answer cell alone), where
#: ANSWER stands for the entry's answer cell with its edit (or unedited, for the solution run)
ANSWER = Cell("<the entry's answer cell>")
STEPS: dict[tuple[str, str], tuple[Cell | Code, ...]] = {
    (NB01, "nb01-accuracy-tests"): (
        ANSWER,
        Cell("cell-23", start="baseline_test =", until="print("),  # evaluate, without the fit
        Cell("cell-25", until="predicted ="),
    ),
    (P1B, "kernels-test-trained"): (ANSWER, Cell("kernels-table"), STUB_KERNEL_COMPARISON),
}


# ---------------------------------------------------------------------------------------------
# reading and running notebooks
# ---------------------------------------------------------------------------------------------


def notebook_path(notebook: str) -> Path:
    (path,) = sorted((SOLUTIONS / notebook).glob("*.ipynb"))
    return path


@cache
def read_notebook(notebook: str):
    return nbformat.read(notebook_path(notebook), as_version=4)


def find_cell(nb, ref: str):
    """The cell whose grade_id, else whose id, is ``ref``."""
    for key in (grade_id, lambda c: c.get("id")):
        found = [c for c in nb.cells if key(c) == ref]
        if found:
            return found[0]
    raise LookupError(f"no cell with grade_id or id {ref!r}: update tests/test_visible_checks.py")


def graded_test_cells() -> list[tuple[str, str]]:
    """(notebook, grade_id) of every autograded test cell of every solution notebook."""
    found = []
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_graded_test(cell):
                found.append((path.parent.name, grade_id(cell)))
    return found


def visible_part(source: str) -> str:
    return source.split(HIDDEN_MARKER, 1)[0]


def cell_source(nb, step: Cell) -> str:
    source = find_cell(nb, step.ref).source
    if step.start is not None:
        assert step.start in source, f"{step.ref} no longer contains {step.start!r}"
        source = source[source.index(step.start) :]
    if step.until is not None:
        assert step.until in source, f"{step.ref} no longer contains {step.until!r}"
        source = source[: source.index(step.until)]
    return source


def edited_source(entry: TypicalWrongAnswer) -> str:
    source = find_cell(read_notebook(entry.notebook), entry.answer).source
    assert entry.old in source, f"{entry.answer} no longer contains {entry.old!r}: update the edit"
    return source.replace(entry.old, entry.new)


@cache
def transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def run(source: str, namespace: dict, name: str) -> None:
    exec(compile(transformer().transform_cell(source), f"<{name}>", "exec"), namespace)


@contextlib.contextmanager
def grading_mode() -> Iterator[None]:
    """``NN_TRICKS_GRADING=1`` (a blank answer raises, as nbgrader expects), then restored."""
    before = os.environ.get("NN_TRICKS_GRADING")
    os.environ["NN_TRICKS_GRADING"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["NN_TRICKS_GRADING"]
        else:
            os.environ["NN_TRICKS_GRADING"] = before


def run_prelude(notebook: str) -> dict:
    """The namespace the notebook's prelude leaves: its setup cell, imports and data."""
    import matplotlib.pyplot as plt

    nb = read_notebook(notebook)
    namespace: dict = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    for step in PRELUDES[notebook]:
        if isinstance(step, Code):
            run(step.source, namespace, f"{notebook}:support code")
        else:
            run(cell_source(nb, step), namespace, f"{notebook}:{step.ref}")
    plt.close("all")
    return namespace


def run_visible_test(prelude: dict, notebook: str, test: str, answer: str, answer_source: str):
    """In a copy of ``prelude``: the test's steps with ``answer_source`` as the answer cell, then
    the visible part of the test cell in grading mode."""
    import helpers

    nb = read_notebook(notebook)
    namespace = dict(prelude)
    helpers.set_seed(42)
    for step in STEPS.get((notebook, test), (ANSWER,)):
        if isinstance(step, Code):
            run(step.source, namespace, f"{notebook}:support code")
        elif step.ref == ANSWER.ref:
            run(answer_source, namespace, f"{notebook}:{answer}")
        else:
            run(cell_source(nb, step), namespace, f"{notebook}:{step.ref}")
    with grading_mode():
        run(visible_part(find_cell(nb, test).source), namespace, f"{notebook}:{test} (visible)")


class WrongAnswerNotCaught(AssertionError):
    """The visible test passed on a typical wrong answer."""


# ---------------------------------------------------------------------------------------------
# the CONTRIBUTING table
# ---------------------------------------------------------------------------------------------

TABLE_HEADER = ("notebook", "exercise", "test cell", "typical wrong answer", "caught by")


def table_row(entry: TypicalWrongAnswer) -> tuple[str, ...]:
    return (entry.notebook, entry.exercise, entry.test, entry.what, entry.caught_by)


def render_table() -> str:
    """The markdown table of the catalogue, as CONTRIBUTING.md holds it."""
    lines = [
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "---|" * len(TABLE_HEADER),
    ]
    for entry in CATALOGUE:
        notebook, exercise, test, what, caught_by = table_row(entry)
        lines.append(f"| {notebook} | {exercise} | `{test}` | {what} | {caught_by} |")
    return "\n".join(lines)


def parse_table(text: str) -> list[tuple[str, ...]]:
    """The data rows of the markdown table between the markers, cells stripped of backticks."""
    assert TABLE_BEGIN in text and TABLE_END in text, "CONTRIBUTING.md lost the table's markers"
    block = text.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0]
    rows = [line.strip() for line in block.splitlines() if line.strip().startswith("|")]
    cells = [tuple(cell.strip().strip("`") for cell in row.strip("|").split("|")) for row in rows]
    assert cells and cells[0] == TABLE_HEADER, f"unexpected table header {cells[:1]}"
    return [row for row in cells[1:] if not set("".join(row)) <= set("-: ")]


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------


def entry_id(entry: TypicalWrongAnswer) -> str:
    same = [e for e in CATALOGUE if (e.notebook, e.test) == (entry.notebook, entry.test)]
    return f"{entry.test}-{same.index(entry) + 1}"


def test_every_graded_cell_has_a_typical_wrong_answer():
    graded = graded_test_cells()
    assert len(graded) >= 30, f"only {len(graded)} graded test cells found in solutions/"
    covered = {(entry.notebook, entry.test) for entry in CATALOGUE}
    missing = [cell for cell in graded if cell not in covered]
    assert not missing, f"graded test cells without a typical wrong answer in CATALOGUE: {missing}"
    stale = sorted(covered - set(graded))
    assert not stale, f"CATALOGUE names test cells that are not graded test cells: {stale}"
    assert len(CATALOGUE) == len(set(CATALOGUE)), "the same entry twice"
    assert set(PRELUDES) == {notebook for notebook, _ in graded}
    support = [step for steps in (*PRELUDES.values(), *STEPS.values()) for step in steps]
    assert all(step.why for step in support if isinstance(step, Code)), "say what it replaces"


@pytest.mark.parametrize("entry", CATALOGUE, ids=entry_id)
def test_each_entry_is_well_formed(entry):
    nb = read_notebook(entry.notebook)
    answer, test = find_cell(nb, entry.answer), find_cell(nb, entry.test)
    assert is_solution(answer) and answer.cell_type == "code", entry.answer
    assert entry.old != entry.new and edited_source(entry) != answer.source
    assert is_graded(test) and HIDDEN_MARKER in test.source, entry.test
    assert entry.caught_by in CAUGHT_BY
    assert (entry.caught_by == VISIBLE) == (not entry.why), "a why exactly when not run here"
    assert "|" not in entry.what and entry.what == entry.what.strip()


def exercise_label(nb, test: str) -> str:
    """The ``Exercise N.M`` label that claims the test cell (the last one above it)."""
    from tools.check_notebooks import LABEL_PATTERN

    label = None
    for cell in nb.cells:
        if grade_id(cell) == test:
            return label
        if cell.cell_type == "markdown" and not is_graded(cell):
            for line in cell.source.splitlines():
                for match in LABEL_PATTERN.finditer(line):
                    label = f"{match.group(1)}.{match.group(2)}"
    raise LookupError(test)


def test_each_entry_names_its_exercise():
    labels = {
        (e.notebook, e.test): exercise_label(read_notebook(e.notebook), e.test) for e in CATALOGUE
    }
    wrong = [
        (entry.notebook, entry.test, entry.exercise, labels[entry.notebook, entry.test])
        for entry in CATALOGUE
        if labels[entry.notebook, entry.test] != entry.exercise
    ]
    assert not wrong, f"(notebook, test cell, catalogue's exercise, notebook's label): {wrong}"


def test_the_grading_tests_wrong_answers_are_in_the_catalogue():
    """tests/test_grading.py's WRONG_ANSWERS (one per practice, end to end) are entries here."""
    from tests.test_grading import WRONG_ANSWERS

    here = {(e.notebook, e.answer, e.old, e.new, e.test) for e in CATALOGUE}
    for practice, wrong in WRONG_ANSWERS.items():
        for test in wrong.failing:
            assert (practice, wrong.grade_id, wrong.old, wrong.new, test) in here, (practice, test)


def test_entries_not_run_here_say_why():
    """A TRAINED or HIDDEN entry is justified, and its test cell really needs a trained model."""
    for entry in CATALOGUE:
        if entry.caught_by == VISIBLE:
            continue
        assert len(entry.why) >= 30, f"{entry.test}: say in `why` why it is not run here"
        if entry.caught_by == TRAINED:
            visible = visible_part(find_cell(read_notebook(entry.notebook), entry.test).source)
            # the results of the notebook's training cells
            trained = re.search(r"\b(comparison|model_aug)\b", visible)
            assert trained, f"{entry.test}: its visible part uses no trained network"
    not_run = [entry for entry in CATALOGUE if entry.caught_by != VISIBLE]
    assert len(not_run) <= 3, "keep the entries that are not run here few"


def test_contributing_lists_exactly_the_catalogue():
    rows = parse_table(CONTRIBUTING.read_text(encoding="utf-8"))
    expected = [table_row(entry) for entry in CATALOGUE]
    assert rows == expected, (
        "CONTRIBUTING.md's table of typical wrong answers differs from the catalogue: paste the "
        "output of `.venv/bin/python -m tests.test_visible_checks` between its markers"
    )


@pytest.fixture(scope="module")
def preludes():
    """notebook -> its prelude's namespace, each prelude run once for the whole module."""
    cache: dict[str, dict] = {}

    def get(notebook: str) -> dict:
        if notebook not in cache:
            cache[notebook] = run_prelude(notebook)
        return cache[notebook]

    return get


@pytest.fixture(scope="module")
def solutions_passed() -> set[tuple[str, str]]:
    """(notebook, test cell) whose visible part already passed on the unedited solution."""
    return set()


def visible_cases():
    for entry in CATALOGUE:
        if entry.caught_by != VISIBLE:
            continue
        yield pytest.param(entry, id=entry_id(entry))


@pytest.mark.parametrize("entry", list(visible_cases()))
def test_the_visible_test_catches_it(entry, preludes, solutions_passed, capsys):
    prelude = preludes(entry.notebook)
    key = (entry.notebook, entry.test)
    if key not in solutions_passed:  # the unedited solution passes the same visible part
        solution = find_cell(read_notebook(entry.notebook), entry.answer).source
        run_visible_test(prelude, entry.notebook, entry.test, entry.answer, solution)
        assert not capsys.readouterr().err, f"{entry.test}: the solution writes to stderr"
        solutions_passed.add(key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # e.g. exp overflow of a wrong softmax
        try:
            run_visible_test(
                prelude, entry.notebook, entry.test, entry.answer, edited_source(entry)
            )
        except entry.raises as error:
            print(f"{entry.test} fails on {entry.what!r}: {type(error).__name__}: {error}")
            return
    raise WrongAnswerNotCaught(
        f"the visible part of {entry.test} ({entry.notebook}) passes on a typical wrong answer: "
        f"{entry.what}; add a visible check"
    )


def test_a_changed_answer_cell_is_noticed():
    """The machinery itself: an edit whose ``old`` is gone is reported, not silently skipped."""
    stale = dataclasses.replace(CATALOGUE[0], old="this text is in no cell")
    with pytest.raises(AssertionError, match="no longer contains"):
        edited_source(stale)


if __name__ == "__main__":
    print(TABLE_BEGIN)
    print(render_table())
    print(TABLE_END)
