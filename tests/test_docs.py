"""The documentation's links lead somewhere: every relative link in the README, docs/ and the
experiments' notes names a file of the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("experiments/*/README.md")]


def test_every_relative_link_names_a_file_that_exists():
    broken = [(str(page.relative_to(ROOT)), target)
              for page in PAGES
              for target in re.findall(r"\]\(([^)#\s]+)", page.read_text())
              if "://" not in target and not (page.parent / target).exists()]
    assert broken == []
