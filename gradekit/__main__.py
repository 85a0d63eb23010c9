"""Command-line entry: ``python -m gradekit <command> [args]``.

Each command lives in its own module as ``main(argv) -> int``; this file only
dispatches, so importing one command never pays for the others' imports.
"""

import importlib
import sys

COMMANDS = {
    "release": ("gradekit.release", "build student release, autograder zips and solutions"),
    "lint": ("gradekit.lint", "check master notebooks without building"),
    "grade": ("gradekit.batch", "grade a folder of submissions in parallel"),
    "grade-one": ("gradekit.grade", "grade one submission into a results JSON (used by workers)"),
    "gradescope": ("gradekit.gradescope", "platform entry point used by the autograder zip"),
    "mutants": ("gradekit.mutants", "grade the mutant corpus and print the kill matrix"),
    "bench": ("gradekit.bench", "measure grading throughput, overhead and memory"),
}


def usage() -> str:
    lines = ["usage: python -m gradekit <command> [args]", "", "commands:"]
    lines += [f"  {name:<11} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
