"""Exports of a cycle's results (CSV, XLSX, JSON) and of a whole organization."""
