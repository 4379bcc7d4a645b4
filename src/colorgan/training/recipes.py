"""Recipes: a run's settings as JSON. A recipe may name its parent (`"extends":
"crops-160.json"`, a path relative to its own file) and state only what differs, as mmcv's
`_base_` configs do; the chain resolves to one flat set of settings, checked whole.

A recipe's starting weights may be a file at a revision of this repository
(`"init_weights": "git:5975405:src/colorgan/weights/default.safetensors"`), so that a recipe
that starts from a model once bundled is reproducible from a clone alone.
"""

import contextlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

EXTENDS = "extends"
GIT_PREFIX = "git:"


class RecipeError(ValueError):
    """A recipe that cannot be read: not JSON, a loop of parents, a missing parent."""


def read_recipe(path: Path) -> dict:
    """The settings of a recipe with its parents' beneath them (check_train_settings checks
    them, with whatever the command line adds)."""
    return _resolved(Path(path), [])


def _resolved(path: Path, seen: list[Path]) -> dict:
    if path.resolve() in seen:
        chain = " -> ".join(str(step) for step in [*seen, path.resolve()])
        raise RecipeError(f"{path}: recipes extend each other in a loop ({chain})")
    try:
        values = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RecipeError(f"{path}: {error}") from None
    if not isinstance(values, dict):
        raise RecipeError(f"{path}: a recipe is a JSON object of settings")
    parent = values.pop(EXTENDS, None)
    if parent is None:
        return values
    if not isinstance(parent, str):
        raise RecipeError(f"{path}: {EXTENDS} names the parent recipe's file, not {parent!r}")
    return {**_resolved(path.parent / parent, [*seen, path.resolve()]), **values}


@contextlib.contextmanager
def weights_file(source: str, repository: Path = Path(".")) -> Iterator[Path]:
    """The file of starting weights a recipe names: a path, or git:REVISION:PATH read from the
    repository at that revision into a temporary file, removed after."""
    if not source.startswith(GIT_PREFIX):
        yield Path(source)
        return
    revision, _, inside = source.removeprefix(GIT_PREFIX).partition(":")
    if not revision or not inside:
        raise RecipeError(f"init_weights {source!r}: expected git:REVISION:PATH")
    try:
        content = subprocess.run(["git", "show", f"{revision}:{inside}"], cwd=repository,
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"").decode(errors="replace").strip() or error
        raise RecipeError(f"init_weights {source!r}: cannot read it from git: {detail}") from None
    with tempfile.TemporaryDirectory(prefix="colorgan-init-") as folder:
        target = Path(folder) / Path(inside).name
        target.write_bytes(content)
        yield target
