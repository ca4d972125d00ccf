"""A recipe search for the course's final CNN (``helpers.models.cnn_final``) on full MNIST.

    python -m benchmarks.recipes                                   # the default candidates
    python -m benchmarks.recipes --candidates floor-1e-4,current --epochs 12 --output-dir DIR
    python -m benchmarks.recipes --candidates smoke --epochs 1     # end to end in a minute
    python -m benchmarks.recipes --resume --candidates floor-1e-4-wide  # add a candidate
    python -m benchmarks.recipes --evaluate-only                   # test the saved weights
    python -m benchmarks.recipes --render-only                     # the report again, from JSON

Each candidate (a :class:`Recipe`: builder keyword arguments on top of :data:`SEARCH_START`,
batch size, epochs, seed) trains
on the first 55,000 training images and is validated after every epoch on the LAST 5,000
(``helpers.splits.tail_validation_split``; on a smaller data set its fallback split). The
weights of the best validation epoch are kept (saved to ``<output-dir>/weights/<name>``),
not the last epoch's. When every candidate has trained, the best one ON VALIDATION is selected
(:func:`select_on_validation`; the test set plays no part), and only then is the test set
evaluated, once per candidate, with its kept weights: the report shows every candidate's test
accuracy and marks the one validation selected.

``results-recipes.md`` and ``results-recipes.json`` (in ``benchmarks/`` unless
``--output-dir``) are rewritten after every epoch, so a stopped run keeps what it measured
(a candidate cut short is marked *incomplete*). ``--resume`` keeps the completed candidates
of an earlier run in the same output dir and trains the requested ones it lacks (one table
for all); ``--evaluate-only`` runs the test step for the candidates whose weights were saved.
Wall time per epoch includes that epoch's validation pass; the load average (1 minute) is
recorded before, after every epoch and after each candidate. Wall time is reported, never
used to choose.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_machine
from benchmarks.processes import ROOT
from benchmarks.report import markdown_table
from benchmarks.results_files import without_machine_paths, write_report_and_json

RESULTS_DIR = ROOT / "benchmarks"
MD_NAME = "results-recipes.md"
JSON_NAME = "results-recipes.json"
WEIGHTS_DIR = "weights"
N_TRAIN = 55_000
N_VALIDATION = 5_000
TARGET = 0.995
TEST_BATCH = 1_000


# ``cnn_final``'s settings when the search began; every candidate's keyword arguments are
# changes to these, so a candidate means the same model whatever cnn_final's defaults are
# (tests/benchmarks/test_recipes.py checks that those are the candidate selected on validation).
SEARCH_START: dict[str, Any] = {
    "initial_learning_rate": 0.01,
    "decay_rate": 0.6,
    "learning_rate_floor": 0.0,
    "label_smoothing": 0.0,
}


@dataclass(frozen=True)
class Recipe:
    """One candidate: ``helpers.models.cnn_final(steps_per_epoch, **(SEARCH_START |
    model_kwargs))`` trained ``epochs`` epochs at ``batch_size`` from ``seed``."""

    name: str
    description: str
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 100
    epochs: int = 12
    seed: int = 42

    def settings(self) -> dict[str, Any]:
        return asdict(self)


CANDIDATES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "floor-1e-4",
            "cnn_final, Adam 0.01 × 0.6^epoch + 1e-4 floor (Görner's schedule)",
            {"learning_rate_floor": 1e-4},
        ),
        Recipe(
            "current",
            "cnn_final as the course had it when the search began (SEARCH_START): "
            "Adam 0.01 × 0.6^epoch, no floor",
        ),
        Recipe(
            "floor-1e-4-seed-7",
            "floor-1e-4 again from another seed: how far candidates differ by chance",
            {"learning_rate_floor": 1e-4},
            seed=7,
        ),
        Recipe(
            "floor-1e-4-slow",
            "floor 1e-4 and a slower decay, Adam 0.01 × 0.75^epoch + 1e-4, 15 epochs",
            {"learning_rate_floor": 1e-4, "decay_rate": 0.75},
            epochs=15,
        ),
        Recipe(
            "floor-1e-4-light-aug",
            "floor 1e-4, lighter augmentation: rotations ±8°, shifts ±8%",
            {"learning_rate_floor": 1e-4, "rotation_degrees": 8.0, "shift_fraction": 0.08},
        ),
        Recipe(
            "floor-1e-4-wide",
            "floor 1e-4, wider: filters 32/64/96, dense 300",
            {"learning_rate_floor": 1e-4, "filters": (32, 64, 96), "dense_units": 300},
        ),
        Recipe(
            "floor-1e-4-b200",
            "floor 1e-4, batch 200 (half the steps per epoch)",
            {"learning_rate_floor": 1e-4},
            batch_size=200,
        ),
        Recipe(
            "floor-1e-4-ema",
            "floor 1e-4 and weight averaging: Adam's moving average (momentum 0.99) of the "
            "weights written into the model after every epoch",
            {"learning_rate_floor": 1e-4, "weight_averaging": 0.99},
        ),
        Recipe(
            "floor-1e-4-slow-ema-20",
            "floor 1e-4, the slower decay 0.75^epoch and weight averaging (0.99), 20 epochs",
            {"learning_rate_floor": 1e-4, "decay_rate": 0.75, "weight_averaging": 0.99},
            epochs=20,
        ),
        Recipe(
            "floor-1e-4-wide-ema",
            "floor 1e-4, wider (filters 32/64/96, dense 300) and weight averaging (0.99)",
            {
                "learning_rate_floor": 1e-4,
                "filters": (32, 64, 96),
                "dense_units": 300,
                "weight_averaging": 0.99,
            },
        ),
        Recipe(
            "floor-1e-4-slow-seed-7",
            "floor-1e-4-slow again from another seed: how far it differs by chance",
            {"learning_rate_floor": 1e-4, "decay_rate": 0.75},
            epochs=15,
            seed=7,
        ),
        Recipe(
            "floor-1e-4-slow-smooth",
            "floor-1e-4-slow with label smoothing 0.1 (targets 0.91 and 0.01)",
            {"learning_rate_floor": 1e-4, "decay_rate": 0.75, "label_smoothing": 0.1},
            epochs=15,
        ),
        Recipe(
            "smoke",
            "a tiny cnn_final (filters 4/8/8, dense 16) to check the script end to end",
            {"learning_rate_floor": 1e-4, "filters": (4, 8, 8), "dense_units": 16},
            epochs=1,
        ),
    )
}
DEFAULT_CANDIDATES = ("floor-1e-4", "current")


# ---------------------------------------------------------------------------------------------
# pure parts: selection and report (tested with made-up numbers)
# ---------------------------------------------------------------------------------------------


def best_epoch(run: dict[str, Any]) -> dict[str, Any] | None:
    """The epoch record with the highest validation accuracy (the earliest of equals)."""
    epochs = run.get("epochs", [])
    if not epochs:
        return None
    return max(epochs, key=lambda e: (e["val_accuracy"], -e["epoch"]))


def select_on_validation(runs: Sequence[dict[str, Any]]) -> str | None:
    """The name of the candidate with the best validation accuracy; ties go to the one listed
    first. Only complete candidates count; test accuracy and wall time are never looked at."""
    best_name, best_value = None, -math.inf
    for run in runs:
        if run.get("status") == "incomplete":
            continue
        record = best_epoch(run)
        if record is not None and record["val_accuracy"] > best_value:
            best_name, best_value = run["name"], record["val_accuracy"]
    return best_name


def summary_row(run: dict[str, Any]) -> dict[str, Any]:
    """What the table shows for one candidate."""
    epochs = run.get("epochs", [])
    best = best_epoch(run)
    seconds = [e["seconds"] for e in epochs]
    return {
        "name": run["name"],
        "epochs_done": len(epochs),
        "epochs_planned": run["recipe"]["epochs"],
        "best_val_accuracy": best["val_accuracy"] if best else None,
        "best_epoch": best["epoch"] if best else None,
        "test_accuracy": run.get("test_accuracy"),
        "train_minutes": sum(seconds) / 60.0,
        "seconds_per_epoch": sum(seconds) / len(seconds) if seconds else None,
        "first_epoch_seconds": seconds[0] if seconds else None,
        "load": [run.get("load_before"), run.get("load_after")],
        "max_load_during": max(
            (e["load"] for e in epochs if e.get("load") is not None), default=None
        ),
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _settings_text(recipe: dict[str, Any]) -> str:
    kwargs = ", ".join(f"{k}={v}" for k, v in sorted(recipe["model_kwargs"].items()))
    return f"batch {recipe['batch_size']}, seed {recipe['seed']}" + (
        f", {kwargs}" if kwargs else ""
    )


def summary_table(results: dict[str, Any]) -> str:
    selected = results.get("selected")
    rows = []
    for run in results["runs"]:
        row = summary_row(run)
        name = f"`{run['name']}`"
        if run["name"] == selected:
            name = f"**{name} (selected on validation)**"
        elif run.get("status") == "incomplete":
            name += " (incomplete)"
        rows.append(
            [
                name,
                _settings_text(run["recipe"]),
                f"{row['epochs_done']}/{row['epochs_planned']}",
                _pct(row["best_val_accuracy"]),
                "–" if row["best_epoch"] is None else str(row["best_epoch"]),
                _pct(row["test_accuracy"]),
                _num(row["train_minutes"]),
                _num(row["seconds_per_epoch"], 0),
                f"{_num(row['load'][0], 2)} / {_num(row['load'][1], 2)}",
                _num(row["max_load_during"], 2),
                run.get("measured_on", "–"),
            ]
        )
    header = [
        "candidate",
        "settings",
        "epochs",
        "best val. acc. %",
        "best epoch",
        "test acc. % (best-val. weights)",
        "training min",
        "s/epoch",
        "load before / after",
        "max load at epoch ends",
        "measured on",
    ]
    return markdown_table(header, rows)


def epoch_table(results: dict[str, Any]) -> str:
    """Validation accuracy (and the epoch's wall seconds) per epoch, one column per candidate."""
    runs = results["runs"]
    longest = max((len(run.get("epochs", [])) for run in runs), default=0)
    rows = []
    for index in range(longest):
        row = [str(index + 1)]
        for run in runs:
            epochs = run.get("epochs", [])
            if index < len(epochs):
                e = epochs[index]
                row.append(
                    f"{100 * e['val_accuracy']:.2f} "
                    f"({e['seconds']:.0f} s, lr {e['learning_rate']:.1e})"
                )
            else:
                row.append("–")
        rows.append(row)
    header = ["epoch"] + [f"`{run['name']}` val. % (s, lr)" for run in runs]
    return markdown_table(header, rows)


def verdict(results: dict[str, Any]) -> list[str]:
    """Sentences on the target: which candidates reached it on validation and on test."""
    target = f"{100 * TARGET:.1f}%"
    on_val = [
        r["name"] for r in results["runs"] if (summary_row(r)["best_val_accuracy"] or 0) >= TARGET
    ]
    on_test = [r["name"] for r in results["runs"] if (r.get("test_accuracy") or 0) >= TARGET]
    selected = results.get("selected")
    lines = [
        f"- Reached {target} on validation: "
        + (", ".join(f"`{n}`" for n in on_val) or "none")
        + ".",
        f"- Reached {target} on test: "
        + (", ".join(f"`{n}`" for n in on_test) or "none")
        + (
            " (test accuracy not yet evaluated for every candidate)."
            if any(r.get("test_accuracy") is None for r in results["runs"])
            else "."
        ),
    ]
    if selected:
        run = next(r for r in results["runs"] if r["name"] == selected)
        lines.append(
            f"- Selected on validation: `{selected}` "
            f"({_pct(summary_row(run)['best_val_accuracy'])}% "
            f"validation, {_pct(run.get('test_accuracy'))}% test)."
        )
    else:
        lines.append("- No candidate completed its training; none selected.")
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    out = [
        "# Recipe search for the final CNN (`helpers.models.cnn_final`)",
        "",
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['system']}, Python {machine['python']}, "
        f"TensorFlow {results.get('tensorflow', '?')} (the last run; `--resume` keeps earlier "
        "candidates, and the table names the machine and day each one trained on).",
        "",
        "Generated by `python -m benchmarks.recipes`; do not edit by hand "
        "(`--render-only` rewrites it from the JSON).",
        "",
        f"Data: {results['data']}. Split: {results['split']}.",
        "",
        "Each candidate keeps the weights of its **best validation epoch** (not the last). The "
        "candidate is selected on validation accuracy alone; the test set is evaluated once per "
        "candidate, after the selection, with those weights. Wall time per epoch includes the "
        "validation pass and the first epoch's tracing; the load average (1 min) was read before "
        "each candidate, after each epoch and after the candidate. Wall times are reported, "
        "not used to choose.",
        "",
        summary_table(results),
        "",
        *verdict(results),
        "",
        "## Validation accuracy per epoch",
        "",
        "lr is the Adam learning rate during the epoch (at its first step).",
        "",
        epoch_table(results),
        "",
        f"Benchmark wall time so far: {results['seconds'] / 60:.1f} minutes.",
        "",
    ]
    return "\n".join(out)


def write_results(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """Write ``results-recipes.md`` and ``.json`` into ``directory``; their paths."""
    return write_report_and_json(results, directory, (MD_NAME, JSON_NAME), render_markdown)


def parse_candidates(text: str) -> list[Recipe]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in CANDIDATES]
    if unknown or not names:
        raise ValueError(f"unknown candidate(s) {unknown}; choose from {', '.join(CANDIDATES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a candidate is named twice in {names}")
    return [CANDIDATES[name] for name in names]


def measured_on(machine: dict[str, Any]) -> str:
    """``"AMD EPYC, 2 cores, 2026-12-03"``: where and when a candidate trained."""
    return f"{machine['cpu']}, {machine['cores']} cores, {machine['date'][:10]}"


def resume_plan(
    saved_runs: Sequence[dict[str, Any]], requested: Sequence[Recipe]
) -> tuple[list[dict[str, Any]], list[Recipe]]:
    """``--resume``: the saved candidates to keep (the completed ones; one cut short is trained
    again) and the requested recipes still to train (those not kept), in order."""
    kept = [run for run in saved_runs if run.get("status") != "incomplete"]
    done = {run["name"] for run in kept}
    return kept, [recipe for recipe in requested if recipe.name not in done]


# ---------------------------------------------------------------------------------------------
# training (needs TensorFlow and the data)
# ---------------------------------------------------------------------------------------------


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def builder_kwargs(recipe: Recipe) -> dict[str, Any]:
    """The keyword arguments ``cnn_final`` gets for ``recipe``: :data:`SEARCH_START` updated
    by the candidate's own (filters as a tuple, as JSON gives a list)."""
    kwargs = SEARCH_START | recipe.model_kwargs
    if "filters" in kwargs:
        kwargs["filters"] = tuple(kwargs["filters"])
    return kwargs


def _build(recipe: Recipe, n_train: int) -> Any:
    from helpers import models

    kwargs = builder_kwargs(recipe)
    steps = math.ceil(n_train / recipe.batch_size)
    return models.cnn_final(steps, **kwargs)


def _weights_path(directory: Path, name: str) -> Path:
    return directory / WEIGHTS_DIR / f"{name}.weights.h5"


def train(recipe: Recipe, data: dict[str, Any], directory: Path, save: Any) -> dict[str, Any]:
    """Train one candidate; call ``save(run)`` after every epoch. Returns the run record."""
    import keras

    from helpers.session import set_seed

    x_train, y_train = data["train"]
    set_seed(recipe.seed)
    model = _build(recipe, len(x_train))
    weights = _weights_path(directory, recipe.name)
    weights.parent.mkdir(parents=True, exist_ok=True)
    run: dict[str, Any] = {
        "name": recipe.name,
        "recipe": recipe.settings(),
        "status": "incomplete",
        "parameters": model.count_params(),
        "load_before": load_average(),
        "measured_on": measured_on(describe_machine()),
        "epochs": [],
        "weights": weights.relative_to(directory).as_posix(),  # no machine paths in the results
    }
    best = [-math.inf]

    class Recorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.started = time.perf_counter()
            rate = self.model.optimizer.learning_rate
            self.rate = float(keras.ops.convert_to_numpy(rate))

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs = logs or {}
            record = {
                "epoch": epoch + 1,
                "seconds": time.perf_counter() - self.started,
                "learning_rate": self.rate,
                "loss": float(logs["loss"]),
                "accuracy": float(logs["accuracy"]),
                "val_loss": float(logs["val_loss"]),
                "val_accuracy": float(logs["val_accuracy"]),
                "load": load_average(),
            }
            run["epochs"].append(record)
            if record["val_accuracy"] > best[0]:
                best[0] = record["val_accuracy"]
                self.model.save_weights(weights)
            print(
                f"  {recipe.name} epoch {epoch + 1}/{recipe.epochs}: "
                f"val {100 * record['val_accuracy']:.2f}% "
                f"({record['seconds']:.0f} s, lr {self.rate:.1e}, load {record['load']})",
                flush=True,
            )
            save(run)

    model.fit(
        x_train,
        y_train,
        batch_size=recipe.batch_size,
        epochs=recipe.epochs,
        validation_data=data["validation"],
        callbacks=[Recorder()],
        verbose=0,
    )
    run["status"] = "trained"
    run["load_after"] = load_average()
    save(run)
    return run


def evaluate_test(run: dict[str, Any], data: dict[str, Any], directory: Path) -> float:
    """Test accuracy of a candidate's kept (best-validation) weights: the test set, once.

    ``run["weights"]`` is relative to the output ``directory``."""
    recipe = Recipe(**{**run["recipe"], "model_kwargs": run["recipe"]["model_kwargs"]})
    model = _build(recipe, len(data["train"][0]))
    with warnings.catch_warnings():  # the fresh optimizer has no slots to load: expected
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(directory / run["weights"])
    _, accuracy = model.evaluate(*data["test"], batch_size=TEST_BATCH, verbose=0)
    return float(accuracy)


def load_data(data_dir: str | None) -> dict[str, Any]:
    from helpers.data import conv_inputs, load_mnist_dataset
    from helpers.splits import tail_validation_split

    dataset = load_mnist_dataset(data_dir)
    split = tail_validation_split(dataset.x_train, dataset.y_train, N_TRAIN, N_VALIDATION)
    return {
        "train": conv_inputs(*split.train),
        "validation": conv_inputs(*split.validation),
        "test": conv_inputs(dataset.x_test, dataset.y_test),
        "description": without_machine_paths(dataset.source.description.rstrip(".")),
        "split": split.description,
    }


def _context(data: dict[str, Any], started: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    import tensorflow as tf

    return {
        "data": data["description"],
        "split": data["split"],
        "machine": describe_machine(),
        "tensorflow": tf.__version__,
        "runs": runs,
        "selected": select_on_validation(runs),
        "seconds": time.perf_counter() - started,
    }


def _test_all(results: dict[str, Any], data: dict[str, Any], directory: Path) -> None:
    for run in results["runs"]:
        kept = directory / run["weights"]
        if run.get("test_accuracy") is None and run["epochs"] and kept.exists():
            run["test_accuracy"] = evaluate_test(run, data, directory)
            print(f"  {run['name']}: test {100 * run['test_accuracy']:.2f}%", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.recipes",
        description="Train candidate recipes of the final CNN, select on validation, then test.",
    )
    parser.add_argument(
        "--candidates",
        default=",".join(DEFAULT_CANDIDATES),
        help=f"comma-separated, from: {', '.join(CANDIDATES)} "
        f"(default {','.join(DEFAULT_CANDIDATES)})",
    )
    parser.add_argument("--epochs", type=int, help="override every candidate's epochs")
    parser.add_argument(
        "--output-dir", type=Path, default=RESULTS_DIR, help="where the results go (benchmarks/)"
    )
    parser.add_argument(
        "--data-dir", help="MNIST directory (default: $MNIST_DATA_DIR, then the Keras cache)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--render-only", action="store_true", help="train nothing: rewrite the report from the JSON"
    )
    mode.add_argument(
        "--evaluate-only",
        action="store_true",
        help="train nothing: evaluate the test set for saved candidates that lack it",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the completed candidates of the JSON in --output-dir; train the others",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    json_path = args.output_dir / JSON_NAME
    if args.render_only:
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        saved["selected"] = select_on_validation(saved["runs"])
        md, js = write_results(saved, args.output_dir)
        print(f"rewrote {md} and {js}")
        return 0
    try:
        recipes = parse_candidates(args.candidates)
    except ValueError as error:
        parser.error(str(error))
    if args.epochs is not None:
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
        recipes = [Recipe(**{**r.settings(), "epochs": args.epochs}) for r in recipes]

    started = time.perf_counter()
    data = load_data(args.data_dir)
    print(f"{data['description']}; {data['split']}", flush=True)
    if args.evaluate_only:
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        saved["selected"] = select_on_validation(saved["runs"])
        _test_all(saved, data, args.output_dir)
        write_results(saved, args.output_dir)
        return 0

    runs: list[dict[str, Any]] = []
    if args.resume and json_path.exists():
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        for run in saved["runs"]:  # runs saved before the column existed: the file's machine
            run.setdefault("measured_on", measured_on(saved["machine"]))
        runs, recipes = resume_plan(saved["runs"], recipes)
        started -= saved["seconds"]  # the report's wall time covers every invocation
        kept = ", ".join(r["name"] for r in runs) or "nothing"
        print(f"resuming: keeping {kept}; training {[r.name for r in recipes]}", flush=True)

    def save(current: dict[str, Any]) -> None:
        shown = runs + ([current] if current not in runs else [])
        write_results(_context(data, started, shown), args.output_dir)

    for recipe in recipes:
        print(f"training {recipe.name}: {recipe.description}", flush=True)
        run = train(recipe, data, args.output_dir, save)
        runs.append(run)
        save(run)
    results = _context(data, started, runs)
    print(f"selected on validation: {results['selected']}; now the test set, once each", flush=True)
    _test_all(results, data, args.output_dir)
    results["seconds"] = time.perf_counter() - started
    md, js = write_results(results, args.output_dir)
    print(render_markdown(results))
    print(f"wrote {md} and {js}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
