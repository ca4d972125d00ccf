"""benchmarks.recipes: candidates, selection on validation (never on test) and the report, on
made-up measurements (nothing is trained here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import recipes

MACHINE = {"cpu": "a CPU", "cores": 2, "python": "3.11", "system": "Linux", "date": "today"}


def run(
    name: str,
    val: list[float],
    test: float | None = None,
    *,
    status: str = "trained",
    seconds: float = 40.0,
) -> dict[str, Any]:
    """A measured candidate: one validation accuracy per epoch."""
    recipe = recipes.CANDIDATES.get(name, recipes.Recipe(name, "made up"))
    measured = {
        "name": name,
        "recipe": recipe.settings() | {"epochs": 12},
        "status": status,
        "load_before": 1.0,
        "load_after": 2.0,
        "weights": f"/nowhere/{name}.weights.h5",
        "epochs": [
            {
                "epoch": i + 1,
                "seconds": seconds + (10.0 if i == 0 else 0.0),
                "learning_rate": 0.01 * 0.6**i,
                "loss": 0.1,
                "accuracy": 0.99,
                "val_loss": 0.02,
                "val_accuracy": v,
                "load": 1.5 + i,
            }
            for i, v in enumerate(val)
        ],
    }
    if test is not None:
        measured["test_accuracy"] = test
    return measured


def results(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": "MNIST: made up",
        "split": "training on images 1-55,000, validation on the last 5,000",
        "machine": MACHINE,
        "tensorflow": "2.21.0",
        "runs": runs,
        "selected": recipes.select_on_validation(runs),
        "seconds": 600.0,
    }


def test_the_default_candidates_exist_and_the_floor_comes_first():
    assert recipes.DEFAULT_CANDIDATES[0] == "floor-1e-4"
    assert set(recipes.DEFAULT_CANDIDATES) <= set(recipes.CANDIDATES)
    assert recipes.CANDIDATES["current"].model_kwargs == {}  # the course's recipe as it is
    assert recipes.CANDIDATES["floor-1e-4"].model_kwargs == {"learning_rate_floor": 1e-4}


def test_parse_candidates_keeps_the_order_and_rejects_unknown_or_repeated_names():
    chosen = recipes.parse_candidates("current, floor-1e-4")
    assert [r.name for r in chosen] == ["current", "floor-1e-4"]
    for bad in ("nonsense", "", "current,current"):
        with pytest.raises(ValueError):
            recipes.parse_candidates(bad)


def test_best_epoch_is_the_highest_validation_accuracy_earliest_of_equals():
    measured = run("a", [0.990, 0.994, 0.993, 0.994])
    assert recipes.best_epoch(measured)["epoch"] == 2
    assert recipes.best_epoch(run("b", [])) is None


def test_selection_uses_validation_not_test():
    runs = [
        run("high-val", [0.990, 0.996], test=0.990),
        run("high-test", [0.991, 0.995], test=0.999),
    ]
    assert recipes.select_on_validation(runs) == "high-val"


def test_selection_ignores_incomplete_candidates_and_breaks_ties_by_order():
    runs = [
        run("first", [0.995]),
        run("second", [0.995]),
        run("cut-short", [0.999], status="incomplete"),
    ]
    assert recipes.select_on_validation(runs) == "first"
    assert recipes.select_on_validation([run("cut-short", [0.999], status="incomplete")]) is None


def test_summary_row_times_and_best_epoch():
    row = recipes.summary_row(run("a", [0.99, 0.995, 0.994], test=0.996, seconds=40.0))
    assert row["best_epoch"] == 2 and row["best_val_accuracy"] == 0.995
    assert row["train_minutes"] == pytest.approx((50 + 40 + 40) / 60)
    assert row["seconds_per_epoch"] == pytest.approx(130 / 3)
    assert row["epochs_done"] == 3 and row["epochs_planned"] == 12
    assert row["load"] == [1.0, 2.0] and row["max_load_during"] == 3.5


def test_report_marks_the_selected_candidate_and_the_target():
    text = recipes.render_markdown(
        results(
            [
                run("floor-1e-4", [0.993, 0.9962], test=0.9951),
                run("current", [0.992, 0.9950], test=0.9958),
            ]
        )
    )
    assert "**`floor-1e-4` (selected on validation)**" in text
    assert "`current` (" not in text  # only the selected one is marked
    assert "learning_rate_floor=0.0001" in text
    assert "Reached 99.5% on validation: `floor-1e-4`, `current`." in text
    assert "Reached 99.5% on test: `floor-1e-4`, `current`." in text
    assert "Selected on validation: `floor-1e-4` (99.62% validation, 99.51% test)" in text
    assert "| 2 | 99.62 (40 s, lr 6.0e-03) | 99.50 (40 s, lr 6.0e-03) |" in text


def test_report_of_a_stopped_run_says_what_is_missing():
    text = recipes.render_markdown(
        results([run("floor-1e-4", [0.993]), run("current", [0.99], status="incomplete")])
    )
    assert "`current` (incomplete)" in text
    assert "not yet evaluated" in text
    assert "| 1/12 |" in text
    assert "| – |" in text  # no test accuracy yet


def test_render_only_rewrites_the_report_from_the_json(tmp_path: Path):
    saved = results([run("floor-1e-4", [0.99, 0.996], test=0.995), run("current", [0.997])])
    saved["selected"] = "floor-1e-4"  # stale: recomputed from validation on rendering
    (tmp_path / recipes.JSON_NAME).write_text(json.dumps(saved))
    assert recipes.main(["--render-only", "--output-dir", str(tmp_path)]) == 0
    text = (tmp_path / recipes.MD_NAME).read_text()
    assert "**`current` (selected on validation)**" in text
    assert json.loads((tmp_path / recipes.JSON_NAME).read_text())["selected"] == "current"


def test_resume_keeps_completed_candidates_and_retrains_one_cut_short():
    saved = [run("floor-1e-4", [0.99]), run("current", [0.98], status="incomplete")]
    requested = recipes.parse_candidates("floor-1e-4,current,floor-1e-4-slow")
    kept, to_train = recipes.resume_plan(saved, requested)
    assert [r["name"] for r in kept] == ["floor-1e-4"]
    assert [r.name for r in to_train] == ["current", "floor-1e-4-slow"]


def test_every_candidate_is_a_model_the_course_can_build():
    """Each candidate's keyword arguments are ones helpers.models.cnn_final accepts."""
    from helpers import models

    for recipe in recipes.CANDIDATES.values():
        model = models.cnn_final(steps_per_epoch=10, **recipes.builder_kwargs(recipe))
        assert model.name == "cnn_final", recipe.name
    averaged = recipes.builder_kwargs(recipes.CANDIDATES["floor-1e-4-ema"])
    assert models.cnn_final(steps_per_epoch=10, **averaged).optimizer.use_ema


def test_candidates_change_the_search_start_not_cnn_finals_defaults():
    current = recipes.builder_kwargs(recipes.CANDIDATES["current"])
    assert current == recipes.SEARCH_START
    wide = recipes.builder_kwargs(recipes.CANDIDATES["floor-1e-4-wide"])
    assert wide["decay_rate"] == 0.6 and wide["label_smoothing"] == 0.0
    assert wide["learning_rate_floor"] == 1e-4 and wide["filters"] == (32, 64, 96)


def test_cnn_finals_defaults_are_the_recipe_the_committed_search_selected_on_validation():
    """The course's final model (and its benchmark row) is the candidate that
    benchmarks/results-recipes.json records as selected on validation."""
    import inspect

    from benchmarks.experiments import experiment_by_name
    from helpers import models

    committed = json.loads((recipes.RESULTS_DIR / recipes.JSON_NAME).read_text())
    selected = recipes.CANDIDATES[committed["selected"]]
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(models.cnn_final).parameters.items()
        if name in recipes.SEARCH_START
    }
    assert defaults == recipes.builder_kwargs(selected)
    row = experiment_by_name("cnn_final")
    assert (row.epochs, row.batch_size) == (selected.epochs, selected.batch_size)


def test_every_candidate_row_names_the_machine_it_trained_on():
    from benchmarks.recipes import measured_on, summary_table

    machine = {"cpu": "AMD EPYC", "cores": 2, "date": "2026-12-03 13:37 UTC"}
    assert measured_on(machine) == "AMD EPYC, 2 cores, 2026-12-03"
    run = {
        "name": "current",
        "recipe": {"epochs": 1, "batch_size": 100, "seed": 42, "model_kwargs": {}},
        "epochs": [{"epoch": 1, "val_accuracy": 0.99, "seconds": 30.0, "load": 1.0}],
        "measured_on": measured_on(machine),
    }
    older = {**run, "name": "floor-1e-4"}
    del older["measured_on"]
    table = summary_table({"runs": [run, older], "selected": "current"})
    assert table.splitlines()[0].endswith("| measured on |")
    assert table.splitlines()[2].endswith("| AMD EPYC, 2 cores, 2026-12-03 |")
    assert table.splitlines()[3].endswith("| – |")
