"""Huey jobs of the work app (see tasks.py)."""
