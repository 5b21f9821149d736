"""Fixtures of the compose test: one stack per module, always taken down.

Runs only when a Docker engine answers; otherwise every test here is skipped with the
reason. `make test` includes this folder; select it alone with `pytest -m compose`.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import compose_stack  # noqa: E402

SMTP_IN_REPLICAS = 3


def pytest_configure(config):
    config.addinivalue_line("markers", "compose: builds the images and runs the docker compose stack")


@pytest.fixture(scope="module")
def stack():
    """stack - the stack built and up with 3 smtp-in replicas, healthy; down -v at the end"""
    ok, why = compose_stack.docker_answers()
    if not ok:
        pytest.skip("no Docker engine answers (%s): compose test skipped" % why)
    if compose_stack.compose_command() is None:
        pytest.skip("neither docker-compose nor `docker compose` is installed")
    s = compose_stack.ComposeStack(log=lambda m: sys.stderr.write(m + "\n"))
    try:
        try:
            s.prepare()
            s.up(SMTP_IN_REPLICAS)
            s.timed("healthy", s.wait_healthy)
        except Exception:
            sys.stderr.write("compose: the stack did not come up; its logs:\n%s\n"
                             % s.logs()[-20000:])
            raise
        yield s
    finally:
        s.down()
        sys.stderr.write("compose: timings %s\n" % {k: round(v, 1) for k, v in s.timings.items()})
