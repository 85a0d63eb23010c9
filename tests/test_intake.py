import json
import zipfile

import pytest

from factories import notebook, tiny_spec, write_notebook
from gradekit.intake import MAX_NOTEBOOK_BYTES, read_submission


@pytest.fixture
def spec():
    return tiny_spec()


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_valid_notebook_is_read(tmp_path, spec):
    got = read_submission(write_notebook(tmp_path / "alice.ipynb", notebook(spec)), spec)
    assert got.reason == "" and got.notebook["cells"]


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "not an object"),
    (json.dumps({"nbformat": 3, "worksheets": [{"cells": []}]}).encode(), "too old"),
    (json.dumps({"nbformat": 4, "metadata": {}}).encode(), "no cells"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_broken_notebooks_are_invalid_with_a_reason(tmp_path, spec, content, words):
    path = tmp_path / "bob.ipynb"
    path.write_bytes(content)
    got = read_submission(path, spec)
    assert got.notebook is None and words in got.reason


def test_non_python_kernel_is_invalid(tmp_path, spec):
    nb = notebook(spec, kernel={"name": "ir", "language": "R", "display_name": "R"})
    nb["metadata"]["language_info"] = {"name": "R"}
    got = read_submission(write_notebook(tmp_path / "c.ipynb", nb), spec)
    assert got.notebook is None and "R kernel" in got.reason


@pytest.mark.parametrize("kernel", [
    {"name": "python3", "display_name": "Python 3 (ipykernel)"},
    {"name": "conda-env-ml-py", "display_name": "Python [conda env:ml]", "language": "python"},
    {"name": "my-course-env", "display_name": "course"},
])
def test_any_python_kernel_is_fine(tmp_path, spec, kernel):
    got = read_submission(write_notebook(tmp_path / "d.ipynb", notebook(spec, kernel=kernel)), spec)
    assert got.notebook is not None, got.reason


def test_wrong_assignment_is_invalid(tmp_path, spec):
    got = read_submission(write_notebook(tmp_path / "e.ipynb", notebook(spec, assignment="ntk")), spec)
    assert got.notebook is None and "this is the ntk notebook" in got.reason


def test_other_extension_is_invalid(tmp_path, spec):
    path = tmp_path / "f.py"
    path.write_text("print(1)")
    assert "not a notebook" in read_submission(path, spec).reason


def test_export_zip_ignores_pickles_and_otter_log(tmp_path, spec):
    # A pickle whose loading would create a file: it must never be loaded.
    evil = b"cos\nsystem\n(S'touch " + str(tmp_path / "pwned").encode() + b"'\ntR."
    path = write_zip(tmp_path / "g.zip", {
        "tiny.ipynb": json.dumps(notebook(spec)), ".OTTER_LOG": evil, "results.pkl": evil,
        "tiny.pdf": b"%PDF", "notes.txt": b"hi",
    })
    got = read_submission(path, spec)
    assert got.notebook is not None, got.reason
    assert not (tmp_path / "pwned").exists()


def test_zip_without_notebook(tmp_path, spec):
    got = read_submission(write_zip(tmp_path / "h.zip", {".OTTER_LOG": b"x"}), spec)
    assert got.reason == "zip contains no notebook"


def test_zip_with_several_notebooks_prefers_the_assignment_name(tmp_path, spec):
    other = notebook(spec, assignment="ntk")
    path = write_zip(tmp_path / "i.zip", {"scratch.ipynb": json.dumps(other),
                                          "sub/tiny.ipynb": json.dumps(notebook(spec))})
    assert read_submission(path, spec).notebook is not None
    path = write_zip(tmp_path / "j.zip", {"a.ipynb": "{}", "b.ipynb": "{}"})
    assert "several notebooks" in read_submission(path, spec).reason


def test_zip_bomb_member_is_refused(tmp_path, spec):
    path = tmp_path / "k.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("tiny.ipynb", "w", force_zip64=True) as f:
            chunk = b" " * 2**20
            for _ in range(MAX_NOTEBOOK_BYTES // len(chunk) + 2):
                f.write(chunk)
    assert path.stat().st_size < 2**20  # compressed tiny, inflates past the cap
    assert "larger than" in read_submission(path, spec).reason


def test_corrupt_zip_is_invalid(tmp_path, spec):
    path = tmp_path / "l.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    assert "not a readable zip" in read_submission(path, spec).reason
