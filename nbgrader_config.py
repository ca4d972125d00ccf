"""nbgrader configuration of the nn-tricks course (read by every nbgrader run here).

The values come from ``grader/settings.py`` (the one settings module); this file only maps them
onto nbgrader's options. Layout (one assignment per folder, one notebook per assignment):

    solutions/<assignment>/<notebook>.ipynb   source, with solutions and hidden tests
    notebooks/<assignment>/<notebook>.ipynb   generated release (`python -m grader release`)
    submitted/<student>/<assignment>/         collected submissions (gitignored)
    autograded/, feedback/, downloaded/       nbgrader working folders (gitignored)
    gradebook.db                              SQLite gradebook (gitignored)

Environment overrides:
    NN_TRICKS_GRADEBOOK_URL   SQLAlchemy URL of the gradebook (default: sqlite gradebook.db here)
    NN_TRICKS_CELL_TIMEOUT    per-cell timeout of `nbgrader validate`, in seconds (default 300)
"""

import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent

try:
    from grader import settings
except ImportError:  # a course copy without the installed package: the repository next to it
    sys.path.insert(0, str(COURSE_ROOT))
    from grader import settings

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# --- course directory -----------------------------------------------------------------------
c.CourseDirectory.course_id = settings.COURSE_ID
c.CourseDirectory.source_directory = settings.SOURCE_DIR
c.CourseDirectory.release_directory = settings.RELEASE_DIR
c.CourseDirectory.submitted_directory = settings.SUBMITTED_DIR
c.CourseDirectory.autograded_directory = settings.AUTOGRADED_DIR
c.CourseDirectory.feedback_directory = settings.FEEDBACK_DIR
c.CourseDirectory.db_url = settings.gradebook_url(COURSE_ROOT)

# --- execution (nbgrader validate) ----------------------------------------------------------
# Training cells take a while on a CPU; a stuck cell is interrupted after this many seconds and
# the rest of the notebook still runs (the stuck cell scores 0). Autograding does not execute
# through nbgrader: grader.run.worker runs each submission in a sandbox with its own budgets.
c.Execute.timeout = settings.validate_timeout()
c.Execute.interrupt_on_timeout = True

# nbgrader gives 0 to a test cell with ANY stderr output: stderr made only of library noise
# (see grader.settings.STDERR_NOISE_PATTERN) is dropped before grading.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = settings.STDERR_NOISE_PATTERN

# --- autograding --------------------------------------------------------------------------------
# A deleted test cell is put back from the gradebook and graded (instead of silently missing).
c.OverwriteCells.add_missing_cells = True

# --- feedback ---------------------------------------------------------------------------------
# Feedback goes back to students: it shows each test's score and messages, but the hidden tests'
# source (and the evidence they record) is cut from the test cells, as in the release.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "grader.nbgrader.preprocessors.CutHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# --- zip_collect (plain `nbgrader zip_collect`; `python -m grader collect` does its own) ---------
c.ZipCollectApp.archive_directory = "archive"
c.ZipCollectApp.extracted_directory = "extracted"
c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
c.FileNameCollectorPlugin.named_regexp = rf".*/{settings.LMS_FILE_PATTERN}$"
