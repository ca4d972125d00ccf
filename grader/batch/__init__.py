"""A grading batch on the coordinator: plan (staging, scan), run, record (verdicts), report."""
