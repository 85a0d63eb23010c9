"""Build and grading tooling for the conv/NTK course unit.

Stages are plain functions over the data types in :mod:`gradekit.model`;
``python -m gradekit <command>`` (see :mod:`gradekit.__main__`) composes them.
"""

__version__ = "0.1.0"
