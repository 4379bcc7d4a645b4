"""Recipes: `extends` resolves to one flat set of settings, every recipe in the repository
validates, and the shipped recipes stand on their own."""

import json
import subprocess
from pathlib import Path

import pytest

from colorgan.settings import check_train_settings
from colorgan.training.recipes import RecipeError, read_recipe, weights_file

ROOT = Path(__file__).parent.parent
SHIPPED = sorted((ROOT / "recipes").glob("*.json"))
EVERY = SHIPPED + sorted((ROOT / "experiments").rglob("*.json"))


def test_a_recipe_states_what_differs_from_its_parent_and_the_child_wins(tmp_path):
    (tmp_path / "base.json").write_text(json.dumps({"data": ["a"], "size": 128, "steps": 10}))
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "child.json").write_text(json.dumps(
        {"extends": "../base.json", "size": 160}))
    (tmp_path / "grandchild.json").write_text(json.dumps(
        {"extends": "runs/child.json", "steps": 20}))
    assert read_recipe(tmp_path / "grandchild.json") == {"data": ["a"], "size": 160,
                                                         "steps": 20}


@pytest.mark.parametrize("files, message", [
    ({"a.json": {"extends": "b.json"}, "b.json": {"extends": "a.json"}}, "in a loop"),
    ({"a.json": {"extends": "missing.json"}}, "missing.json"),
    ({"a.json": {"extends": 3}}, "names the parent"),
    ({"a.json": ["not", "an", "object"]}, "JSON object"),
])
def test_loops_missing_parents_and_non_recipes_are_named(tmp_path, files, message):
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    with pytest.raises(RecipeError, match=message):
        read_recipe(tmp_path / "a.json")


@pytest.mark.parametrize("path", EVERY, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_recipe_in_the_repository_resolves_and_validates(path):
    check_train_settings(read_recipe(path))


def test_the_shipped_recipes_extend_only_each_other_and_start_from_tracked_weights():
    names = {path.name for path in SHIPPED}
    for path in SHIPPED:
        raw = json.loads(path.read_text())
        assert raw.get("extends") in (None, *names), path.name
        start = read_recipe(path).get("init_weights")
        # From a file at a revision of this repository, or from the run of a shipped recipe
        # (in runs/, or packed for a GPU job in .pack/init/: docs/TRAINING.md, "Training on a GPU").
        runs = [(f"runs/{Path(name).stem}/", f".pack/init/{Path(name).stem}.") for name in names]
        assert start is None or start.startswith("git:") or any(
            start.startswith(prefixes) for prefixes in runs), (path.name, start)


def test_starting_weights_from_a_revision_are_read_from_git():
    known = subprocess.run(["git", "cat-file", "-e", "5975405^{commit}"], cwd=ROOT,
                           capture_output=True)
    if known.returncode != 0:
        pytest.skip("this checkout holds no history (a shallow clone)")
    with weights_file("git:5975405:src/colorgan/weights/default.json") as path:
        assert json.loads(path.read_text())["step"] == 1600  # v5's export
    assert not path.exists()  # the temporary copy is gone after
    with pytest.raises(RecipeError, match="cannot read it from git"):
        with weights_file("git:0000000:nothing.safetensors"):
            pass
