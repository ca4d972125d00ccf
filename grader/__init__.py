"""TA tooling of the nn-tricks course: release, check, collect, autograde, feedback, export.

``python -m grader --help`` lists the commands (see ``grader.cli``); docs/grading.md describes
the pipeline. Students' kernels never import this package, and importing it imports nothing
heavy (no nbgrader, no TensorFlow): the modules that need nbgrader import it when called.
"""
