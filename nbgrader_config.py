"""nbgrader configuration of the nn-tricks course (read by every `nbgrader` command run here).

Layout (one assignment per folder, one notebook per assignment):

    solutions/<assignment>/<notebook>.ipynb   source, with solutions and hidden tests
    notebooks/<assignment>/<notebook>.ipynb   generated release (`python -m helpers.course release`)
    submitted/<student>/<assignment>/         collected submissions (gitignored)
    autograded/, feedback/, downloaded/       nbgrader working folders (gitignored)
    gradebook.db                              SQLite gradebook (gitignored)

Environment overrides:
    NN_TRICKS_GRADEBOOK_URL   SQLAlchemy URL of the gradebook (default: sqlite gradebook.db here)
    NN_TRICKS_CELL_TIMEOUT    per-cell execution timeout in seconds (default 300: training cells)
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

COURSE_ROOT = Path(__file__).resolve().parent

# --- course directory -----------------------------------------------------------------------
c.CourseDirectory.course_id = "nn-tricks"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.db_url = os.environ.get("NN_TRICKS_GRADEBOOK_URL") or (
    f"sqlite:///{COURSE_ROOT / 'gradebook.db'}"
)

# --- execution (validate and autograde) -------------------------------------------------------
# Training cells take a while on a CPU; a stuck cell is interrupted after this many seconds and
# the rest of the notebook still runs (the stuck cell scores 0).
c.Execute.timeout = int(os.environ.get("NN_TRICKS_CELL_TIMEOUT", "300"))
c.Execute.interrupt_on_timeout = True

# nbgrader gives 0 to a test cell with ANY stderr output. Harmless library noise is removed
# before grading: an stderr output is dropped only when EVERY line of it is noise (TensorFlow /
# absl C++ log lines, Python warnings and their indented source-line echo, Keras/TF deprecation
# notes), so a real message mixed into the same output still counts.
_NOISE_LINE = (
    r"(?:"
    r"\s*"  # blank lines and the indented source line that warnings.warn echoes
    r"|[ \t].*"
    r"|\S*:\d+: \w*(?:Warning|Deprecation)\w*: .*"  # /path/file.py:12: UserWarning: ...
    r"|[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\n]*\] .*"  # absl: W0000 00:00:1.2 123 x.cc:45] ...
    r"|WARNING:(?:absl|tensorflow|root):.*"  # Python absl/tf logging
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] .*"  # 2024-01-01 12:00:00.1: I tensorflow/...
    r"|(?:\w+\.)*\w*Warning: .*"  # bare "UserWarning: ..." lines
    r"|To enable the following instructions: .*"
    r"|oneDNN custom operations are on.*"
    r")"
)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = rf"\A(?:{_NOISE_LINE}(?:\n|\Z))+\Z"

# --- autograding --------------------------------------------------------------------------------
# A deleted test cell is put back from the gradebook and graded (instead of silently missing).
c.OverwriteCells.add_missing_cells = True

# --- zip_collect (python -m helpers.course collect <lms.zip>) ------------------------------------
# LMS download: one file per submission named <student_id>_<assignment>_<notebook>.ipynb,
# e.g. s1234567_practice-1a-l1-vs-l2_l1_vs_l2.ipynb (student ids and assignment names contain
# no underscore). nbgrader matches against the full path of the extracted file.
c.ZipCollectApp.archive_directory = "archive"
c.ZipCollectApp.extracted_directory = "extracted"
c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?P<assignment>[^/_]+)_(?P<file_id>[^/]+\.ipynb)$"
)
