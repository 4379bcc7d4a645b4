"""The ONNX form of a model colors as its PyTorch form does, from the CLI and from Python."""


import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorgan.inference.colorize import Colorizer, bundled_weights_path, read_model
from colorgan.inference.hints import Hint
from colorgan.inference.onnx_model import automatic_form, export_onnx
from tests.cli_runs import in_process as colorgan
from tests.conftest import color_photo

SHAPES = [(97, 61), (256, 256), (333, 500), (31, 45), (2, 3)]
# Both backends run the same folded float16 weights (colorgan.models.folding); what remains
# are float32 rounding differences of the two libraries' kernels.
LEVELS = 1




def largest_difference(first: Colorizer, second: Colorizer, hinted: bool = False) -> int:
    """The largest difference in 8-bit levels between the two models' photos of several
    shapes, with two color hints on each where `hinted`."""
    rng = np.random.default_rng(0)
    worst = 0
    for height, width in SHAPES:
        photo = Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8))
        hints = [Hint(0, 0, "#c0392b"), Hint(width - 1, height - 1, (20, 200, 40))] \
            if hinted else []
        for size in (64, 256):
            a = np.asarray(first.colorize(photo, size, hints), int)
            b = np.asarray(second.colorize(photo, size, hints), int)
            worst = max(worst, int(np.abs(a - b).max()))
    return worst


def test_the_shipped_onnx_model_colors_as_the_bundled_weights_do():
    # Also catches an ONNX file left behind when the bundled weights change.
    torch_colorizer = Colorizer.load(backend="torch")
    onnx_colorizer = Colorizer.load(backend="onnx")
    assert (torch_colorizer.backend, onnx_colorizer.backend) == ("torch", "onnx")
    assert onnx_colorizer.config == torch_colorizer.config
    assert largest_difference(torch_colorizer, onnx_colorizer) <= LEVELS
    assert largest_difference(torch_colorizer, onnx_colorizer, hinted=True) <= LEVELS


def test_auto_uses_onnx_runtime_where_there_is_an_onnx_form(tmp_path):
    assert Colorizer.load().backend == "onnx"
    copy = tmp_path / "copy.safetensors"
    copy.write_bytes(bundled_weights_path().read_bytes())
    assert Colorizer.load(copy).backend == "torch"  # no ONNX form beside an arbitrary file
    with pytest.raises(ValueError, match="no ONNX form of this model"):
        Colorizer.load(copy, backend="onnx")
    with pytest.raises(ValueError, match="not one of"):
        Colorizer.load(backend="tensorflow")


@pytest.mark.slow
def test_export_writes_an_onnx_model_that_runs_any_size(tmp_path):
    exported = colorgan("export", "bundled", str(tmp_path / "model.onnx"))
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "model.automatic.onnx (the graph for photos without hints)" in exported.stdout
    onnx_colorizer = Colorizer.load(tmp_path / "model.onnx")
    assert onnx_colorizer.backend == "onnx"
    assert onnx_colorizer.config == Colorizer.load(backend="torch").config
    assert largest_difference(Colorizer.load(backend="torch"), onnx_colorizer) <= LEVELS
    # Photos without hints ran the graph without the hint branches; the other is not open.
    assert onnx_colorizer.generator.hinted is None
    assert [node.name for node in onnx_colorizer.generator.automatic.get_inputs()] == \
        ["luminance"]
    not_onnx = tmp_path / "photo.onnx"
    color_photo(1).save(not_onnx, "PNG")
    with pytest.raises(ValueError, match="not an ONNX model"):
        Colorizer.load(not_onnx)


def test_the_cli_backends_write_the_same_photo(tmp_path):
    photo = tmp_path / "old.png"
    color_photo(3, (150, 100)).convert("L").save(photo)
    outputs = {}
    for backend in ("torch", "onnx"):
        result = colorgan("colorize", str(photo), "-o", str(tmp_path / backend), "--backend",
                          backend, "--size", "128")
        assert result.returncode == 0, result.stderr
        outputs[backend] = np.asarray(Image.open(tmp_path / backend / "old.png"), int)
    assert np.abs(outputs["torch"] - outputs["onnx"]).max() <= LEVELS


def test_the_shipped_onnx_model_reads_the_bundled_weights_instead_of_a_copy():
    bundled = bundled_weights_path()
    for backend in ("torch", "onnx"):
        assert Colorizer.load(backend=backend).onnx_weights == bundled
    assert bundled.with_suffix(".onnx").stat().st_size < bundled.stat().st_size / 10


@pytest.mark.slow
def test_export_can_share_a_safetensors_files_weights(tmp_path):
    color_photo(2, (40, 30)).convert("L").save(tmp_path / "m.png")
    weights = tmp_path / "mine.safetensors"
    weights.write_bytes(bundled_weights_path().read_bytes())  # float16, as bundled
    (tmp_path / "elsewhere").mkdir()
    refused = {
        "must go in MODEL's folder": ["export", str(weights), str(tmp_path / "elsewhere/m.onnx"),
                                      "--half", "--share-weights"],
        "use --half exactly when": ["export", str(weights), str(tmp_path / "m.onnx"),
                                    "--share-weights"],
        "from a .safetensors MODEL": ["export", str(weights), str(tmp_path / "m.safetensors"),
                                      "--half", "--share-weights"],
        "exports MODEL as it is": ["export", str(weights), str(tmp_path / "m.onnx"), "--half",
                                   "--share-weights", "--vividness", "1.2"]}
    for message, arguments in refused.items():
        result = colorgan(*arguments)
        assert result.returncode == 2 and message in result.stderr, result.stderr[-500:]
    shared = colorgan("export", str(weights), str(tmp_path / "mine.onnx"), "--half",
                      "--share-weights")
    assert shared.returncode == 0, shared.stderr[-2000:]
    assert (tmp_path / "mine.onnx").stat().st_size < weights.stat().st_size / 10
    onnx_colorizer = Colorizer.load(tmp_path / "mine.onnx")
    assert onnx_colorizer.onnx_weights == weights
    assert largest_difference(Colorizer.load(backend="torch"), onnx_colorizer) <= LEVELS
    weights.write_bytes(weights.read_bytes()[:1000])
    cut_short = colorgan("colorize", str(tmp_path / "m.png"), "-o", str(tmp_path / "out"),
                         "--model", str(tmp_path / "mine.onnx"))
    assert cut_short.returncode == 1
    assert cut_short.stderr.strip().endswith("holds its weights is missing or damaged")
    weights.unlink()
    with pytest.raises(ValueError, match="holds its weights is missing or damaged"):
        Colorizer.load(tmp_path / "mine.onnx")


@pytest.mark.slow
def test_an_export_in_place_of_a_hint_model_leaves_no_stale_automatic_graph(tmp_path):
    weights, config = read_model(bundled_weights_path())
    automatic = {name: tensor for name, tensor in weights.items()
                 if not name.startswith("hint_")}
    export_onnx(tmp_path / "hinted.onnx", weights, config)
    plain = {**config, "preset": config["preset"].removesuffix("-hints")}
    export_onnx(tmp_path / "plain.onnx", automatic, plain)
    assert automatic_form(tmp_path / "hinted.onnx").is_file()
    assert not automatic_form(tmp_path / "plain.onnx").exists()
    # A hint graph beside the automatic graph of another model is refused at its first use.
    (tmp_path / "hinted.onnx").write_bytes((tmp_path / "plain.onnx").read_bytes())
    mixed = Colorizer.load(tmp_path / "hinted.onnx")
    photo = color_photo(4, (40, 30)).convert("L")
    with pytest.raises(ValueError, match="not the same model as hinted.automatic.onnx"):
        mixed.colorize(photo, 64, [Hint(1, 1, "#c0392b")])
    # Exporting a model without hints in its place removes the hint model's automatic graph.
    export_onnx(tmp_path / "hinted.onnx", automatic, plain)
    assert not automatic_form(tmp_path / "hinted.onnx").exists()
    replaced = Colorizer.load(tmp_path / "hinted.onnx")
    assert not replaced.takes_hints
    assert largest_difference(Colorizer.load(backend="torch"), replaced) <= LEVELS


def _bundled_graph_copy(folder, weights_name: str = "default.safetensors",
                        location: str | None = None):
    """The bundled hint graph copied into the folder as m.onnx, its metadata naming
    `weights_name` as its weights file and its tensors read from `location` (default: as
    shipped), beside a copy of the bundled weights."""
    import onnx

    model = onnx.load(str(bundled_weights_path().with_suffix(".onnx")), load_external_data=False)
    for entry in model.metadata_props:
        if entry.key == "colorgan.weights":
            entry.value = weights_name
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location" and location is not None:
                entry.value = location
    (folder / "default.safetensors").write_bytes(bundled_weights_path().read_bytes())
    onnx.save(model, str(folder / "m.onnx"))
    return folder / "m.onnx"


@pytest.mark.parametrize("weights_name", ["/etc/passwd", "../outside.safetensors", "sub/x", ".."])
def test_a_model_naming_a_weights_file_outside_its_folder_is_refused(tmp_path, weights_name):
    inside = tmp_path / "model"
    inside.mkdir()
    (tmp_path / "outside.safetensors").write_bytes(bundled_weights_path().read_bytes())
    model = _bundled_graph_copy(inside, weights_name)
    with pytest.raises(ValueError, match="not a file in its folder; refusing"):
        Colorizer.load(model)


def test_a_graph_reading_its_tensors_from_outside_its_folder_is_refused(tmp_path):
    inside = tmp_path / "model"
    inside.mkdir()
    (tmp_path / "outside.safetensors").write_bytes(bundled_weights_path().read_bytes())
    for location in ("../outside.safetensors", str(tmp_path / "outside.safetensors")):
        model = _bundled_graph_copy(inside, location=location)
        with pytest.raises(ValueError, match="refusing"):
            Colorizer.load(model)
    # A link in the folder that leads out of it is refused too; one that stays in is fine.
    (inside / "link.safetensors").symlink_to(tmp_path / "outside.safetensors")
    with pytest.raises(ValueError, match="refusing"):
        Colorizer.load(_bundled_graph_copy(inside, "link.safetensors"))
    (inside / "link.safetensors").unlink()
    (inside / "link.safetensors").symlink_to(inside / "default.safetensors")
    colorizer = Colorizer.load(_bundled_graph_copy(inside, "link.safetensors"))
    assert colorizer.onnx_weights == inside / "default.safetensors"


def test_the_shipped_graphs_say_what_input_they_take_and_carry_no_build_paths():
    import onnx

    for path in (bundled_weights_path().with_suffix(".onnx"),
                 automatic_form(bundled_weights_path().with_suffix(".onnx"))):
        model = onnx.load(str(path), load_external_data=False)
        metadata = {entry.key: entry.value for entry in model.metadata_props}
        assert "multiples of 32" in metadata["colorgan.input"]
        assert not any(node.metadata_props for node in model.graph.node)
        assert b"site-packages" not in path.read_bytes() and b".py" not in path.read_bytes()


def test_no_tracked_text_names_a_path_of_the_machine_it_was_made_on():
    root = Path(__file__).parent.parent
    listing = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("not a git checkout: no list of tracked files")
    tracked = listing.stdout.split()
    machine_paths = re.compile(r"(?<![\w.])/(?:work|root|home/\w+)/")
    offending = []
    for name in tracked:
        if name.startswith("src/colorgan/server/static/vendor/"):  # third-party, as shipped
            continue
        try:
            text = (root / name).read_text()
        except (UnicodeDecodeError, OSError):
            continue
        offending += [name for _ in machine_paths.finditer(text)][:1]
    assert offending == []
