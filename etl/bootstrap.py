"""`make run` step: load the demo data when the database holds no submission yet, then say how to
create the first administrator (there is no default password)."""

from __future__ import annotations

import store.connection


def main() -> None:
    path = store.connection.target()
    con = store.connection.connect(path)
    submissions = con.execute("SELECT count(*) FROM submission_log").fetchone()[0]  # type: ignore[index]  # one row
    admins = con.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]  # type: ignore[index]
    con.close()
    if submissions == 0 and store.connection.shared_url(path):  # the demo is built as a file (python -m etl demo)
        print(
            f"The shared store {store.connection.describe(path)} is empty: load files (python -m etl load), or copy "
            "a database file into a new store (python -m etl --db FILE migrate --to URL)."
        )
    elif submissions == 0:
        from demo import generate

        print(f"The database {path} is empty: loading the demo data (python -m etl demo).")
        print(generate.build_demo(path))
    if admins == 0:
        print(
            "No administrator yet. Create one (the password is read from the terminal):\n"
            "    .venv/bin/python -m etl users add admin --role admin"
        )


if __name__ == "__main__":
    main()
