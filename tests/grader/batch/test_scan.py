"""grader.batch.scan: which student code a TA should look at, and which is ordinary."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.batch.scan import Finding, is_locked, scan

REPO = Path(__file__).resolve().parents[3]

SETUP = """\
import sys
import math
import helpers
import keras
import numpy as np
from helpers import data, grading
from helpers.grading import check_close"""
LOCKED_DATA = "x_train = np.zeros((4, 784))\ncomparison = {'runs': 3}\nrows = []"
TEST = """\
from helpers import grading
grading.check_close(answer(x_train), 1.0, what="answer")
grading.check(comparison["runs"] == 3, "three runs")"""


def meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False):
    """nbgrader cell metadata (schema 3)."""
    nbgrader = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        nbgrader["points"] = 1
    return {"nbgrader": nbgrader}


def student_notebook(*student_sources: str) -> nbformat.NotebookNode:
    """setup (locked) | data (locked) | the student's cells (solution) | a graded test cell."""
    cells = [
        new_code_cell(SETUP, metadata=meta("setup", locked=True)),
        new_code_cell(LOCKED_DATA, metadata=meta("data", locked=True)),
        new_markdown_cell("Write `answer(x)`."),
    ]
    cells += [
        new_code_cell(source, metadata=meta(f"answer-{i}", solution=True))
        for i, source in enumerate(student_sources)
    ]
    cells.append(new_code_cell(TEST, metadata=meta("test", grade=True, locked=True)))
    return new_notebook(cells=cells)


def reasons(source: str) -> list[str]:
    return [finding.reason for finding in scan(student_notebook(source))]


# (student cell, a fragment of the reason it must be flagged with)
TAMPERING = [
    ("grading.check_close = lambda *a, **k: None", "replaces helpers.grading.check_close"),
    ("import math\nmath.isclose = lambda a, b, **k: True", "replaces math.isclose"),
    ("np.allclose = lambda *a, **k: True", "replaces numpy.allclose"),
    ("helpers.grading.check = print", "replaces helpers.grading.check"),
    ("import helpers.grading as g\ng.check_equal = print", "replaces helpers.grading.check_equal"),
    ("g = grading\ng.check_shape = print", "replaces helpers.grading.check_shape"),
    ("setattr(grading, 'check_close', print)", "replaces helpers.grading.check_close (setattr)"),
    ("del grading.check_close", "deletes helpers.grading.check_close"),
    ("check_close = lambda *args, **kwargs: None", "rebinds check_close (imported from"),
    ("def check_close(*args, **kwargs):\n    pass", "rebinds check_close"),
    ("np = None", "rebinds np (the module numpy)"),
    ("comparison = {'runs': 3, 'fake': True}", "rebinds comparison (set by a locked cell"),
    ("def f():\n    global np\n    np = None", "rebinds np"),
    ("vars(np)['allclose'] = print", "replaces numpy.allclose"),
    ("keras.Model.count_params = lambda self: 23466", "replaces keras.Model.count_params"),
    ("sys.modules['helpers.grading'] = object()", "uses sys.modules"),
    ("ip = get_ipython()\nip.run_code = None", "uses get_ipython"),
    ("get_ipython().events.register('post_run_cell', print)", "registers a kernel event hook"),
    ("get_ipython().input_transformers_post.append(str)", "uses input_transformers_post"),
    ("get_ipython().set_custom_exc((Exception,), print)", "uses set_custom_exc"),
    ("from IPython import get_ipython", "imports IPython.get_ipython"),
    ("sys.settrace(print)", "uses settrace"),
    ("sys.meta_path.insert(0, object())", "uses sys.meta_path"),
    ("sys.excepthook = print", "uses sys.excepthook"),
    ("import builtins\nbuiltins.print = len", "imports builtins"),
    ("__builtins__.len = print", "uses __builtins__"),
    ("m = __import__('ma' + 'th')", "uses __import__"),
    ("import importlib\nimportlib.reload(grading)", "imports importlib"),
    ("import ctypes", "imports ctypes"),
    ("import gc\ngc.get_objects()", "uses gc.get_objects"),
    ("import signal\nsignal.alarm(5)", "imports signal"),
    ("import os\nos.kill(os.getpid(), 9)", "uses os.kill"),
    ("import os\nos.system('ls')", "uses os.system"),
    ("import subprocess\nsubprocess.run(['ls'])", "imports subprocess"),
    ("import socket", "imports socket"),
    ("frame = sys._getframe(1)\nframe.f_back.f_globals['x'] = 1", "uses _getframe"),
    ("code = 'grading.check' + '_close = print'\nexec(code)", "calls exec on a computed string"),
    ("exec('grading.check_close = print')", "replaces helpers.grading.check_close"),
    ("eval(input())", "calls eval on a computed string"),
    ("print(open('/etc/passwd').read())", "uses the path '/etc/passwd'"),
    ("from pathlib import Path\nPath('../solutions').exists()", "uses the path '../solutions'"),
    ("import os\nos.listdir('/work')", "uses the path '/work'"),
    ("!cat /etc/passwd", "runs the shell command !cat /etc/passwd"),
    ("%%bash\nls /\n", "runs a shell (%%bash)"),
    ("%run ../solutions/fake.py", "runs another file with %run"),
    ("%load ../solutions/x.py", "loads code with %load"),
    ("%%time\ngrading.check_close = print\n", "replaces helpers.grading.check_close"),
    ("print(In[-1])", "reads the kernel's cell history (In)"),
    ("class Always:\n    def __eq__(self, other):\n        return True", "defines __eq__"),
    ("display({'application/vnd.nn-tricks.seal+json': {}}, raw=True)", "grading protocol"),
    ("import threading\nthreading.Timer(1.0, print).start()", "imports threading"),
    ("answer.__code__ = (lambda x: 1.0).__code__", "uses __code__"),
    ("change = setattr\nchange(grading, 'check', print)", "passes setattr around"),
    # disguises: names built from strings, builtins reached indirectly, decoded payloads
    ("run = getattr(__import__('builtins'), 'ex' + 'ec')", "name is built at run time (getattr)"),
    ("run = getattr(__builtins__, 'exec')", "reaches builtins.exec through getattr"),
    ("import sys\nhook = getattr(sys, 'set' + 'trace')", "name is built at run time (getattr)"),
    ("name = 'ev' + 'al'\nrun = getattr(grading, name)", "name is built at run time (getattr)"),
    ("import builtins as b\nfor n in ['exec']:\n    getattr(b, n)", "imports builtins"),
    ("for n in ['exec']:\n    getattr(__builtins__, n)('x = 1')", "a built-in chosen at run time"),
    ("import sys\ngetattr(sys, 'settrace')(print)", "uses settrace"),
    ("import sys\ngetattr(sys, 'modules')['helpers.grading'] = 1", "uses sys.modules"),
    ("import gc\nfind = getattr(gc, 'get_objects')", "uses gc.get_objects"),
    ("b = print.__self__\nb.exec('x = 1')", "uses __self__"),
    ("names = vars(print.__self__)\nnames['exec']('x = 1')", "uses vars() of an object"),
    ("run = getattr(len.__self__, 'eval')", "reaches eval through getattr"),
    ("import base64\nsource = base64.b64decode('eD0x').decode()", "uses base64.b64decode"),
    ("from base64 import b64decode", "uses base64.b64decode"),
    ("import codecs\nsource = codecs.decode('k = 1', 'rot13')", "uses codecs.decode"),
    ("import zlib\nsource = zlib.decompress(b'...')", "uses zlib.decompress"),
    ("source = bytes.fromhex('783d31').decode()", "uses bytes.fromhex"),
]

INNOCENT = [
    "def answer(x):\n    return float(np.mean(np.abs(x) <= 0.01))",
    "import numpy as np\nimport math\nvalue = math.isclose(0.1 + 0.2, 0.3)",
    "model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])\n"
    "model.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy'])\n"
    "model.layers[0].trainable = False\nprint(model.layers[0].kernel.shape)",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)\n"
    "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nplt.show()",
    "for k in (3, 5, 7):\n    print(f'{k}x{k}: {28 - k + 1}')",
    "rows = [{'kernel': k, 'params': k * k} for k in range(3)]\nprint(rows)",
    "class Scaled(keras.layers.Layer):\n    def __init__(self, factor, **kwargs):\n"
    "        super().__init__(**kwargs)\n        self.factor = factor\n"
    "    def call(self, x):\n        return x * self.factor",
    "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\nprint(os.path.join('out', 'a.txt'))",
    "with open('results.txt', 'w') as handle:\n    handle.write('ok')",
    "%matplotlib inline\nimport numpy as np",
    "%%time\nanswer = lambda x: 1.0\n",
    "np.random.default_rng(0).normal(size=3)\nhelpers.set_seed(1)",
    "from helpers.grading import check_close\ncheck_close(answer(x_train), 1.0, what='mine')",
    "try:\n    value = 1 / 0\nexcept ZeroDivisionError as error:\n    print(type(error).__name__)",
    "np.save('weights.npy', np.ones(3))\nweights = np.load('weights.npy')",
    "from IPython.display import clear_output, display\ndisplay('hello')\nclear_output()",
    "value = eval('2 + 3')",
    "x_train2 = x_train[:2]\nprint(x_train.shape, comparison['runs'])",
    "answer?",
    "def helper(data):\n    np = data\n    return np",
    "layer = getattr(keras.layers, 'Dense')(10)\nname = 'conv' + str(3)",
    "units = getattr(model_config, 'units', 30) if False else 30",
    "for name in ('SGD', 'Adam'):\n    print(getattr(keras.optimizers, name)().learning_rate)",
]


@pytest.mark.parametrize(("source", "expected"), TAMPERING, ids=[s for s, _ in TAMPERING])
def test_does_the_scan_flag_this_tampering(source, expected):
    found = reasons(source)
    assert any(expected in reason for reason in found), found


@pytest.mark.parametrize("source", INNOCENT, ids=INNOCENT)
def test_does_the_scan_leave_this_ordinary_code_alone(source):
    assert reasons(source) == []


def test_is_every_real_solution_notebook_free_of_findings():
    paths = sorted((REPO / "solutions").glob("*/*.ipynb"))
    assert len(paths) >= 10
    for path in paths:
        findings = scan(nbformat.read(path, as_version=4))
        assert findings == [], f"{path.name}: {[str(f) for f in findings]}"


def test_does_a_finding_say_where_it_is_for_a_ta():
    nb = student_notebook("x = 1\n\nmath.isclose = print")
    (finding,) = scan(nb)
    assert finding == Finding(3, "answer-0", 3, "replaces math.isclose")
    assert str(finding) == "cell 4 (answer-0), line 3: replaces math.isclose"


def test_are_locked_cells_skipped_but_scanned_on_request():
    nb = student_notebook("x = 1")
    nb.cells[1].source += "\nmath.isclose = print"
    assert scan(nb) == []
    assert "replaces math.isclose" in [f.reason for f in scan(nb, editable_only=False)]


def test_does_marking_a_new_cell_locked_hide_it_when_the_locked_ids_are_known():
    nb = student_notebook("x = 1")
    nb.cells.insert(3, new_code_cell("math.isclose = print", metadata=meta("fake", locked=True)))
    assert scan(nb) == []  # without the assignment's locked ids the cell looks locked
    found = scan(nb, restored_ids={"setup", "data", "test"})
    assert [(f.grade_id, f.reason) for f in found] == [("fake", "replaces math.isclose")]
    assert not is_locked(nb.cells[3], {"setup"}) and is_locked(nb.cells[0], {"setup"})


def test_is_a_cell_without_nbgrader_metadata_scanned_as_the_students():
    nb = student_notebook("x = 1")
    nb.cells.insert(4, new_code_cell("np.allclose = print"))
    (finding,) = scan(nb)
    assert finding.grade_id is None and finding.reason == "replaces numpy.allclose"


def test_does_an_unparsable_cell_report_only_suspicious_text():
    assert reasons("def broken(:\n    return 1") == []
    found = reasons("def broken(:\n    get_ipython().run_code = None")
    assert found and all(reason.startswith("does not parse") for reason in found)
    assert any("get_ipython" in reason for reason in found)


def test_is_rebinding_a_locked_name_no_tests_read_left_alone():
    assert reasons("rows = [1, 2, 3]") == []  # the locked `rows` is read by no test


def test_is_rebinding_a_name_the_test_cell_sets_itself_left_alone():
    def notebook(test: str) -> nbformat.NotebookNode:
        nb = student_notebook("comparison = {'runs': 4}  # an extra cell of the student's")
        nb.cells[-1] = new_code_cell(test, metadata=meta("test", grade=True, locked=True))
        return nb

    sets_it_first = "comparison = {'runs': 3}\ngrading.check(comparison['runs'] == 3, 'three')"
    reads_it_first = "grading.check(comparison['runs'] == 3, 'three')\ncomparison = {}"
    assert scan(notebook(sets_it_first)) == []
    assert [f.reason for f in scan(notebook(reads_it_first))] == [
        "rebinds comparison (set by a locked cell above; a test reads it)"
    ]
