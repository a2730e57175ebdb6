# Two commands do everything on a fresh machine:  `make book`  and  `make test`.
PY      := .venv/bin/python
VENV_OK := .venv/.installed
NB      ?= $(wildcard notebooks/[0-9][0-9]_*.ipynb)

.PHONY: book test notebooks badges clean

$(VENV_OK): requirements.txt
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(VENV_OK)

## Build the web book into _build/html (open _build/html/index.html).
book: $(VENV_OK)
	bash tools/fetch_web_assets.sh
	env -u MPLBACKEND .venv/bin/jupyter-book build . -W -n --keep-going

## Run the whole test suite (what .ci/run runs).
test: $(VENV_OK)
	bash tools/run_tests.sh

## Re-execute notebooks in place (fresh kernel, ci profile, widget state saved).
notebooks: $(VENV_OK)
	$(PY) tools/execute_notebooks.py $(NB)

## Rewrite every Colab badge from repository.url in _config.yml.
badges: $(VENV_OK)
	$(PY) tools/sync_badges.py

clean:
	rm -rf _build .pytest_cache
