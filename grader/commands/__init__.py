"""The TA's commands that are not a batch: release, check, collect, feedback, export."""
