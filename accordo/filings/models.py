"""Tax returns and assessments (SPEC §6)."""
