# The README's two set-up commands: `make demo` (the main job on the embedded default)
# and `make test` (the whole test suite). Both create .venv and install what they need.
.PHONY: demo test bench
demo:
	scripts/bootstrap.sh
	.venv/bin/nianbao demo

test:
	scripts/bootstrap.sh --test
	scripts/services.sh
	NIANBAO_TEST_PG_URL=$${NIANBAO_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	NIANBAO_TEST_REDIS_URL=$${NIANBAO_TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	.venv/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench:
	scripts/bootstrap.sh --test
	scripts/services.sh
	for b in bench/*_bench.py; do .venv/bin/python $$b || exit 1; done
