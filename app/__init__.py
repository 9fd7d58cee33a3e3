"""Streamlit glue shared by dashboard.py and the pages (connection, filter bar, charts with tables)."""
