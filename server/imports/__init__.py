"""Bringing in the lists teams already keep: households and villages from XLSX or CSV files."""
