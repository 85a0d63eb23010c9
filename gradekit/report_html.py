"""``report.html``: one self-contained page for staff (the histogram is an embedded PNG).

Every piece of text from a submission (file names, reasons) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io

from gradekit.model import Spec, SubmissionResult
from gradekit.report_csv import number, question_scores

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 70em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; }
"""


def percent(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def score_fractions(spec: Spec, results: list[SubmissionResult],
                    manual_points: dict[str, dict[str, float]]) -> tuple[list[float], str]:
    """Each submission's score as a fraction, and what that score covers.

    The total including written questions is used once every one of them is
    marked for every submission; until then, the autograded part alone.
    """
    full_max = sum(q.points for q in spec.questions)
    marks = [question_scores(spec, r, manual_points.get(r.submission, {})) for r in results]
    if spec.manual and all(m[q.name] is not None for m in marks for q in spec.manual) and full_max:
        return [sum(v or 0.0 for v in m.values()) / full_max for m in marks], "total score"
    auto_max = sum(q.points for q in spec.autograded)
    return [r.score / auto_max if auto_max else 0.0 for r in results], "autograded score"


def histogram_png(fractions: list[float], label: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display on graders' machines
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.hist([100 * f for f in fractions], bins=[5 * i for i in range(21)], color="#4477aa",
            edgecolor="white")
    ax.set_xlabel(f"{label} (%)")
    ax.set_ylabel("submissions")
    ax.set_xlim(0, 100)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def table(caption: str, header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    def cell(i: int, v: str, tag: str = "td") -> str:
        cls = ' class="num"' if i in numeric and tag == "td" else ""
        return f"<{tag}{cls}>{html.escape(v)}</{tag}>"

    head = "".join(cell(i, h, "th") for i, h in enumerate(header))
    body = "\n".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption>\n<tr>{head}</tr>\n{body}\n</table>"


def render_report(spec, results, manual_points, qstats, tstats, slow, failed) -> str:
    fractions, label = score_fractions(spec, results, manual_points)
    png = base64.b64encode(histogram_png(fractions, label)).decode("ascii")
    counts = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    mean = sum(fractions) / len(fractions) if fractions else None
    parts = [
        f"<h1>Grading report: {html.escape(spec.assignment)}</h1>",
        f"<p>{len(results)} submissions: "
        + html.escape(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
        + f"; mean {html.escape(label)} {percent(mean)}.</p>",
        f'<img alt="distribution of the {html.escape(label)}" src="data:image/png;base64,{png}">',
        table("Questions", ["question", "points", "kind", "n", "mean", "full marks"],
              [[s.name, number(s.max_points), "manual" if s.manual else "auto", str(s.n),
                percent(s.mean), percent(s.full_marks_rate)] for s in qstats], {1, 3, 4, 5}),
        table("Tests (discrimination: point-biserial correlation of passing with the rest "
              "of the autograded score)",
              ["test", "question", "visibility", "n", "pass rate", "discrimination"],
              [[s.name, s.question, "hidden" if s.hidden else "public", str(s.n),
                percent(s.pass_rate),
                "–" if s.discrimination is None else f"{s.discrimination:.2f}"] for s in tstats],
              {3, 4, 5}),
        table("Slowest submissions", ["student", "submission", "status", "seconds", "peak MB"],
              [[r.student, r.submission, r.status.value,
                f"{r.timings.get('batch_wall_s', r.timings.get('total', 0.0)):.1f}",
                f"{r.peak_rss_mb:.0f}"] for r in slow], {3, 4}),
        table("Submissions not graded cleanly", ["student", "submission", "status", "reason"],
              [[r.student, r.submission, r.status.value, r.reason] for r in failed], set()),
    ]
    flagged = [r for r in results if r.integrity]
    if flagged:
        parts.append(table("Integrity flags (edited or deleted locked cells)",
                           ["student", "submission", "flags"],
                           [[r.student, r.submission, "; ".join(r.integrity)] for r in flagged],
                           set()))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(spec.assignment)} grades</title><style>{STYLE}</style>"
            f"</head><body>\n<!-- generated by gradekit; rebuilt on every `make grade` -->\n"
            f"{body}\n</body></html>\n")
