"""Written-answer pages, the manual.csv rubric sheet, and merging it back."""

import csv

import pytest

from gradekit import manual
from gradekit.model import Question, RubricItem, Spec, Status, SubmissionResult


def toy_spec() -> Spec:
    return Spec("toy", "toy.ipynb",
                (Question("q1", 2.0),
                 Question("wa", 3.0, manual=True, rubric=(RubricItem(3, "Grönwall applied"),)),
                 Question("wb", 2.0, manual=True)), ())


def result(student: str, answers: dict | None = None) -> SubmissionResult:
    return SubmissionResult(f"{student}.ipynb", student, "toy", Status.OK,
                            manual_answers=answers or {})


def fill(path, rows: dict[str, dict[str, str]]) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header = table[0]
    for line in table[1:]:
        for col, value in rows.get(line[1], {}).items():
            line[header.index(next(h for h in header if h.startswith(col)))] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(table)


def test_answer_page_renders_math_and_escapes_html():
    page = manual.answers_html(toy_spec(), result("al", {
        "wa": "By Grönwall, $\\|y-u\\|^2 \\le e^{-2t}$ and <script>alert(1)</script>\n\n"
              "![plot](data:image/png;base64,iVBORw0KGgo=)",
        "wb": "$$a < b$$"}))
    assert "\\(\\|y-u\\|^2 \\le e^{-2t}\\)" in page
    assert "\\[a &lt; b\\]" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '<img src="data:image/png;base64,iVBORw0KGgo="' in page
    assert page.index("<h2>wa") < page.index("<h2>wb")  # question order
    assert "Grönwall applied" in page and "mathjax" in page.lower()


def test_inline_attachments_turns_references_into_data_uris():
    md = "![fig](attachment:fig.png)"
    out = manual.inline_attachments(md, {"fig.png": {"image/png": "AAAA"}})
    assert out == "![fig](data:image/png;base64,AAAA)"


def test_sheet_created_once_then_merged(tmp_path):
    spec, results = toy_spec(), [result("al"), result("bo")]
    assert manual.prepare_sheet(tmp_path, spec, results) == {}
    sheet = tmp_path / "manual.csv"
    assert sheet.read_text().splitlines()[0] == \
        '"student","submission","wa (max 3)","wb (max 2)","comments"'
    assert (tmp_path / "manual" / "al.html").exists()
    fill(sheet, {"al.ipynb": {"wa": "2.5", "wb": ""}, "bo.ipynb": {"wb": "2"}})
    before = sheet.read_bytes()
    assert manual.prepare_sheet(tmp_path, spec, results) == {"al.ipynb": {"wa": 2.5},
                                                            "bo.ipynb": {"wb": 2.0}}
    assert sheet.read_bytes() == before  # never overwritten


@pytest.mark.parametrize("value, message", [("abc", "'abc' is not a number"),
                                            ("4", "'4' is outside 0..3"),
                                            ("-1", "outside"), ("nan", "outside")])
def test_bad_points_name_row_and_column(tmp_path, value, message):
    spec, results = toy_spec(), [result("al"), result("bo")]
    manual.prepare_sheet(tmp_path, spec, results)
    fill(tmp_path / "manual.csv", {"bo.ipynb": {"wa": value}})
    with pytest.raises(manual.ManualSheetError, match=f"row 3, column wa \\(max 3\\): .*{message}"):
        manual.prepare_sheet(tmp_path, spec, results)


def test_unknown_submission_in_sheet_is_an_error(tmp_path):
    spec = toy_spec()
    manual.prepare_sheet(tmp_path, spec, [result("al"), result("gone")])
    with pytest.raises(manual.ManualSheetError, match="row 3, column submission: 'gone.ipynb'"):
        manual.prepare_sheet(tmp_path, spec, [result("al")])


def test_no_written_questions_no_sheet(tmp_path):
    spec = Spec("toy", "toy.ipynb", (Question("q1", 2.0),), ())
    assert manual.prepare_sheet(tmp_path, spec, [result("al")]) == {}
    assert not (tmp_path / "manual.csv").exists()
