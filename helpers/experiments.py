"""Run several model variants on the same data and compare them in one call.

``compare_models`` trains each variant (seeded identically), prints one line per finished
run, and returns a :class:`Comparison` with the histories, a results table and an overlaid
plot of the training curves. Accuracies are fractions in [0, 1] in the data and percent
in printed text; times are seconds (``time.perf_counter``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.session import import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)
from matplotlib.figure import Figure  # noqa: E402

import helpers  # noqa: E402
from helpers.callbacks import running_in_notebook  # noqa: E402
from helpers.plotting import HistoryDict, plot_history  # noqa: E402

ArrayPair = tuple[Any, Any]


@dataclass(frozen=True)
class RunResult:
    """The measurements of one trained variant.

    Attributes:
        name: the variant's name (key of ``builders``).
        params: number of parameters, weights plus biases (``model.count_params()``).
        epochs_run: epochs actually trained (fewer than asked if EarlyStopping stopped it).
        best_epoch: 1-based epoch with the lowest validation loss (training loss when there
            is no validation data).
        train_accuracy: training accuracy logged in the last epoch, fraction; ``None`` if the
            model logs no accuracy.
        test_loss: loss on the test data after training.
        test_accuracy: accuracy on the test data, fraction; ``None`` without an accuracy metric.
        seconds_per_epoch: wall-clock seconds of ``fit`` divided by ``epochs_run``.
    """

    name: str
    params: int
    epochs_run: int
    best_epoch: int
    train_accuracy: float | None
    test_loss: float
    test_accuracy: float | None
    seconds_per_epoch: float


@dataclass(frozen=True)
class Comparison:
    """Everything ``compare_models`` measured, in the order the variants were given.

    Attributes:
        histories: name -> logged values per epoch (like ``History.history``).
        results: one :class:`RunResult` per variant.
        models: name -> the trained model.
    """

    histories: dict[str, HistoryDict]
    results: list[RunResult]
    models: dict[str, keras.Model]

    def as_rows(self) -> list[dict[str, Any]]:
        """The results as plain dicts (field name -> value), one per variant."""
        return [
            {
                "name": result.name,
                "params": result.params,
                "epochs_run": result.epochs_run,
                "best_epoch": result.best_epoch,
                "train_accuracy": result.train_accuracy,
                "test_loss": result.test_loss,
                "test_accuracy": result.test_accuracy,
                "seconds_per_epoch": result.seconds_per_epoch,
            }
            for result in self.results
        ]

    def table(self) -> str:
        """An aligned plain-text table, one row per variant (accuracies in percent)."""
        header = (
            "model",
            "test acc",
            "train acc",
            "test loss",
            "best epoch",
            "epochs",
            "s/epoch",
            "params",
        )
        rows = [
            (
                result.name,
                _percent(result.test_accuracy),
                _percent(result.train_accuracy),
                f"{result.test_loss:.4f}",
                str(result.best_epoch),
                str(result.epochs_run),
                f"{result.seconds_per_epoch:.2f}",
                f"{result.params:,}",
            )
            for result in self.results
        ]
        widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]

        def line(cells: Sequence[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
            return "  ".join((first, *rest)).rstrip()

        rule = "  ".join("-" * width for width in widths)
        return "\n".join([line(header), rule, *(line(row) for row in rows)])

    def plot(
        self, metrics: Sequence[str] = ("loss", "accuracy"), *, title: str | None = None
    ) -> Figure:
        """All runs' curves overlaid (one colour per run, validation dashed)."""
        return plot_history(self.histories, metrics, title=title)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"Comparison(runs={list(self.histories)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Show the table when a notebook cell ends with a Comparison."""
        printer.text(self.table())


def compare_models(
    builders: Mapping[str, Callable[[], keras.Model]],
    train_data: ArrayPair,
    *,
    test_data: ArrayPair,
    validation_data: ArrayPair | None = None,
    validation_split: float | None = None,
    epochs: int,
    batch_size: int,
    callbacks: Callable[[], list[keras.callbacks.Callback]] | None = None,
    seed: int = 42,
    plot: bool = True,
) -> Comparison:
    """Train every variant on the same data and compare them.

    Args:
        builders: name -> function returning a fresh, COMPILED model.
        train_data, test_data: ``(x, y)`` pairs; ``validation_data`` likewise (optional), or
            ``validation_split`` (fraction of the training data, 0..1) instead.
        epochs, batch_size: passed to ``fit`` (run with ``verbose=0``).
        callbacks: a function returning a NEW list of callbacks for each run (e.g.
            ``lambda: [keras.callbacks.EarlyStopping(patience=2)]``), so no state is shared.
        seed: ``helpers.set_seed(seed)`` is called before building each model.
        plot: in a notebook, display the overlaid curves once after the last run.

    Prints one line per finished run, e.g. "[2/4] dropout 0.2: test accuracy 97.12%,
    0.84 s/epoch".
    """
    if validation_data is not None and validation_split is not None:
        raise ValueError("give validation_data or validation_split, not both")
    if callbacks is not None and not callable(callbacks):
        raise TypeError(
            "callbacks must be a function returning a fresh list for each run, "
            "e.g. callbacks=lambda: [keras.callbacks.EarlyStopping(patience=2)]"
        )
    if not builders:
        raise ValueError("no models to compare")

    histories: dict[str, HistoryDict] = {}
    results: list[RunResult] = []
    models: dict[str, keras.Model] = {}
    x_train, y_train = train_data
    validation_options: dict[str, Any] = (
        {"validation_split": validation_split}
        if validation_split is not None
        else {"validation_data": validation_data}
    )
    for index, (name, build) in enumerate(builders.items(), start=1):
        helpers.set_seed(seed)
        model = build()
        start = time.perf_counter()
        history = model.fit(
            x_train,
            y_train,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=callbacks() if callbacks is not None else [],
            verbose=0,
            **validation_options,
        )
        seconds = time.perf_counter() - start
        logged = {
            key: [float(value) for value in values] for key, values in history.history.items()
        }
        result = _summarize_run(
            name, model, logged, seconds, evaluate(model, *test_data, batch_size=batch_size)
        )
        histories[name] = logged
        results.append(result)
        models[name] = model
        print(f"[{index}/{len(builders)}] {name}: {_progress_summary(result)}", flush=True)

    comparison = Comparison(histories=histories, results=results, models=models)
    if plot and running_in_notebook():
        from IPython.display import display

        display(comparison.plot())
    return comparison


def evaluate(
    model: keras.Model, x: Any, y: Any, *, batch_size: int | None = None
) -> dict[str, float]:
    """``model.evaluate`` quietly, as a dict metric name -> float (e.g. loss, accuracy)."""
    scores = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {name: float(value) for name, value in scores.items()}


def _summarize_run(
    name: str,
    model: keras.Model,
    history: HistoryDict,
    seconds: float,
    test_scores: dict[str, float],
) -> RunResult:
    epochs_run = len(history.get("loss", []))
    selection_loss = history.get("val_loss") or history.get("loss") or [0.0]
    best_epoch = min(range(len(selection_loss)), key=selection_loss.__getitem__) + 1
    train_accuracy_values = history.get(_accuracy_key(history) or "", [])
    return RunResult(
        name=name,
        params=int(model.count_params()),
        epochs_run=epochs_run,
        best_epoch=best_epoch,
        train_accuracy=train_accuracy_values[-1] if train_accuracy_values else None,
        test_loss=test_scores.get("loss", float("nan")),
        test_accuracy=test_scores.get(_accuracy_key(test_scores) or ""),
        seconds_per_epoch=seconds / max(epochs_run, 1),
    )


def _accuracy_key(logs: Mapping[str, Any]) -> str | None:
    """``"accuracy"`` if logged, else the first training metric named like an accuracy."""
    if "accuracy" in logs:
        return "accuracy"
    candidates = [key for key in logs if "acc" in key and not key.startswith("val_")]
    return candidates[0] if candidates else None


def _progress_summary(result: RunResult) -> str:
    if result.test_accuracy is None:
        quality = f"test loss {result.test_loss:.4f}"
    else:
        quality = f"test accuracy {result.test_accuracy:.2%}"
    return f"{quality}, {result.seconds_per_epoch:.2f} s/epoch"


def _percent(fraction: float | None) -> str:
    return "-" if fraction is None else f"{fraction:.2%}"
