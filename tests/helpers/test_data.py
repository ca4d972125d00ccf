"""Tests of helpers.data: the MNIST loader (every source, every kind of broken file) and the
preparation helpers. No network: the Keras download is mocked, HOME and KERAS_HOME point into
tmp_path so the real cache is never touched."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import data
from helpers.data import (
    IDX_FILE_NAMES,
    MnistDataError,
    augment_with_rotations,
    describe_source,
    first_n,
    flatten_images,
    load_mnist,
    load_mnist_dataset,
    one_hot,
    prepare_conv,
    prepare_dense,
    rotate_image,
    rotate_images,
    rotation_angles,
    scale_images,
    train_validation_split,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_MNIST_DIR = Path(
    os.environ.get("MNIST_DATA_DIR") or REPO_ROOT.parent / "shared" / "data" / "mnist-10k"
)
needs_shared_copy = pytest.mark.skipif(
    not (SHARED_MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the shared MNIST copy is not at {SHARED_MNIST_DIR}",
)


# ----------------------------------------------------------------------------- fixtures


def fake_mnist(n_train: int = 5, n_test: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """Random uint8 'MNIST' arrays in Keras layout."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """The IDX file content for a uint8 array: big-endian magic, dimensions, then the bytes."""
    if magic is None:
        magic = 0x00000800 + array.ndim
    return struct.pack(f">{1 + array.ndim}I", magic, *array.shape) + array.tobytes()


def write_idx_dir(directory: Path, arrays: dict[str, np.ndarray]) -> Path:
    """Write the four official .gz IDX files for ``arrays`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_FILE_NAMES.items():
        (directory / name).write_bytes(gzip.compress(idx_bytes(arrays[key]), compresslevel=1))
    return directory


def write_npz(file: Path, arrays: dict[str, np.ndarray]) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    np.savez(file, **arrays)
    return file


@pytest.fixture(autouse=True)
def offline_and_isolated(tmp_path, monkeypatch):
    """Own HOME and KERAS_HOME, no MNIST_DATA_DIR, and a Keras download that must not run."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError("a test tried to download MNIST")

    monkeypatch.setattr(keras.utils, "get_file", no_network)


@pytest.fixture
def small_idx_dir(tmp_path) -> Path:
    return write_idx_dir(tmp_path / "idx", fake_mnist())


def assert_short_chain(error: MnistDataError) -> None:
    """Raised ``from None``: the student sees our message, not gzip/numpy internals."""
    assert error.__cause__ is None
    assert error.__suppress_context__


# ----------------------------------------------------------------------------- IDX sources


def test_idx_directory_is_parsed_exactly(small_idx_dir, capsys):
    expected = fake_mnist()
    (x_train, y_train), (x_test, y_test) = load_mnist(small_idx_dir)
    for key, array in zip(IDX_FILE_NAMES, (x_train, y_train, x_test, y_test), strict=True):
        np.testing.assert_array_equal(array, expected[key])
        assert array.dtype == np.uint8
    assert x_train.shape == (5, 28, 28) and y_train.shape == (5,)
    assert x_test.shape == (3, 28, 28) and y_test.shape == (3,)
    x_train[0, 0, 0] = 1  # writable, like Keras' arrays
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1
    assert "5 training + 3 test images" in printed[0] and "subset" in printed[0]


def test_env_variable_directory_is_used_and_reported(small_idx_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(small_idx_dir))
    dataset = load_mnist_dataset(verbose=False)
    assert dataset.source.kind == "env"
    assert dataset.source.location == str(small_idx_dir)
    assert (dataset.source.n_train, dataset.source.n_test) == (5, 3)
    assert not dataset.source.is_full
    assert f"MNIST_DATA_DIR={small_idx_dir} (IDX files)" in dataset.source.description


def test_path_argument_wins_over_env_variable(tmp_path, small_idx_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(small_idx_dir))
    other = write_idx_dir(tmp_path / "other", fake_mnist(n_train=4, n_test=2, seed=1))
    dataset = load_mnist_dataset(other, verbose=False)
    assert dataset.source.kind == "path"
    assert len(dataset.x_train) == 4


def test_verbose_false_prints_nothing(small_idx_dir, capsys):
    load_mnist(small_idx_dir, verbose=False)
    assert capsys.readouterr().out == ""


def test_missing_path_argument_gets_a_clear_message(tmp_path):
    with pytest.raises(MnistDataError, match="does not exist") as caught:
        load_mnist(tmp_path / "nowhere")
    assert "MNIST_DATA_DIR" in str(caught.value)


def test_empty_env_directory_names_the_expected_files(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(MnistDataError) as caught:
        load_mnist()
    message = str(caught.value)
    assert "MNIST_DATA_DIR" in message
    for name in IDX_FILE_NAMES.values():
        assert name in message


def test_truncated_gzip_file(small_idx_dir):
    file = small_idx_dir / "train-images-idx3-ubyte.gz"
    file.write_bytes(file.read_bytes()[:-200])
    with pytest.raises(MnistDataError, match="corrupt or truncated") as caught:
        load_mnist(small_idx_dir)
    assert "train-images-idx3-ubyte.gz" in str(caught.value)
    assert_short_chain(caught.value)


def test_corrupt_gzip_file(small_idx_dir):
    (small_idx_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(b"this is not gzip at all")
    with pytest.raises(MnistDataError, match=r"t10k-labels-idx1-ubyte\.gz") as caught:
        load_mnist(small_idx_dir)
    assert_short_chain(caught.value)


def test_truncated_idx_content_inside_valid_gzip(small_idx_dir):
    content = idx_bytes(fake_mnist()["x_test"])[:-10]
    (small_idx_dir / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(content))
    with pytest.raises(MnistDataError, match="header promises"):
        load_mnist(small_idx_dir)


def test_file_too_short_for_a_header(small_idx_dir):
    (small_idx_dir / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00"))
    with pytest.raises(MnistDataError, match="too short"):
        load_mnist(small_idx_dir)


def test_wrong_magic_number(small_idx_dir):
    labels_as_images = idx_bytes(fake_mnist()["y_train"], magic=0x00000803)
    (small_idx_dir / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels_as_images))
    with pytest.raises(MnistDataError, match=r"magic number 2051 \(expected 2049\)"):
        load_mnist(small_idx_dir)


def test_wrong_image_size(small_idx_dir):
    small_images = np.zeros((5, 27, 27), np.uint8)
    (small_idx_dir / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(small_images))
    )
    with pytest.raises(MnistDataError, match="27x27"):
        load_mnist(small_idx_dir)


def test_labels_out_of_range(tmp_path):
    arrays = fake_mnist()
    arrays["y_test"][1] = 10
    with pytest.raises(MnistDataError, match=r"outside 0\.\.9"):
        load_mnist(write_idx_dir(tmp_path / "idx", arrays))


def test_image_and_label_counts_must_agree(tmp_path):
    arrays = fake_mnist()
    arrays["y_train"] = arrays["y_train"][:4]
    with pytest.raises(MnistDataError, match="5 train images but 4 labels"):
        load_mnist(write_idx_dir(tmp_path / "idx", arrays))


def test_full_count_with_wrong_bytes_is_caught_by_the_checksum(tmp_path):
    """10,000 test images is the official count, so the file must be the official one."""
    arrays = dict(fake_mnist(), x_test=np.zeros((10_000, 28, 28), np.uint8))
    arrays["y_test"] = np.zeros(10_000, np.uint8)
    with pytest.raises(MnistDataError, match="sha256 mismatch"):
        load_mnist(write_idx_dir(tmp_path / "idx", arrays))
    with pytest.raises(MnistDataError, match="sha256 mismatch"):
        load_mnist(write_npz(tmp_path / "mnist.npz", arrays))


# ----------------------------------------------------------------------------- npz sources


def test_npz_file_directory_and_env_variable(tmp_path, monkeypatch):
    arrays = fake_mnist()
    npz = write_npz(tmp_path / "npzdir" / "mnist.npz", arrays)
    from_file = load_mnist_dataset(npz, verbose=False)
    from_directory = load_mnist_dataset(npz.parent, verbose=False)
    monkeypatch.setenv("MNIST_DATA_DIR", str(npz.parent))
    from_env = load_mnist_dataset(verbose=False)
    for dataset in (from_file, from_directory, from_env):
        np.testing.assert_array_equal(dataset.x_train, arrays["x_train"])
        np.testing.assert_array_equal(dataset.y_test, arrays["y_test"])
        assert "Keras-format mnist.npz" in dataset.source.description
    assert from_env.source.kind == "env"


def test_npz_with_wrong_dtype_or_missing_key(tmp_path):
    arrays = fake_mnist()
    floats = dict(arrays, x_train=arrays["x_train"].astype(np.float32))
    with pytest.raises(MnistDataError, match="expected uint8"):
        load_mnist(write_npz(tmp_path / "floats.npz", floats))
    incomplete = {key: value for key, value in arrays.items() if key != "y_test"}
    with pytest.raises(MnistDataError, match="lacks the arrays"):
        load_mnist(write_npz(tmp_path / "incomplete.npz", incomplete))


def test_truncated_npz(tmp_path):
    npz = write_npz(tmp_path / "mnist.npz", fake_mnist())
    npz.write_bytes(npz.read_bytes()[:-100])
    with pytest.raises(MnistDataError, match="corrupt or truncated") as caught:
        load_mnist(npz)
    assert_short_chain(caught.value)


def test_a_file_that_is_not_npz(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(MnistDataError, match=r"not a \.npz"):
        load_mnist(tmp_path / "notes.txt")


# ----------------------------------------------------------------------------- Keras cache


def test_keras_cache_under_keras_home(tmp_path):
    cache = write_npz(tmp_path / "keras-home" / "datasets" / "mnist.npz", fake_mnist())
    dataset = load_mnist_dataset(verbose=False)
    assert dataset.source.kind == "keras-cache"
    assert dataset.source.location == str(cache)
    assert f"the Keras cache {cache}" in dataset.source.description


def test_keras_cache_under_home_without_keras_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    (tmp_path / "home").mkdir()
    cache = write_npz(tmp_path / "home" / ".keras" / "datasets" / "mnist.npz", fake_mnist())
    assert data.keras_cache_file() == cache
    assert load_mnist_dataset(verbose=False).source.location == str(cache)


def test_corrupt_keras_cache_says_what_to_delete(tmp_path):
    cache = tmp_path / "keras-home" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(MnistDataError, match=r"Delete or replace .*mnist\.npz"):
        load_mnist()


# ----------------------------------------------------------------------------- Keras download


def fake_get_file(behaviour):
    """A stand-in for keras.utils.get_file that writes into cache_dir/fname like Keras does."""

    def get_file(fname, origin, file_hash=None, cache_dir=None, cache_subdir="datasets"):
        assert origin == data.KERAS_MNIST_URL and file_hash == data.KERAS_MNIST_NPZ_SHA256
        target = Path(cache_dir) / cache_subdir / fname
        return behaviour(target)

    return get_file


def test_offline_with_nothing_found(monkeypatch):
    def network_down(target):
        raise OSError("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file(network_down))
    with pytest.raises(MnistDataError) as caught:
        load_mnist()
    message = str(caught.value)
    assert "MNIST_DATA_DIR" in message and "download failed" in message
    assert "name resolution" in message
    for name in IDX_FILE_NAMES.values():
        assert name in message
    assert_short_chain(caught.value)


def test_successful_download_lands_in_the_cache(tmp_path, monkeypatch, capsys):
    arrays = fake_mnist()

    def download(target):
        write_npz(target, arrays)
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file(download))
    dataset = load_mnist_dataset()
    cache = tmp_path / "keras-home" / "datasets" / "mnist.npz"
    assert dataset.source.kind == "keras-download"
    assert "Keras download" in capsys.readouterr().out
    assert sorted(os.listdir(cache.parent)) == ["mnist.npz"]  # no temporary leftovers
    np.testing.assert_array_equal(np.load(cache)["x_train"], arrays["x_train"])
    # the next call finds the cache and does not download again
    monkeypatch.setattr(keras.utils, "get_file", fake_get_file(pytest.fail))
    assert load_mnist_dataset(verbose=False).source.kind == "keras-cache"


def test_interrupted_download_leaves_nothing_in_the_cache(tmp_path, monkeypatch):
    def partial_then_fail(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"PK\x03\x04 only the first bytes of mnist.npz")
        raise OSError("connection reset by peer")

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file(partial_then_fail))
    with pytest.raises(MnistDataError, match="connection reset"):
        load_mnist()
    datasets_dir = tmp_path / "keras-home" / "datasets"
    assert os.listdir(datasets_dir) == []


def test_corrupt_download_is_not_cached(tmp_path, monkeypatch):
    def broken_download(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"not a zip file")
        return str(target)

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file(broken_download))
    with pytest.raises(MnistDataError, match="damaged, so it was not cached"):
        load_mnist()
    assert os.listdir(tmp_path / "keras-home" / "datasets") == []


# ----------------------------------------------------------------------------- the report


def test_description_of_full_set_and_subset():
    full = describe_source("the Keras cache /c/mnist.npz", 60_000, 10_000)
    assert full == (
        "MNIST: 60,000 training + 10,000 test images from the Keras cache /c/mnist.npz: "
        "the full 60,000/10,000 set (sha256 verified)."
    )
    subset = describe_source("MNIST_DATA_DIR=/path (IDX files)", 10_000, 10_000)
    assert subset == (
        "MNIST: 10,000 training + 10,000 test images from MNIST_DATA_DIR=/path (IDX files): "
        "a subset of the full 60,000/10,000 set."
    )
    assert data.is_full_set(60_000, 10_000)
    assert not data.is_full_set(10_000, 10_000)
    assert not data.is_full_set(60_000, 5_000)


# ----------------------------------------------------------------------------- the shared real copy


@needs_shared_copy
def test_shared_copy_is_the_first_10k_subset(monkeypatch, capsys):
    monkeypatch.setenv("MNIST_DATA_DIR", str(SHARED_MNIST_DIR))
    dataset = load_mnist_dataset()
    assert dataset.x_train.shape == (10_000, 28, 28) and dataset.y_train.shape == (10_000,)
    assert dataset.x_test.shape == (10_000, 28, 28) and dataset.y_test.shape == (10_000,)
    assert dataset.x_train.dtype == np.uint8 and dataset.y_train.dtype == np.uint8
    assert (dataset.y_train[0], dataset.y_test[0]) == (5, 7)
    assert dataset.source.kind == "env" and not dataset.source.is_full
    assert (dataset.source.n_train, dataset.source.n_test) == (10_000, 10_000)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"MNIST: 10,000 training + 10,000 test images from MNIST_DATA_DIR={SHARED_MNIST_DIR} "
        "(IDX files): a subset of the full 60,000/10,000 set."
    ]


@needs_shared_copy
def test_official_test_set_passes_the_checksum_in_any_container(tmp_path):
    """The shared test split is the official one: re-saved as .npz it still verifies, and a
    single changed pixel is caught."""
    (x_train, y_train), (x_test, y_test) = load_mnist(SHARED_MNIST_DIR, verbose=False)
    arrays = {"x_train": x_train[:5], "y_train": y_train[:5], "x_test": x_test, "y_test": y_test}
    resaved = load_mnist_dataset(write_npz(tmp_path / "mnist.npz", arrays), verbose=False)
    np.testing.assert_array_equal(resaved.x_test, x_test)
    x_test[123, 14, 14] ^= 1
    with pytest.raises(MnistDataError, match="sha256 mismatch"):
        load_mnist(write_npz(tmp_path / "tampered" / "mnist.npz", arrays))


# ----------------------------------------------------------------------------- preparation


def test_scale_flatten_and_prepare_shapes_and_dtypes():
    images = fake_mnist(n_train=4)["x_train"]
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    scaled = scale_images(images)
    assert scaled.dtype == np.float32 and scaled.shape == (4, 28, 28)
    assert scaled.min() >= 0.0 and scaled.max() <= 1.0
    assert (scaled[0, 0, 0], scaled[0, 0, 1]) == (0.0, 1.0)
    assert flatten_images(images).shape == (4, 784) and flatten_images(images).dtype == np.uint8
    dense = prepare_dense(images)
    assert dense.shape == (4, 784) and dense.dtype == np.float32
    np.testing.assert_array_equal(dense[1], scaled[1].ravel())
    conv = prepare_conv(images)
    assert conv.shape == (4, 28, 28, 1) and conv.dtype == np.float32
    with pytest.raises(TypeError, match="already scaled"):
        scale_images(scaled)
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        prepare_dense(images[0])


def test_one_hot():
    encoded = one_hot(np.array([3, 0, 9], dtype=np.uint8))
    assert encoded.shape == (3, 10) and encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded.argmax(axis=1), [3, 0, 9])
    np.testing.assert_array_equal(encoded.sum(axis=1), [1, 1, 1])
    assert one_hot(np.array([1]), num_classes=3).tolist() == [[0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match=r"0\.\.9"):
        one_hot(np.array([10]))
    with pytest.raises(ValueError, match="integer"):
        one_hot(np.array([0.5]))


def test_first_n():
    images, labels = np.arange(20).reshape(10, 2), np.arange(10)
    first_images, first_labels = first_n(images, labels, 3)
    np.testing.assert_array_equal(first_labels, [0, 1, 2])
    np.testing.assert_array_equal(first_images, images[:3])
    with pytest.raises(ValueError, match="between 1 and 10"):
        first_n(images, labels, 11)
    with pytest.raises(ValueError, match="labels"):
        first_n(images, labels[:5], 3)


@pytest.mark.parametrize(("validation_size", "expected"), [(25, 25), (0.2, 20), (0.001, 1)])
def test_train_validation_split_sizes_and_disjointness(validation_size, expected):
    ids = np.arange(100)
    images = np.repeat(ids[:, None, None], 28, axis=1).repeat(28, axis=2)  # image i is all i
    labels = ids % 10
    (x_train, y_train), (x_val, y_val) = train_validation_split(images, labels, validation_size)
    assert len(x_val) == len(y_val) == expected
    assert len(x_train) == len(y_train) == 100 - expected
    train_ids, val_ids = x_train[:, 0, 0], x_val[:, 0, 0]
    assert not set(train_ids) & set(val_ids)
    assert sorted([*train_ids, *val_ids]) == list(ids)
    np.testing.assert_array_equal(y_train, train_ids % 10)  # labels stay with their images
    np.testing.assert_array_equal(y_val, val_ids % 10)


def test_train_validation_split_is_seeded():
    images, labels = np.arange(50), np.arange(50)
    first = train_validation_split(images, labels, 10, seed=1)[1][0]
    again = train_validation_split(images, labels, 10, seed=1)[1][0]
    other = train_validation_split(images, labels, 10, seed=2)[1][0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("bad_size", [0, 10, -1, 0.0, 1.0, 1.5])
def test_train_validation_split_rejects_bad_sizes(bad_size):
    with pytest.raises(ValueError, match="validation_size"):
        train_validation_split(np.arange(10), np.arange(10), bad_size)


def test_train_validation_split_rejects_bad_input():
    with pytest.raises(TypeError):
        train_validation_split(np.arange(10), np.arange(10), True)
    with pytest.raises(TypeError):
        train_validation_split(np.arange(10), np.arange(10), "2")
    with pytest.raises(ValueError, match="labels"):
        train_validation_split(np.arange(10), np.arange(9), 2)


# ----------------------------------------------------------------------------- rotations


def horizontal_bar() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[13:15, 4:24] = 255
    return image


def test_rotating_a_horizontal_bar_by_90_degrees_makes_it_vertical():
    rotated = rotate_image(horizontal_bar(), 90)
    assert rotated.shape == (28, 28) and rotated.dtype == np.uint8
    rows, columns = np.nonzero(rotated > 127)
    assert np.ptp(rows) >= 18 and np.ptp(columns) <= 2


def test_positive_angles_turn_counter_clockwise():
    image = np.zeros((28, 28), np.uint8)
    image[13:15, 22:26] = 255  # right of the centre
    rows, columns = np.nonzero(rotate_image(image, 90) > 127)
    assert rows.mean() < 8 and abs(columns.mean() - 13.5) < 2  # now above the centre


def test_rotating_back_approximately_restores():
    yy, xx = np.mgrid[:28, :28]
    blob = (255 * np.exp(-((yy - 12.0) ** 2 + (xx - 16.0) ** 2) / 20.0)).astype(np.uint8)
    restored = rotate_image(rotate_image(blob, 20), -20)
    assert np.abs(restored.astype(int) - blob).mean() < 2.0
    assert np.abs(rotate_image(blob, 20).astype(int) - blob).mean() > 5.0


def test_rotate_image_keeps_dtype_for_floats_and_channels():
    image = scale_images(horizontal_bar())[..., None]  # (28, 28, 1) float32
    rotated = rotate_image(image, 45)
    assert rotated.shape == (28, 28, 1) and rotated.dtype == np.float32
    assert rotated.min() >= 0.0 and rotated.max() <= 1.0


def test_rotation_angles_lie_within_the_range():
    angles = rotation_angles(1000, 5.0, 25.0, seed=3)
    assert np.all((np.abs(angles) >= 5.0) & (np.abs(angles) <= 25.0))
    assert (angles > 0).any() and (angles < 0).any()
    one_way = rotation_angles(1000, 5.0, 25.0, both_directions=False, seed=3)
    assert np.all((one_way >= 5.0) & (one_way <= 25.0))
    np.testing.assert_array_equal(angles, rotation_angles(1000, 5.0, 25.0, seed=3))
    with pytest.raises(ValueError, match="must not exceed"):
        rotation_angles(3, 25.0, 5.0)


def test_rotate_images_uses_one_seeded_angle_per_image():
    images = fake_mnist(n_train=6)["x_train"]
    rotated = rotate_images(images, 5.0, 25.0, seed=7)
    assert rotated.shape == images.shape and rotated.dtype == np.uint8
    for image, turned, angle in zip(images, rotated, rotation_angles(6, seed=7), strict=True):
        np.testing.assert_array_equal(turned, rotate_image(image, angle))
    np.testing.assert_array_equal(rotated, rotate_images(images, 5.0, 25.0, seed=7))
    assert not np.array_equal(rotated, rotate_images(images, 5.0, 25.0, seed=8))
    assert rotate_images(prepare_conv(images)).shape == (6, 28, 28, 1)


def test_augment_with_rotations_triples_and_keeps_labels_aligned():
    arrays = fake_mnist(n_train=4)
    images, labels = arrays["x_train"], arrays["y_train"]
    augmented, augmented_labels = augment_with_rotations(images, labels, 5.0, 25.0, seed=1)
    assert augmented.shape == (12, 28, 28) and augmented.dtype == np.uint8
    np.testing.assert_array_equal(augmented_labels, np.concatenate([labels] * 3))
    np.testing.assert_array_equal(augmented[:4], images)
    left = rotate_images(images, 5.0, 25.0, both_directions=False, seed=1)
    np.testing.assert_array_equal(augmented[4:8], left)
    right_angles = rotation_angles(4, -25.0, -5.0, both_directions=False, seed=2)
    assert np.all((right_angles >= -25.0) & (right_angles <= -5.0))
    for image, turned, angle in zip(images, augmented[8:], right_angles, strict=True):
        np.testing.assert_array_equal(turned, rotate_image(image, angle))


def test_dense_and_conv_inputs_pair_images_with_one_hot_labels():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7])
    x, y = data.dense_inputs(images, labels)
    assert x.shape == (2, 784) and np.allclose(x, data.prepare_dense(images))
    assert np.array_equal(y, data.one_hot(labels))
    x, y = data.conv_inputs(images, labels)
    assert x.shape == (2, 28, 28, 1) and y.shape == (2, 10)


def test_a_wrong_shape_is_a_one_line_error_that_is_still_a_value_error():
    assert issubclass(data.ShapeError, ValueError)
    with pytest.raises(data.ShapeError, match=r"\(N, 28, 28\).*images\[None\]"):
        data.prepare_dense(np.zeros((28, 28), dtype=np.uint8))
    lines = data.ShapeError("x")._render_traceback_()
    assert len(lines) == 1 and "ShapeError" in lines[0]
