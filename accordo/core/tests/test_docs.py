"""The README's settings table and .env.example name every ACCORDO_* variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _variables_in_code() -> set[str]:
    settings = (ROOT / "accordo" / "settings.py").read_text()
    names = {f"ACCORDO_{n}" for n in re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings)}
    names |= set(re.findall(r"ACCORDO_[A-Z0-9_]+", (ROOT / "bin" / "serve").read_text()))
    return names


def test_it_documents_every_setting_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(n for n in _variables_in_code() if f"`{n}`" not in readme)
    assert not missing, f"README settings table lacks {missing}"


def test_it_lists_every_setting_in_env_example():
    example = (ROOT / ".env.example").read_text()
    missing = sorted(n for n in _variables_in_code() if n not in example)
    assert not missing, f".env.example lacks {missing}"
