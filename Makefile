# Two commands do everything on a fresh machine:  `make book`  and  `make test`.
PY      := .venv/bin/python
VENV_OK := .venv/.installed
ALL_NB  := $(wildcard notebooks/[0-9][0-9]_*.ipynb)
NB      ?=

.PHONY: book pdf test test-cpus notebooks badges student course slides results-sync shared-sync metric-sync gpu lock clean

# The exact versions the suite passed with live in requirements.lock (constraints).
$(VENV_OK): requirements.txt requirements.lock
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip -c requirements.lock
	$(PY) -m pip install -q -r requirements.txt -c requirements.lock
	touch $(VENV_OK)

## Build the web book into _build/html (open _build/html/index.html), with its
## downloads: the notebooks' zip (written by the build) and the PDF (make pdf).
book: $(VENV_OK)
	bash tools/fetch_web_assets.sh
	env -u MPLBACKEND .venv/bin/jupyter-book build . -W -n --keep-going
	$(MAKE) pdf

## Print the built book's pages in order with headless Chromium and join them
## into _build/html/downloads/book.pdf (tools/downloads.py).
pdf: $(VENV_OK)
	bash tools/install_chromium.sh
	$(PY) tools/downloads.py pdf

## Run the whole test suite (what .ci/run runs). With NB="notebooks/10_edm.ipynb ...":
## only those chapters' notebook checks and copy tests (tests/test_student.py).
test: $(VENV_OK)
	bash tools/run_tests.sh $(NB)

## The notebook checks (no copy tests) under other CPUs' kernels (ATen, MKL, oneDNN);
## .ci/run runs it after `make test`. NB=... limits it to some chapters.
test-cpus: $(VENV_OK)
	bash tools/run_cpu_variants.sh $(NB)

## Re-execute notebooks in place (fresh kernel, ci profile, widget state saved).
notebooks: $(VENV_OK)
	$(PY) tools/execute_notebooks.py $(or $(NB),$(ALL_NB))

## Rewrite every Colab badge from repository.url in _config.yml.
badges: $(VENV_OK)
	$(PY) tools/sync_badges.py

## Write student/NN_name.ipynb (committed: solutions stubbed, hidden tests
## dropped) and _build/autograder/NN_name.ipynb (hidden tests kept) from every
## chapter; EXTRA=DIR appends a teacher's private tests DIR/NN_name/<grade_id>.py.
student: $(VENV_OK)
	$(PY) tools/make_student.py $(if $(EXTRA),--extra-tests $(EXTRA))

## Rewrite the generated part of the teaching page (book/course.md) and its
## prerequisites figure from the chapters' first cells (tools/sync_course.py).
course: $(VENV_OK)
	$(PY) tools/sync_course.py

## reveal.js decks of every chapter's Derive and Reproduce (cell metadata
## "slideshow"), into _build/slides/ (tools/make_slides.py); they work offline.
slides: $(VENV_OK)
	bash tools/fetch_web_assets.sh
	$(PY) tools/make_slides.py $(NB)

## Rewrite the footer of every chapter's RESULTS cell from tools/results.py.
results-sync: $(VENV_OK)
	$(PY) tools/sync_results.py

## Rewrite the blocks all chapters share (tools/sync_shared.py) in every setup cell.
shared-sync: $(VENV_OK)
	$(PY) tools/sync_shared.py

## Rewrite the digits metric block of chapters 08-10 (tools/sync_metric.py).
metric-sync: $(VENV_OK)
	$(PY) tools/sync_metric.py

## Run every chapter (or NB=...) in the full profile on a CUDA GPU, into
## _build/gpu/, LIMIT seconds each (default 300); record book/results_gpu.json.
gpu: $(VENV_OK)
	$(PY) tools/gpu_run.py $(if $(LIMIT),--limit $(LIMIT)) $(or $(NB),$(ALL_NB))

## Re-resolve requirements.txt in a fresh environment and rewrite requirements.lock.
lock:
	bash tools/lock.sh

clean:
	rm -rf _build .pytest_cache
