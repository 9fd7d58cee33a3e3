"""ETL of UNCT spreadsheets and UN INFO exports into DuckDB."""
