"""Step 3 of a batch, *Run*: the jobs, the runners (one by one, processes, Dask), the worker."""
