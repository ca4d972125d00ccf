"""Everything the grading tools ask of nbgrader: the only package that imports it."""
