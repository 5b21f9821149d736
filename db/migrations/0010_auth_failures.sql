-- 0010: failed logins counted in the store, per client address, so that every replica of
-- a service behind the front proxy sees the same count: a lockout then holds however the
-- proxy spreads an attacker's connections. A row is a window: its first failure's time and
-- how many followed; a window that is over starts again at the next failure, and rows of
-- windows long over are removed by the next failure from anyone.
CREATE TABLE IF NOT EXISTS auth_failures (
    client   text PRIMARY KEY CHECK (length(client) BETWEEN 1 AND 80),
    failures integer NOT NULL CHECK (failures > 0),
    first_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS auth_failures_first_at ON auth_failures (first_at);
