"""What a student sees in JupyterLab, checked in a real browser (Debian's Chromium).

Each test opens a released notebook (a fresh copy, no outputs) in the student lab, as a
student would, and drives it through JupyterLab's own commands (Run All, run cell).
"""

from __future__ import annotations

import hashlib
import re
import time

import pytest

from tests.browser.conftest import RUN_ALL_TIMEOUT_MS

pytestmark = pytest.mark.browser

NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const strip = text => text.replace(/\\x1b\\[[0-9;]*m/g, '');
  const cells = panel.content.widgets.map((cell, index) => {
    // read the outputs from the model: JupyterLab detaches off-screen cells from the DOM
    const outputs = cell.model.type === 'code' ? cell.model.outputs.toJSON() : [];
    const red = outputs.map(o => o.output_type === 'error' ? (o.traceback || []).join('\\n')
        : (o.output_type === 'stream' && o.name === 'stderr') ? [].concat(o.text).join('') : '')
      .filter(t => t).map(strip).join('\\n');
    const images = outputs.filter(o => o.data && o.data['image/png']).map(o => o.data['image/png']);
    return {
      index,
      type: cell.model.type,
      source: cell.model.sharedModel.getSource(),
      count: cell.model.type === 'code' ? cell.model.executionCount : null,
      error: red,
      images,
      running: cell.model.type === 'code' && cell.model.executionState === 'running',
    };
  });
  return {status: kernel ? kernel.status : 'none', kernel: kernel ? kernel.name : null, cells};
}"""


def open_notebook(page, lab, path: str) -> None:
    page.goto(lab.url(path))
    page.wait_for_function(
        "() => { const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return p && p.sessionContext && p.sessionContext.session"
        " && p.sessionContext.session.kernel"
        " && p.sessionContext.session.kernel.status === 'idle'; }",
        timeout=180_000,
    )


def state(page) -> dict:
    return page.evaluate(NOTEBOOK_STATE)


def run_all(page) -> None:
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def wait_until_idle(page, timeout_ms: int = RUN_ALL_TIMEOUT_MS, sample=None) -> dict:
    """Poll until the kernel is idle with nothing queued; ``sample(state)`` sees every poll."""
    deadline = time.monotonic() + timeout_ms / 1000
    idle_polls = 0
    while time.monotonic() < deadline:
        current = state(page)
        if sample is not None:
            sample(current)
        started = any(cell["count"] is not None for cell in code_cells(current))
        busy = current["status"] != "idle" or any(c["running"] for c in code_cells(current))
        idle_polls = idle_polls + 1 if started and not busy else 0
        if idle_polls >= 4:
            return current
        time.sleep(0.5)
    raise AssertionError("the notebook did not finish within the time allowed")


def code_cells(current: dict) -> list[dict]:
    return [cell for cell in current["cells"] if cell["type"] == "code"]


def first_cell(current: dict, needle: str) -> dict:
    return next(cell for cell in code_cells(current) if needle in cell["source"])


def test_run_all_on_a_fresh_lecture_notebook_reaches_the_last_cell(page, lab, screenshots):
    open_notebook(page, lab, "01-keras-baseline/keras_baseline.ipynb")
    run_all(page)
    final = wait_until_idle(page)
    page.screenshot(path=str(screenshots / "01-run-all-fresh.png"), full_page=False)
    unrun = [cell["index"] for cell in code_cells(final) if cell["count"] is None]
    assert not unrun, f"Run All stopped: code cells {unrun} never ran"
    answers = [c for c in final["cells"] if "not answered yet" in c["error"]]
    assert answers, "no blank exercise reported itself as not answered"
    for cell in answers:
        lines = [line for line in cell["error"].splitlines() if line.strip()]
        assert len(lines) == 1, f"cell {cell['index']} shows {len(lines)} lines:\n{cell['error']}"


def test_the_live_plot_is_one_image_that_changes_each_epoch(page, lab, screenshots):
    open_notebook(page, lab, "01-keras-baseline/keras_baseline.ipynb")
    seen: set[str] = set()
    most_images = 0
    shot = {"taken": False}

    def sample(current: dict) -> None:
        nonlocal most_images
        cell = first_cell(current, "PlotTraining(")
        most_images = max(most_images, len(cell["images"]))
        seen.update(hashlib.sha1(src.encode()).hexdigest() for src in cell["images"])
        if len(seen) == 2 and not shot["taken"]:
            page.screenshot(path=str(screenshots / "01-live-plot-mid-training.png"))
            shot["taken"] = True

    run_all(page)
    wait_until_idle(page, sample=sample)
    assert most_images == 1, f"the live plot cell held {most_images} images at once"
    assert len(seen) >= 2, "the live plot never changed while training"


def test_the_student_lab_shows_no_nbgrader_tools(page, lab):
    open_notebook(page, lab, "01-keras-baseline/keras_baseline.ipynb")
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert menus, "JupyterLab's menu bar did not render"
    assert not [m for m in menus if "nbgrader" in m.lower()], f"student menus: {menus}"
    assert lab.api("/formgrader") == 404, "the formgrader is served to students"
    assert state(page)["kernel"] == "nn-tricks", "the notebook did not start the course kernel"


SLIDERS = [
    "02-loss-and-initialization/loss_and_initialization.ipynb",
    "04-data-augmentation/data_augmentation.ipynb",
    "05-optimization/optimization.ipynb",
]


@pytest.mark.parametrize("path", SLIDERS, ids=[p.split("/")[0] for p in SLIDERS])
def test_each_slider_moves_and_its_output_changes(page, lab, screenshots, path):
    open_notebook(page, lab, path)
    run_all(page)
    wait_until_idle(page)
    sliders = page.locator(
        ".jp-OutputArea .widget-slider .noUi-handle, .jp-OutputArea .widget-hslider .noUi-handle"
    )
    assert sliders.count() >= 1, f"no slider rendered in {path}"
    name = path.split("/")[0]
    for index in range(sliders.count()):
        widget_area = sliders.nth(index).locator(
            "xpath=ancestor::div[contains(@class,'jp-OutputArea')][1]"
        )
        before = widget_area.inner_html()
        sliders.nth(index).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"{name}-slider{index}-before.png"))
        sliders.nth(index).focus()
        for _ in range(3):
            sliders.nth(index).press("ArrowRight")
        page.wait_for_function(
            "([el, before]) => el.innerHTML !== before",
            arg=[widget_area.element_handle(), before],
            timeout=120_000,
        )
        time.sleep(1.0)
        page.screenshot(path=str(screenshots / f"{name}-slider{index}-after.png"))


def test_a_blank_practice_task_shows_exactly_one_line(page, lab, screenshots):
    open_notebook(page, lab, "practice-1b-kernel-sizes/kernel_sizes.ipynb")
    run_all(page)
    final = wait_until_idle(page)
    page.screenshot(path=str(screenshots / "practice-1b-run-all-fresh.png"))
    test_cell = next(c for c in code_cells(final) if "build_cnn(5)" in c["source"])
    lines = [line for line in test_cell["error"].splitlines() if line.strip()]
    assert len(lines) == 1, f"the blank task's test cell shows {len(lines)} lines:\n" + "\n".join(
        lines
    )
    assert re.search(r"not answered|NotImplementedError|replace", lines[0]), lines[0]
