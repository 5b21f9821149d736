"""Fixtures shared by every integration test.

pg     -- harness/pg.py: a throwaway PostgreSQL cluster, migrated, one per test session
stack  -- harness/stack.py: starts Merpati's programs on free ports, keeps their logs and
          prints them when a test fails
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

pytest_plugins = ["harness.pg", "harness.stack"]
