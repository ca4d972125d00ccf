"""Repository tools (notebook hygiene: ``python tools/check_notebooks.py``), importable as
``tools.<module>`` from the repository root."""
