# Thin front end: every target is one command of the gradekit package.
# `make release` and friends first build .venv from the pinned requirements
# (once; the stamp is redone only when requirements.txt or constraints.txt change).

PY := .venv/bin/python
ASSIGNMENT ?=
SUBMISSIONS ?=
OUT ?=
JOBS ?=
TIMEOUT ?=
DATAHUB_REPO ?= https://github.com/YOUR-ORG/YOUR-STUDENT-REPO
DATAHUB_HUB ?= https://datahub.example.edu
# torch==X on PyPI is the multi-GB CUDA build; the CPU index offers X+cpu, which pip prefers.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

GRADE_ARGS := $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
	$(if $(SUBMISSIONS),--submissions $(SUBMISSIONS)) $(if $(OUT),--out $(OUT)) \
	$(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

.PHONY: release test grade mutants bench lint clean

.venv/.installed: requirements.txt constraints.txt
	test -x $(PY) || python3.11 -m venv .venv
	$(PY) -m pip install --extra-index-url $(TORCH_INDEX) -r requirements.txt -c constraints.txt
	touch $@

release: .venv/.installed
	$(PY) -m gradekit release --repo $(DATAHUB_REPO) --hub $(DATAHUB_HUB)

test: .venv/.installed
	$(PY) -m pytest -q tests

grade: .venv/.installed
	$(PY) -m gradekit grade $(GRADE_ARGS)

mutants: .venv/.installed
	$(PY) -m gradekit mutants

bench: .venv/.installed
	$(PY) -m gradekit bench

lint: .venv/.installed
	$(PY) -m gradekit lint

clean:
	rm -rf student_release autograder solutions grades build bench .pytest_cache
