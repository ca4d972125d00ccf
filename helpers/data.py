"""MNIST for the course: one loader that says where its data came from, and the preparation
steps the lecture uses (scaling, flattening, one-hot labels, validation split, rotations).

``load_mnist()`` looks for the data in this order and uses the first source it finds:

1. the ``path`` argument (a directory or a ``.npz`` file);
2. the environment variable ``MNIST_DATA_DIR``: a directory with the four official IDX files
   (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
   ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) or a Keras ``mnist.npz``;
3. the Keras cache, ``~/.keras/datasets/mnist.npz`` (``$KERAS_HOME/datasets/mnist.npz``);
4. the Keras download (network), stored in the Keras cache once it is complete and valid.

Every source is checked: IDX headers, shapes, dtypes, labels 0..9, as many labels as images.
A split with the full official count (60,000 training or 10,000 test images) must match the
official MNIST bytes (sha256); a smaller split is accepted as a subset and reported as one.
Images are ``uint8`` arrays of shape ``(N, 28, 28)`` with pixels 0..255 (0 = background);
labels are ``uint8`` arrays of shape ``(N,)`` with digits 0..9, exactly as Keras returns them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.protocol import DATA_VARIABLE as DATA_DIR_VARIABLE
from helpers.session import BriefError

IMAGE_SIDE = 28
NUM_CLASSES = 10
FULL_TRAIN_COUNT = 60_000
FULL_TEST_COUNT = 10_000

IDX_FILE_NAMES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
NPZ_FILE_NAME = "mnist.npz"
IMAGES_MAGIC = 0x00000803  # 2051: unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dimension

# sha256 of the DECOMPRESSED official IDX files (the gzip wrappers differ between mirrors).
# Arrays from any source are hashed as the IDX bytes they stand for (header + pixels), so the
# same table also checks a full mnist.npz.
OFFICIAL_IDX_SHA256 = {
    "x_train": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "y_train": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "x_test": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "y_test": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

_WHAT_TO_DO = (
    f"To use a local copy, set {DATA_DIR_VARIABLE} to a directory holding the four MNIST files "
    + ", ".join(IDX_FILE_NAMES.values())
    + f" (or a Keras {NPZ_FILE_NAME} with x_train, y_train, x_test, y_test)."
)


class MnistDataError(BriefError, RuntimeError):
    """MNIST could not be loaded; the message says why and what to do."""


class ShapeError(BriefError, ValueError):
    """An array of the wrong shape or kind was passed; the message says what was expected
    (one line in Jupyter; still a ``ValueError`` for callers that catch one)."""


@dataclass(frozen=True)
class MnistSource:
    """Where the data came from: ``kind`` is "path", "env", "keras-cache" or "keras-download";
    ``location`` the directory or file; ``is_full`` True for the full 60,000/10,000 set."""

    kind: str
    location: str
    n_train: int
    n_test: int
    is_full: bool
    description: str


@dataclass(frozen=True, eq=False)
class MnistDataset:
    """MNIST arrays (images uint8 (N, 28, 28), labels uint8 (N,)) and their ``source``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: MnistSource


# ----------------------------------------------------------------------------- loading


def load_mnist(
    path: str | os.PathLike[str] | None = None, *, verbose: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST like ``keras.datasets.mnist.load_data()``: ``(x_train, y_train), (x_test,
    y_test)``, images uint8 (N, 28, 28), labels uint8 (N,). Prints one line naming the source
    and saying whether it is the full 60,000/10,000 set or a subset (``verbose=False``: silent).
    """
    dataset = load_mnist_dataset(path, verbose=verbose)
    return (dataset.x_train, dataset.y_train), (dataset.x_test, dataset.y_test)


def load_mnist_dataset(
    path: str | os.PathLike[str] | None = None, *, verbose: bool = True
) -> MnistDataset:
    """Load MNIST from the first available source (see the module docstring) and validate it.

    Raises ``MnistDataError`` with one clear message when nothing can be loaded.
    """
    env_dir = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    cache_file = keras_cache_file()
    if path is not None:
        kind, where = "path", str(path)
        origin, arrays = _read_local(Path(path), f"path {path}")
    elif env_dir:
        kind, where = "env", env_dir
        origin, arrays = _read_local(Path(env_dir), f"{DATA_DIR_VARIABLE}={env_dir}")
    elif cache_file.is_file():
        kind, where = "keras-cache", str(cache_file)
        origin, arrays = f"the Keras cache {cache_file}", _read_npz(cache_file)
    else:
        kind, where = "keras-download", str(cache_file)
        origin, arrays = f"a Keras download, cached at {cache_file}", _download(cache_file)
    source = _make_source(kind, where, origin, arrays)
    if verbose:
        print(source.description)
    return MnistDataset(**arrays, source=source)


def keras_cache_file() -> Path:
    """The Keras cache file for MNIST: ``$KERAS_HOME/datasets/mnist.npz``, else
    ``~/.keras/datasets/mnist.npz`` (``/tmp/.keras/...`` when the home is read-only, as Keras
    does)."""
    keras_home = os.environ.get("KERAS_HOME")
    if not keras_home:
        home = Path.home()
        keras_home = str((home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras")
    return Path(keras_home).expanduser() / "datasets" / NPZ_FILE_NAME


def describe_source(origin: str, n_train: int, n_test: int) -> str:
    """The one-line report, e.g. ``MNIST: 10,000 training + 10,000 test images from
    MNIST_DATA_DIR=/data (IDX files): a subset of the full 60,000/10,000 set.``"""
    counts = f"MNIST: {n_train:,} training + {n_test:,} test images from {origin}"
    if is_full_set(n_train, n_test):
        return f"{counts}: the full {FULL_TRAIN_COUNT:,}/{FULL_TEST_COUNT:,} set (sha256 verified)."
    return f"{counts}: a subset of the full {FULL_TRAIN_COUNT:,}/{FULL_TEST_COUNT:,} set."


def is_full_set(n_train: int, n_test: int) -> bool:
    """True for the full official counts, 60,000 training and 10,000 test images."""
    return n_train == FULL_TRAIN_COUNT and n_test == FULL_TEST_COUNT


def _make_source(kind: str, where: str, origin: str, arrays: dict[str, np.ndarray]) -> MnistSource:
    n_train, n_test = len(arrays["x_train"]), len(arrays["x_test"])
    return MnistSource(
        kind=kind,
        location=where,
        n_train=n_train,
        n_test=n_test,
        is_full=is_full_set(n_train, n_test),
        description=describe_source(origin, n_train, n_test),
    )


def _read_local(location: Path, label: str) -> tuple[str, dict[str, np.ndarray]]:
    """Read a directory (four IDX .gz files, else mnist.npz) or a .npz file."""
    if not location.exists():
        raise MnistDataError(f"MNIST: {label} does not exist. {_WHAT_TO_DO}")
    if location.is_file():
        if location.suffix != ".npz":
            raise MnistDataError(
                f"MNIST: {label} is a file but not a .npz; give the directory that holds "
                f"the IDX files instead. {_WHAT_TO_DO}"
            )
        return f"{label} (Keras-format {location.name})", _read_npz(location)
    idx_files = {key: location / name for key, name in IDX_FILE_NAMES.items()}
    if all(file.is_file() for file in idx_files.values()):
        return f"{label} (IDX files)", _read_idx_set(location)
    if (location / NPZ_FILE_NAME).is_file():
        return f"{label} (Keras-format {NPZ_FILE_NAME})", _read_npz(location / NPZ_FILE_NAME)
    missing = ", ".join(file.name for file in idx_files.values() if not file.is_file())
    raise MnistDataError(
        f"MNIST: {label} holds neither the IDX files (missing: {missing}) nor a {NPZ_FILE_NAME}. "
        + _WHAT_TO_DO
    )


def _read_idx_set(directory: Path) -> dict[str, np.ndarray]:
    """Read the four official IDX .gz files; a split with the full count must be official."""
    arrays = {}
    for key, name in IDX_FILE_NAMES.items():
        file = directory / name
        content = _gunzip(file)
        arrays[key] = _parse_idx(content, key, file)
        if len(arrays[key]) == _full_count(key):
            _verify_official(key, hashlib.sha256(content).hexdigest(), file)
    return _validated(arrays, f"the IDX files in {directory}")


def _gunzip(file: Path) -> bytes:
    try:
        with gzip.open(file, "rb") as stream:
            return stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise MnistDataError(
            f"MNIST: {file} is not a readable gzip file ({error}); it is corrupt or truncated. "
            f"Replace it with a fresh copy. {_WHAT_TO_DO}"
        ) from None


def _parse_idx(content: bytes, key: str, file: Path) -> np.ndarray:
    """Check an IDX header (magic number, dimensions, length) and return the uint8 array."""
    is_images = key.startswith("x_")
    expected_magic = IMAGES_MAGIC if is_images else LABELS_MAGIC
    header_size = 16 if is_images else 8
    problem = None
    if len(content) < header_size:
        problem = f"it has only {len(content)} bytes, too short for an IDX header"
    else:
        magic, *shape = struct.unpack(f">{header_size // 4}I", content[:header_size])
        expected_size = header_size + int(np.prod(shape))
        if magic != expected_magic:
            problem = f"wrong magic number {magic} (expected {expected_magic})"
        elif is_images and tuple(shape[1:]) != (IMAGE_SIDE, IMAGE_SIDE):
            problem = f"images are {shape[1]}x{shape[2]} pixels, not {IMAGE_SIDE}x{IMAGE_SIDE}"
        elif len(content) != expected_size:
            problem = f"the header promises {expected_size} bytes but it has {len(content)}"
    if problem:
        raise MnistDataError(
            f"MNIST: {file} is not a valid {IDX_FILE_NAMES[key]}: {problem}. "
            f"Replace it with a fresh copy. {_WHAT_TO_DO}"
        )
    return np.frombuffer(content, np.uint8, offset=header_size).reshape(shape).copy()


def _read_npz(file: Path) -> dict[str, np.ndarray]:
    """Read a Keras-format mnist.npz (keys x_train, y_train, x_test, y_test)."""
    hint = f"Delete or replace {file}. {_WHAT_TO_DO}"
    try:
        with np.load(file, allow_pickle=False) as npz:
            missing = [key for key in IDX_FILE_NAMES if key not in npz.files]
            if missing:
                raise MnistDataError(f"MNIST: {file} lacks the arrays {missing}. {hint}")
            arrays = {key: np.asarray(npz[key]) for key in IDX_FILE_NAMES}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise MnistDataError(
            f"MNIST: {file} is not a readable .npz ({error}); it is corrupt or truncated. {hint}"
        ) from None
    arrays = _validated(arrays, str(file))
    if _file_sha256(file) != KERAS_MNIST_NPZ_SHA256:  # the official file is checked as a whole
        for key, array in arrays.items():
            if len(array) == _full_count(key):
                _verify_official(key, _idx_sha256(array, key), file)
    return arrays


def _validated(arrays: dict[str, np.ndarray], where: str) -> dict[str, np.ndarray]:
    """Check shapes, dtypes, label range and counts; return uint8 arrays."""
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        problem = None
        if (
            images.dtype != np.uint8
            or images.ndim != 3
            or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE)
        ):
            problem = f"x_{split} is {images.dtype} {images.shape}, expected uint8 (N, 28, 28)"
        elif labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            problem = f"y_{split} is {labels.dtype} {labels.shape}, expected integers (N,)"
        elif len(images) != len(labels):
            problem = f"{len(images):,} {split} images but {len(labels):,} labels"
        elif len(labels) and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            problem = f"y_{split} has labels outside 0..9 ({labels.min()}..{labels.max()})"
        elif not 0 < len(images) <= _full_count(f"x_{split}"):
            problem = f"{len(images):,} {split} images; MNIST has 1 to {_full_count(split):,}"
        if problem:
            raise MnistDataError(
                f"MNIST: {where} is not valid MNIST data: {problem}. {_WHAT_TO_DO}"
            )
        arrays[f"y_{split}"] = labels.astype(np.uint8, copy=False)
    return arrays


def _full_count(key: str) -> int:
    return FULL_TRAIN_COUNT if "train" in key else FULL_TEST_COUNT


def _idx_sha256(array: np.ndarray, key: str) -> str:
    """sha256 of the IDX file bytes (header + data) that ``array`` stands for."""
    magic = IMAGES_MAGIC if key.startswith("x_") else LABELS_MAGIC
    digest = hashlib.sha256(struct.pack(f">{1 + array.ndim}I", magic, *array.shape))
    digest.update(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return digest.hexdigest()


def _verify_official(key: str, sha256: str, file: Path) -> None:
    if sha256 != OFFICIAL_IDX_SHA256[key]:
        raise MnistDataError(
            f"MNIST: {file} has the full official number of {key} entries but not the official "
            f"bytes (sha256 mismatch): it is damaged or not MNIST. Delete or replace it. "
            + _WHAT_TO_DO
        )


def _file_sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(cache_file: Path) -> dict[str, np.ndarray]:
    """Download Keras' mnist.npz (network) into a temporary directory next to the cache,
    validate it, then move it into place atomically: a failed download leaves nothing behind."""
    import keras  # lazily: only the download needs Keras

    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".mnist-download-", dir=cache_file.parent) as tmp:
            downloaded = keras.utils.get_file(
                fname=NPZ_FILE_NAME,
                origin=KERAS_MNIST_URL,
                file_hash=KERAS_MNIST_NPZ_SHA256,
                cache_dir=tmp,
                cache_subdir=".",
            )
            arrays = _read_npz(Path(downloaded))
            os.replace(downloaded, cache_file)
    except MnistDataError:
        raise MnistDataError(
            f"MNIST: the downloaded {NPZ_FILE_NAME} is damaged, so it was not cached; run again "
            f"to retry. {_WHAT_TO_DO}"
        ) from None
    except Exception as error:  # network errors come as plain Exception from Keras
        raise MnistDataError(
            f"MNIST: no local copy found ({DATA_DIR_VARIABLE} is not set, no Keras cache at "
            f"{cache_file}) and the download failed: {str(error)[:200]}. {_WHAT_TO_DO}"
        ) from None
    return arrays


# ----------------------------------------------------------------------------- preparation


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [0, 1], same shape."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            f"scale_images expects raw uint8 pixels 0..255, got {images.dtype} "
            "(already scaled? scale once only)"
        )
    return images.astype(np.float32) / np.float32(255.0)


def flatten_images(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) or (N, 28, 28, 1) -> (N, 784), same dtype (one row of pixels per image)."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ShapeError(f"flatten_images expects a batch of images, got shape {images.shape}")
    return images.reshape(len(images), -1)


def prepare_dense(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 784) in [0, 1], the input of a dense network."""
    return flatten_images(scale_images(_checked_batch(images)))


def prepare_conv(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1], the input of a CNN."""
    return scale_images(_checked_batch(images))[..., np.newaxis]


def one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Integer labels (N,) in 0..num_classes-1 -> float32 (N, num_classes), one 1.0 per row."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ShapeError(
            f"one_hot expects integer labels of shape (N,), got {labels.dtype} {labels.shape}: "
            "pass the digit labels, not one-hot rows or images"
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}"
        )
    return np.eye(num_classes, dtype=np.float32)[labels]


def dense_inputs(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw images and digit labels -> ``(prepare_dense(images), one_hot(labels))``: the
    ``(x, y)`` pair a dense network of the course trains on."""
    return prepare_dense(images), one_hot(labels)


def conv_inputs(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw images and digit labels -> ``(prepare_conv(images), one_hot(labels))``: the
    ``(x, y)`` pair a CNN of the course trains on."""
    return prepare_conv(images), one_hot(labels)


def first_n(images: np.ndarray, labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` images and labels in their original order (the lecture's "first 10k")."""
    _check_aligned(images, labels)
    if not 0 < n <= len(images):
        raise ValueError(f"n must be between 1 and {len(images):,} (the data size), got {n}")
    return images[:n], labels[:n]


def train_validation_split(
    images: np.ndarray,
    labels: np.ndarray,
    validation_size: int | float,
    *,
    seed: int = 42,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Carve a random validation set out of the TRAINING data (never the test set).

    ``validation_size``: a count (int) or a fraction in (0, 1) (float). Returns
    ``(x_train, y_train), (x_validation, y_validation)``, disjoint, each in original order;
    the same ``seed`` gives the same split.
    """
    count = _check_aligned(images, labels)
    if isinstance(validation_size, bool) or not isinstance(validation_size, (int, float)):
        raise TypeError(
            f"validation_size must be an int count or a float fraction, got {validation_size!r}"
        )
    if isinstance(validation_size, float):
        if not 0.0 < validation_size < 1.0:
            raise ValueError(
                f"a fractional validation_size must lie in (0, 1), got {validation_size}"
            )
        validation_size = max(1, round(validation_size * count))
    if not 0 < validation_size < count:
        raise ValueError(
            f"validation_size must be between 1 and {count - 1:,}, got {validation_size}"
        )
    order = np.random.default_rng(seed).permutation(count)
    validation_index = np.sort(order[:validation_size])
    train_index = np.sort(order[validation_size:])
    return (
        (images[train_index], labels[train_index]),
        (images[validation_index], labels[validation_index]),
    )


def rotate_image(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate one image (28, 28) [or (28, 28, C)] by ``degrees`` about its centre;
    positive = counter-clockwise as displayed. Same shape and dtype; corners fill with 0."""
    from scipy import ndimage

    image = np.asarray(image)
    rotated = ndimage.rotate(
        image.astype(np.float64), degrees, reshape=False, order=1, mode="constant", cval=0.0
    )
    if np.issubdtype(image.dtype, np.integer):
        limits = np.iinfo(image.dtype)
        rotated = np.clip(np.rint(rotated), limits.min, limits.max)
    return rotated.astype(image.dtype)


def rotation_angles(
    count: int,
    min_degrees: float = 5.0,
    max_degrees: float = 25.0,
    *,
    both_directions: bool = True,
    seed: int = 42,
) -> np.ndarray:
    """The angles (degrees, float64 (count,)) ``rotate_images`` uses: uniform in
    [min_degrees, max_degrees], with a random sign when ``both_directions``."""
    if min_degrees > max_degrees:
        raise ValueError(f"min_degrees ({min_degrees}) must not exceed max_degrees ({max_degrees})")
    if both_directions and min_degrees < 0:
        raise ValueError("with both_directions=True give the range as magnitudes (>= 0)")
    rng = np.random.default_rng(seed)
    angles = rng.uniform(min_degrees, max_degrees, size=count)
    if both_directions:
        angles *= rng.choice([-1.0, 1.0], size=count)
    return angles


def rotate_images(
    images: np.ndarray,
    min_degrees: float = 5.0,
    max_degrees: float = 25.0,
    *,
    both_directions: bool = True,
    seed: int = 42,
) -> np.ndarray:
    """A rotated copy of a batch (N, 28, 28) [or (N, 28, 28, C)]: each image turned by its own
    random angle from ``rotation_angles`` (degrees). Same shape and dtype; seeded."""
    images = np.asarray(images)
    angles = rotation_angles(
        len(images), min_degrees, max_degrees, both_directions=both_directions, seed=seed
    )
    rotated = np.empty_like(images)
    for index, (image, angle) in enumerate(zip(images, angles, strict=True)):
        rotated[index] = rotate_image(image, angle)
    return rotated


def augment_with_rotations(
    images: np.ndarray,
    labels: np.ndarray,
    min_degrees: float = 5.0,
    max_degrees: float = 25.0,
    *,
    seed: int = 42,
) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's tripling: the originals, a copy turned by +[min, max] degrees and a copy
    turned by -[max, min] degrees. Returns (3N images, 3N labels), labels aligned."""
    _check_aligned(images, labels)
    if min_degrees < 0:
        raise ValueError("give the rotation range as magnitudes (>= 0)")
    counter_clockwise = rotate_images(
        images, min_degrees, max_degrees, both_directions=False, seed=seed
    )
    clockwise = rotate_images(
        images, -max_degrees, -min_degrees, both_directions=False, seed=seed + 1
    )
    return (
        np.concatenate([images, counter_clockwise, clockwise]),
        np.concatenate([labels, labels, labels]),
    )


def _check_aligned(images: np.ndarray, labels: np.ndarray) -> int:
    if len(images) != len(labels):
        raise ShapeError(f"{len(images):,} images but {len(labels):,} labels: pass matching arrays")
    return len(images)


def _checked_batch(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ShapeError(
            f"expected raw images of shape (N, 28, 28), got {images.shape}: pass the images "
            "as the loader returns them (one image: images[None])"
        )
    return images
