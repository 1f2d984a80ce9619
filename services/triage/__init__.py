"""triage: classifies each screened person by origin and exposure and keeps one case per person."""
