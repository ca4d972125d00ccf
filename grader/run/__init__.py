"""Grading jobs handed to workers: the jobs, the runners (one by one, processes, Dask), the worker."""
