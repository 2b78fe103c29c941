# ictops: the two commands a newcomer needs are `make demo` and `make test`.
# Both set up everything themselves on a fresh Debian 12 machine (as root):
# OS packages for the lab, a virtual environment, the ictops package.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ICTOPS := $(BIN)/ictops
# OS packages: sshd for the lab servers, sudo for privileged server commands, debootstrap for
# lab servers in their own Debian root, apt-utils (apt-ftparchive) and gnupg for the lab's signed
# apt repository, git for the
# backup store, Chromium + poppler + a Thai font for the director's PDF report; cron for
# `ictops schedule` (its crontab command) and systemd for systemd-analyze, which checks the
# timers it writes (installing it does not make systemd PID 1 nor start anything);
# chromium-driver for the dashboard's browser tests.
OS_PACKAGES := openssh-server sudo debootstrap apt-utils gnupg git chromium chromium-driver poppler-utils fonts-tlwg-laksaman-ttf procps cron systemd
PYTEST_ARGS ?=

.PHONY: demo test bench lab-up lab-down os-deps venv clean help

help:
	@echo "make demo   start the simulated district and run ictops against it"
	@echo "make test   run the test suite"
	@echo "make bench  run the benchmarks (docs/performance.md)"
	@echo "make lab-down  stop the simulated district"

os-deps:
	@missing=""; for p in $(OS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "please install as root:$$missing"; exit 1; fi; \
	  echo "installing OS packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[lab,test]'
	touch $@

venv: $(VENV)/.installed

demo: os-deps venv
	$(ICTOPS) lab up
	$(ICTOPS) inventory check
	$(ICTOPS) hostkeys trust
	$(ICTOPS) cmd 'uptime' -l 'role=server'
	$(ICTOPS) cmd 'show version' -l 'cisco'
	$(ICTOPS) cmd 'display version' -l 'huawei'
	$(ICTOPS) cmd 'show version' -l 'procurve'
	$(ICTOPS) run playbooks/nightly.yaml
	$(ICTOPS) schedule install playbooks/nightly.yaml --at 02:00
	$(ICTOPS) schedule list
	$(ICTOPS) patch list -l 'role=server'
	plan=$$($(ICTOPS) plan playbooks/patch.yaml | tail -n 1) && \
	  $(ICTOPS) approve $$plan --by wichian --order 'ที่ 12/2570' && \
	  $(ICTOPS) run playbooks/patch.yaml --plan $$plan
	$(ICTOPS) patch list -l 'role=server'
	@echo
	@echo "A switch change (docs/switch-config.md): planned, approved by the director, run; then nothing left to do (from the second make demo on, nothing to do at once)."
	set -o pipefail; $(ICTOPS) plan playbooks/switch-time-logging.yaml -l phukhieo-sw-core --diff | tee state/demo-plan.txt
	plan=$$(tail -1 state/demo-plan.txt) && \
	  $(ICTOPS) approve "$$plan" --by wichian && \
	  $(ICTOPS) run playbooks/switch-time-logging.yaml --plan "$$plan"
	$(ICTOPS) run playbooks/switch-time-logging.yaml -l phukhieo-sw-core --check
	@echo "The same from the command line, checked only: a library VLAN on the core switch (ictops config push)."
	$(ICTOPS) config push -l phukhieo-sw-core --line 'vlan 50' --line ' name LIBRARY' --check --diff
	@echo
	@echo "The director's report: $$(ls -t state/reports/*.pdf state/reports/*.html 2>/dev/null | head -1)"
	@echo "The audit trail:       ictops log show --last 20   (ictops log verify checks it)"
	@echo "The simulated district is still running: try 'source .venv/bin/activate; ictops --help'."
	@echo "The nightly run is scheduled at 02:00 (ictops schedule list); its log: state/logs/schedule-nightly.log"
	@echo "Stop it with: make lab-down (it also removes the schedule)"
	@echo "The dashboard (read-only, needs no lab): start it with .venv/bin/ictops web (Ctrl-C stops it), then open"
	@echo "  http://127.0.0.1:8787/"

# One suite at a time per machine (flock): the lab tests start real servers and have deadlines,
# and a second suite running beside them only slows both. CI runs one, so it never waits.
test: os-deps venv
	flock /tmp/ictops-make-test.lock $(BIN)/pytest $(PYTEST_ARGS)

bench: os-deps venv
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/inventory_load.py
	$(BIN)/python benchmarks/audit_offline.py
	$(BIN)/python benchmarks/fleet.py
	$(BIN)/python benchmarks/switch_push.py
	$(BIN)/python benchmarks/web_pages.py
	$(BIN)/python benchmarks/packages.py

lab-up: os-deps venv
	$(ICTOPS) lab up

lab-down:
	@if [ -x $(ICTOPS) ]; then $(ICTOPS) lab down; \
	  $(ICTOPS) schedule list --json 2>/dev/null | grep -q '"playbooks/nightly.yaml"' && \
	  $(ICTOPS) schedule remove playbooks/nightly.yaml || true; fi

clean: lab-down
	rm -rf $(VENV) state build *.egg-info
