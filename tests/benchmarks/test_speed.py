"""benchmarks.speed and its report: a row per model and setting, a clean skip without torch,
the comparisons and the goals missed. Runners are fakes: nothing trains here."""

from __future__ import annotations

import pytest

from benchmarks import speed
from benchmarks.measure import RunSettings
from benchmarks.peers import SKIP_MESSAGE, PeerSettings
from benchmarks.report import speed_comparison_table, write_speed_report


def fake_run(samples_per_second: float) -> dict:
    return {
        "epoch_seconds": [2.0, 1.0],
        "epoch_cpu_seconds": [3.0, 2.0],
        "samples_per_second": samples_per_second,
        "achieved_gflops": samples_per_second / 1000,
        "forward_flops_per_sample": 1000,
        "test_accuracy": 0.9,
        "train_images": 10_000,
        "peak_memory_mb": 900.0,
    }


def keras_runner(calls: list[RunSettings]):
    def run(settings: RunSettings) -> dict:
        calls.append(settings)
        return fake_run(20_000.0)

    return run


def peer_runner(calls: list[PeerSettings]):
    def run(settings: PeerSettings) -> dict:
        calls.append(settings)
        return fake_run(40_000.0)

    return run


def test_every_model_gets_every_setting_and_the_peer():
    keras_calls: list[RunSettings] = []
    peer_calls: list[PeerSettings] = []
    rows = speed.speed_rows(
        1,
        data_dir="/data",
        keras_runner=keras_runner(keras_calls),
        peer_runner=peer_runner(peer_calls),
        torch_installed=True,
    )
    for case in speed.SPEED_CASES:
        settings = [row["setting"] for row in rows if row["experiment"] == case.experiment]
        expected = [v.label for v in speed.KERAS_VARIANTS if case.input_kind in v.input_kinds]
        assert settings == [*expected, speed.PEER_LABEL]
        assert {"Keras plain fit", speed.COURSE_LABEL, "course + tf.data"} <= set(settings)
    assert {(c.experiment, c.batch_size) for c in peer_calls} == {
        (case.experiment, case.batch_size) for case in speed.SPEED_CASES
    }
    assert all(call.data_dir == "/data" and call.epochs == 1 for call in keras_calls)
    # the course row is the course's own compile options (None: helpers.models' defaults)
    course = [c for c in keras_calls if c.steps_per_execution is None and c.pipeline == "numpy"]
    dense = sum(case.input_kind == "dense" for case in speed.SPEED_CASES)
    assert len(course) == len(speed.SPEED_CASES) + dense  # the course row, XLA on dense rows
    assert rows[0]["cores_used"] == pytest.approx(2.0)  # CPU over wall of the later epochs


def test_a_training_image_limit_reaches_every_keras_and_peer_run():
    keras_calls: list[RunSettings] = []
    peer_calls: list[PeerSettings] = []
    speed.speed_rows(
        2,
        data_dir="/data",
        train_images=10_000,
        keras_runner=keras_runner(keras_calls),
        peer_runner=peer_runner(peer_calls),
        torch_installed=True,
    )
    assert keras_calls and peer_calls
    assert {call.train_images for call in [*keras_calls, *peer_calls]} == {10_000}
    unlimited: list[RunSettings] = []
    speed.speed_rows(
        2, data_dir="/data", keras_runner=keras_runner(unlimited), torch_installed=False
    )
    assert {call.train_images for call in unlimited} == {None}


def test_without_torch_the_peer_rows_say_skipped_and_keras_still_runs():
    peer_calls: list[PeerSettings] = []
    rows = speed.speed_rows(
        1,
        data_dir=None,
        keras_runner=keras_runner([]),
        peer_runner=peer_runner(peer_calls),
        torch_installed=False,
    )
    assert peer_calls == []
    skipped = [row for row in rows if row["skipped"] is not None]
    assert len(skipped) == len(speed.SPEED_CASES)
    assert all(row["skipped"] == SKIP_MESSAGE and row["framework"] == "torch" for row in skipped)
    speed.add_comparisons(rows, peak_gflops=100.0)
    assert all(row["vs_peer"] is None for row in rows if row["skipped"] is None)
    table = speed_comparison_table({"epochs": 1, "rows": rows})
    assert table.count("skipped: torch not installed (pip install -e '.[peers]')") == len(
        speed.SPEED_CASES
    )


def test_torch_detection_is_used_when_not_told(monkeypatch):
    monkeypatch.setattr(speed, "torch_available", lambda: False)
    rows = speed.speed_rows(
        1, data_dir=None, cases=speed.SPEED_CASES[:1], keras_runner=keras_runner([])
    )
    assert rows[-1]["skipped"] == SKIP_MESSAGE


def test_comparisons_and_shortfalls():
    rows = speed.speed_rows(
        2,
        data_dir=None,
        cases=speed.SPEED_CASES[:1],
        keras_runner=keras_runner([]),
        peer_runner=peer_runner([]),
        torch_installed=True,
    )
    speed.add_comparisons(rows, peak_gflops=100.0)
    course = next(row for row in rows if row["setting"] == speed.COURSE_LABEL)
    assert course["vs_peer"] == pytest.approx(0.5)
    assert course["fraction_of_peak"] == pytest.approx(0.2)
    sentences = speed.shortfalls(rows)
    assert any("0.50× PyTorch eager (50% slower)" in s for s in sentences)
    assert any("20.0% of the matmul peak, 30.0 points under" in s for s in sentences)


def test_speed_report_renders_the_table(tmp_path):
    rows = speed.add_comparisons(
        speed.speed_rows(
            1,
            data_dir=None,
            cases=speed.SPEED_CASES[:1],
            keras_runner=keras_runner([]),
            peer_runner=peer_runner([]),
            torch_installed=True,
        ),
        peak_gflops=100.0,
    )
    results = {
        "machine": {
            "date": "today",
            "cpu": "a CPU",
            "cores": 2,
            "system": "Linux",
            "python": "3.11",
            "tensorflow": "2.21",
        },
        "data": {"description": "the offline SUBSET"},
        "speed_comparison": {
            "epochs": 1,
            "matmul_peak_gflops": 100.0,
            "rows": rows,
            "shortfalls": speed.shortfalls(rows),
        },
        "benchmark_seconds": 60.0,
    }
    text = write_speed_report(results, tmp_path, "results-speed")
    assert (tmp_path / "results-speed.md").read_text() == text
    assert "| `baseline_mse` | 10 | PyTorch eager | 40,000 | 20,000 |" in text
    assert "| course settings | 20,000 | 10,000 | 20.0 | 20.0% | 0.50× |" in text
    assert "Data: the offline SUBSET." in text
    assert "Goals missed" in text


def test_the_reasons_decompose_a_step_from_the_rows_own_figures():
    def row(setting: str, samples_per_second: float, cores: float) -> dict:
        return {
            "experiment": "m",
            "batch_size": 100,
            "setting": setting,
            "framework": "torch" if setting == speed.PEER_LABEL else "keras",
            "skipped": None,
            "samples_per_second": samples_per_second,
            "forward_flops_per_sample": 1e6,  # 3e8 FLOP per step of 100: 3,000 µs at 100 GFLOP/s
            "achieved_gflops": 3e-3 * samples_per_second,
            "cores_used": cores,
        }

    rows = speed.add_comparisons(
        [
            row(speed.PLAIN_LABEL, 20_000, 1.9),
            row(speed.COURSE_LABEL, 10_000, 1.1),  # 10,000 µs a step
            row(speed.WHOLE_EPOCH_LABEL, 12_500, 1.2),  # 8,000 µs a step
            row(speed.PEER_LABEL, 25_000, 2.0),
        ],
        100.0,
    )
    (reason,) = speed.shortfall_reasons(rows, 100.0)
    assert reason.startswith("`m` (batch 100): a step takes 10,000 µs;")
    assert "would take 3,000 µs at the matmul peak" in reason
    assert "a step takes 8,000 µs, so 2,000 µs of it is per-call overhead and 5,000 µs" in reason
    assert "kept 1.10 cores busy against 1.90 for plain fit" in reason
    rows[1]["samples_per_second"] = 30_000  # faster than the peer and at 90% of the peak
    rows[1]["fraction_of_peak"] = 0.9
    rows[1]["vs_peer"] = 1.2
    assert speed.shortfall_reasons(rows, 100.0) == []
