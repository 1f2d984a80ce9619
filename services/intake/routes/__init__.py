"""The feed API: push records as JSON, upload CSV/XLSX files (both answer 202 with counts)."""
