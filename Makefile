# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test setup

setup:
	scripts/setup.sh

demo: setup
	.venv/bin/flask --app wsgi demo

test:
	scripts/test.sh
