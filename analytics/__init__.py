"""Every read behind the pages and exports, over the query surface of SPEC §9 (the views `budget`,
`indicator_values`, `actions`, `submissions`, `suboutput_list`, `indirect_costs` and the table `entities`).

Each read is a function `(con, filters, *args)` that aggregates in SQL with parameters (user values are never
formatted into SQL), opens its own cursor, fetches fully and returns a small DataFrame or dict; pages call
them by reference through `app.data.cached`. The metrics are defined once (`metrics`), the filters once
(`filters`).
"""
