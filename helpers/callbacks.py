"""Live training curves in Jupyter and Colab: the :class:`PlotTraining` Keras callback.

Use it with ``fit(..., verbose=0, callbacks=[PlotTraining()])``: after every epoch the loss
and accuracy panels (training solid, validation dashed) are redrawn in place, in one output
area that does not grow. Outside a notebook kernel (scripts, pytest, CI) it draws nothing
and prints nothing; ``save_path`` still saves the final figure as a PNG.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from helpers.session import import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from helpers.plotting import HistoryDict, draw_history  # noqa: E402

PANEL_WIDTH_INCHES = 5.0
FIGURE_HEIGHT_INCHES = 3.6


def running_in_notebook() -> bool:
    """True inside a Jupyter/Colab kernel (the IPython shell has a ``kernel``), else False."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class PlotTraining(keras.callbacks.Callback):
    """Redraw loss and accuracy curves in place after each epoch of ``fit``.

    Args:
        metrics: metric names to plot, one panel each; the validation curve ``val_<name>`` is
            drawn dashed when ``fit`` has validation data. Metrics the model does not log are
            skipped.
        save_path: if given, the final figure is saved there as a PNG at the end of training.
        live: ``True`` to draw live, ``False`` never to, ``None`` (default) to draw live only
            inside a notebook kernel.
        title: figure title; the current epoch ("epoch 3/10") is appended.

    After training, ``history`` holds the logged values (metric -> list, one per epoch) and
    ``figure`` the last figure drawn (``None`` if nothing was drawn).
    """

    def __init__(
        self,
        metrics: Sequence[str] = ("loss", "accuracy"),
        *,
        save_path: str | os.PathLike[str] | None = None,
        live: bool | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.metrics = tuple(metrics)
        self.save_path = save_path
        self.live = live
        self.title = title
        self.history: HistoryDict = {}
        self.figure: Figure | None = None
        self._display_handle: Any = None
        self._drawing_live = False

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.history = {}
        self.figure = None
        self._display_handle = None
        self._drawing_live = running_in_notebook() if self.live is None else self.live
        if self._drawing_live:
            import IPython.display

            self._redraw()
            self._display_handle = IPython.display.display(self.figure, display_id=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self._drawing_live:
            self._redraw()
            if self._display_handle is not None:
                self._display_handle.update(self.figure)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.save_path is not None:
            if not self._drawing_live:  # the live figure is already up to date
                self._redraw()
            self.figure.savefig(self.save_path, format="png", dpi=100)

    @property
    def planned_epochs(self) -> int | None:
        """Epochs ``fit`` was asked for (``self.params["epochs"]``), once training started."""
        return (self.params or {}).get("epochs")

    def _redraw(self) -> None:
        """Draw the curves logged so far into :attr:`figure` (created on first use)."""
        if self.figure is None:
            self.figure = plt.figure()
            plt.close(self.figure)  # shown only through the display handle, never by pyplot
        draw_history(
            self.figure, {None: self.history}, self.metrics, max_epochs=self.planned_epochs
        )
        panels = len(self.figure.axes)
        self.figure.set_size_inches(PANEL_WIDTH_INCHES * panels, FIGURE_HEIGHT_INCHES)
        self.figure.suptitle(self._progress_title())
        self.figure.tight_layout()

    def _progress_title(self) -> str:
        done = len(self.history.get("loss", [])) or max(map(len, self.history.values()), default=0)
        progress = f"epoch {done}/{self.planned_epochs}" if self.planned_epochs else f"epoch {done}"
        steps = (self.params or {}).get("steps")
        if steps:
            progress += f", {steps} steps per epoch"
        return f"{self.title}: {progress}" if self.title else f"Training: {progress}"


class EpochTimer(keras.callbacks.Callback):
    """Times every epoch of ``fit``: ``seconds`` (wall time of each epoch), ``cpu_seconds``
    (process CPU time of each epoch) and ``elapsed`` (wall time since the start of training,
    at the end of each epoch: the x axis of an accuracy-per-second plot).

    The first epoch includes tracing and compiling the model; compare the later ones. A second
    ``fit`` with the same timer appends to the lists (``elapsed`` restarts from 0).
    """

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self.elapsed: list[float] = []
        self._train_start = 0.0
        self._start = 0.0
        self._cpu_start = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._train_start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self._cpu_start = time.process_time()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        now = time.perf_counter()
        self.seconds.append(now - self._start)
        self.cpu_seconds.append(time.process_time() - self._cpu_start)
        self.elapsed.append(now - self._train_start)
