"""Versioned triage policy files (YAML); a package only so the files ship with the code."""
