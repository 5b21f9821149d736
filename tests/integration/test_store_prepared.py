"""Statements prepared once per connection (lib/store/db_prepared.h), inside transactions too."""
from harness.pg import run_helper


def test_prepared_inside_a_transaction(pg):
    # a statement first used inside a transaction is prepared there without breaking it,
    # even when the PREPARE fails (its name is taken); both outlive the rollback
    out = run_helper(pg, "store-tool", "prepared-tx").decode().splitlines()
    assert out == ["42", "taken", "2", "in-transaction", "rolled back on purpose", "2", "10",
                   "taken"]
