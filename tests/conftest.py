"""Test-wide settings: headless plots, quiet TensorFlow, fast mode, no real Keras cache."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["NN_TRICKS_FAST"] = "1"

import matplotlib

matplotlib.use("Agg")
