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
# Where torch's CPU wheels come from. Empty on machines that carry the CPU wheel of
# torch==2.13.0 locally (our DataHub image and CI). Elsewhere set it to PyTorch's CPU
# index (see README): on PyPI, torch==2.13.0 is the multi-GB CUDA build. Not the default,
# because an unreachable index costs pip ~8 s of retries per package on offline machines.
TORCH_INDEX ?=

GRADE_ARGS := $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
	$(if $(SUBMISSIONS),--submissions $(SUBMISSIONS)) $(if $(OUT),--out $(OUT)) \
	$(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT))

.PHONY: release test grade mutants bench lint clean

.venv/.installed: requirements.txt constraints.txt
	test -x $(PY) || python3.11 -m venv .venv
	$(PY) -m pip install $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -r requirements.txt -c constraints.txt
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
