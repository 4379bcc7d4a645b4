import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.cli_runs import in_process as colorgan
from tests.conftest import color_photo


@pytest.fixture
def gray_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "old"
    (folder / "inner").mkdir(parents=True)
    color_photo(1, (120, 90)).convert("L").save(folder / "one.png")
    color_photo(2, (64, 100)).convert("L").save(folder / "two.jpg")
    color_photo(3, (70, 70)).convert("L").save(folder / "inner" / "three.png")
    return folder


def test_a_bad_file_fails_alone_and_the_exit_code_says_so(gray_folder, tmp_path):
    (gray_folder / "zero.png").write_bytes(b"")
    (gray_folder / "text.jpg").write_text("not a photo")
    out = tmp_path / "out"
    result = colorgan("colorize", str(gray_folder), "-o", str(out), "--size", "64")
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["one.png", "two.png"]
    assert "zero.png: not an image" in result.stderr
    assert "text.jpg: not an image" in result.stderr
    assert "done 2, failed 2" in result.stdout
    assert Image.open(out / "one.png").size == (120, 90)


def test_recursive_globs_jpeg_and_side_by_side(gray_folder, tmp_path):
    out = tmp_path / "out"
    result = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "64",
                      "--format", "jpg", "--quality", "80", "--side-by-side")
    assert result.returncode == 0, result.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.jpg")) == [
        "inner/three.jpg", "one.jpg", "two.jpg"]
    assert Image.open(out / "one.jpg").size == (240, 90)
    globbed = colorgan("colorize", str(gray_folder / "*.png"), "-o", str(tmp_path / "g"),
                       "--size", "64")
    assert globbed.returncode == 0
    assert [p.name for p in (tmp_path / "g").iterdir()] == ["one.png"]
    assert "wrote" in globbed.stdout


def test_existing_outputs_are_kept_unless_overwrite(gray_folder, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    Image.new("RGB", (3, 3)).save(out / "one.png")
    refused = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size", "64")
    assert refused.returncode == 1
    assert "exists (use --overwrite or --skip-existing)" in refused.stderr
    assert Image.open(out / "one.png").size == (3, 3)
    replaced = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size",
                        "64", "--overwrite")
    assert replaced.returncode == 0
    assert Image.open(out / "one.png").size == (120, 90)


def test_pixel_limit_and_usage_errors(gray_folder, tmp_path):
    limited = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "o"),
                       "--max-pixels", "1000")
    assert limited.returncode == 1 and "over the limit" in limited.stderr
    missing = colorgan("colorize", str(tmp_path / "nothing*.png"), "-o", str(tmp_path / "o"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_option = colorgan("colorize", str(gray_folder), "--quality", "0")
    assert bad_option.returncode == 2
    # Checked before the model is read: the missing model file is never reached.
    too_vivid = colorgan("colorize", str(gray_folder), "--vividness", "4",
                         "--model", str(tmp_path / "no-such-model.safetensors"))
    assert too_vivid.returncode == 2 and "vividness must be between 0 and 3" in too_vivid.stderr


def test_a_long_thin_strip_fails_alone_at_once_with_a_sentence(gray_folder, tmp_path):
    # 373 bytes of PNG: 300,000 x 1 passes any pixel limit, but the model needs 32 pixels
    # across, so the work would be that of a 32 x 140,000 photo (4 GB).
    Image.new("L", (300_000, 1)).save(gray_folder / "strip.png")
    result = colorgan("colorize", str(gray_folder), "-o", str(tmp_path / "o"), "--size", "64")
    assert result.returncode == 1 and "done 2, failed 1" in result.stdout
    assert "strip.png: 300000x1 is too long and thin to color" in result.stderr
    small = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "s"),
                     "--max-pixels", "5")
    assert "120x90 is 10,800 pixels, over the limit of 5 pixels" in small.stderr


def test_vividness_zero_writes_a_gray_photo(gray_folder, tmp_path):
    spreads = []
    for vividness in ("1", "0"):
        out = tmp_path / vividness
        result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out),
                          "--size", "64", "--vividness", vividness)
        assert result.returncode == 0, result.stderr
        colored = np.asarray(Image.open(out / "one.png"), int)
        spreads.append(np.abs(colored - colored[..., :1]).max())
    assert spreads[0] > 5 and spreads[1] <= 1


def test_model_option_uses_a_training_export(gray_folder, tmp_path):
    from colorgan.inference.colorize import bundled_weights_path

    export = colorgan("export", str(bundled_weights_path()), str(tmp_path / "m.safetensors"))
    assert export.returncode == 0, export.stderr
    result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "o"),
                      "--model", str(tmp_path / "m.safetensors"), "--size", "64")
    assert result.returncode == 0, result.stderr
    broken = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "p"),
                      "--model", str(tmp_path / "none.safetensors"))
    assert broken.returncode == 1 and "no such model file" in broken.stderr


def test_export_sets_the_temperature_of_a_binned_model_only(tmp_path):
    from colorgan.inference.colorize import read_model
    from colorgan.models import get_preset
    from colorgan.models.files import export_generator

    binned = tmp_path / "binned.safetensors"
    export_generator(binned, get_preset("efficientnet-bins").build_generator(False).state_dict(),
                     {"preset": "efficientnet-bins"})
    result = colorgan("export", str(binned), str(tmp_path / "vivid.safetensors"),
                      "--temperature", "0.25", "--half")
    assert result.returncode == 0, result.stderr
    weights, config = read_model(tmp_path / "vivid.safetensors")
    assert float(weights["bins.temperature"]) == pytest.approx(0.25, rel=1e-3)
    assert config["temperature"] == 0.25
    refused = colorgan("export", str(binned), str(tmp_path / "x.safetensors"),
                       "--temperature", "1.5")
    assert refused.returncode == 2 and "must be in (0, 1]" in refused.stderr
    regression = tmp_path / "regression.safetensors"
    export_generator(regression, get_preset("efficientnet-unet").build_generator(False)
                     .state_dict(), {"preset": "efficientnet-unet"})
    refused = colorgan("export", str(regression), str(tmp_path / "y.safetensors"),
                       "--temperature", "0.5")
    assert refused.returncode == 2 and "only a model with binned chroma" in refused.stderr


def test_export_runs_weights_as_another_preset_only_where_they_fit(tmp_path):
    from colorgan.inference.colorize import read_model
    from colorgan.models import get_preset
    from colorgan.models.files import export_generator

    full = tmp_path / "full.safetensors"
    export_generator(full, get_preset("efficientnet-unet").build_generator(False).state_dict(),
                     {"preset": "efficientnet-unet"})
    result = colorgan("export", str(full), str(tmp_path / "compact.safetensors"),
                      "--preset", "efficientnet-compact-unet")
    assert result.returncode == 0, result.stderr
    weights, config = read_model(tmp_path / "compact.safetensors")
    assert config["preset"] == "efficientnet-compact-unet"
    assert weights.keys() == read_model(full)[0].keys()
    refused = colorgan("export", str(full), str(tmp_path / "lean.safetensors"),
                       "--preset", "efficientnet-lean-unet")
    assert refused.returncode == 2 and "do not fit" in refused.stderr
    assert not (tmp_path / "lean.safetensors").exists()


def test_a_recursive_batch_mirrors_the_tree_so_repeated_names_all_succeed(tmp_path):
    album = tmp_path / "album"
    for year in ("2019", "2020"):
        (album / year).mkdir(parents=True)
        color_photo(int(year), (40, 30)).convert("L").save(album / year / "IMG_0001.jpg")
    color_photo(5, (40, 30)).convert("L").save(album / "x.jpg")
    color_photo(6, (30, 40)).convert("L").save(album / "x.png")
    out = tmp_path / "out"
    result = colorgan("colorize", str(album), "-r", "-o", str(out), "--size", "32")
    assert result.returncode == 0, result.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == [
        "2019/IMG_0001.png", "2020/IMG_0001.png", "x.jpg.png", "x.png.png"]
    assert Image.open(out / "x.png.png").size == (30, 40)
    globbed = colorgan("colorize", str(album / "**" / "*.jpg"), "-r", "-o", str(tmp_path / "g"),
                       "--size", "32")
    assert globbed.returncode == 0, globbed.stderr
    assert (tmp_path / "g" / "2020" / "IMG_0001.png").exists()


def test_skip_existing_resumes_an_interrupted_batch(gray_folder, tmp_path):
    out = tmp_path / "out"
    first = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size", "32")
    assert first.returncode == 0
    finished_before = (out / "one.png").read_bytes()
    rerun = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "32",
                     "--skip-existing")
    assert rerun.returncode == 0, rerun.stderr
    assert "done 2, skipped 1, failed 0" in rerun.stdout
    assert (out / "one.png").read_bytes() == finished_before
    again = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--skip-existing")
    assert again.returncode == 0 and "done 0, skipped 3, failed 0" in again.stdout
    both = colorgan("colorize", str(gray_folder), "-o", str(out), "--skip-existing",
                    "--overwrite")
    assert both.returncode == 2


def test_a_decoder_error_of_any_kind_fails_that_file_alone(gray_folder, tmp_path):
    (gray_folder / "odd.jpg").write_bytes(b"P6\nabc def\n255\n" + bytes(12))  # a broken PPM
    out = tmp_path / "out"
    result = colorgan("colorize", str(gray_folder), "-o", str(out), "--size", "32")
    assert result.returncode == 1
    assert "odd.jpg: broken image header (invalid literal" in result.stderr
    assert "done 2, failed 1" in result.stdout


def test_a_batch_start_removes_temporaries_that_killed_runs_left(gray_folder, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".one.png.{dead.pid}.abcd1234.tmp"
    stale.write_bytes(b"half a photo")
    result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size", "32")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["one.png"]


def test_mistakes_on_the_command_line_are_usage_errors_before_any_work(gray_folder, tmp_path):
    a_file = tmp_path / "file.png"
    a_file.write_bytes(b"x")
    for out in (a_file, a_file / "sub"):
        result = colorgan("colorize", str(gray_folder), "-o", str(out))
        assert result.returncode == 2 and "is a file, not a folder" in result.stderr
        assert "Traceback" not in result.stderr
    no_gpu = colorgan("colorize", str(gray_folder), "-o", str(tmp_path / "o"), "--device",
                      "cuda")
    if not __import__("torch").cuda.is_available():
        assert no_gpu.returncode == 2 and "no CUDA GPU" in no_gpu.stderr
    picture_as_model = colorgan("colorize", str(gray_folder), "-o", str(tmp_path / "o"),
                                "--model", str(gray_folder / "one.png"))
    assert picture_as_model.returncode == 1
    assert "not a colorgan model" in picture_as_model.stderr
    assert "weights_only" not in picture_as_model.stderr
    zero_batch = colorgan("colorize", str(gray_folder), "-o", str(tmp_path / "o"),
                          "--batch-size", "0")
    assert zero_batch.returncode == 2


def test_side_by_side_shows_a_16_bit_original_as_it_is(tmp_path):
    ramp = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    out = tmp_path / "out"
    result = colorgan("colorize", str(tmp_path / "deep.png"), "-o", str(out), "--size", "32",
                      "--side-by-side")
    assert result.returncode == 0, result.stderr
    original_half = np.asarray(Image.open(out / "deep.png").convert("L"))[:, :64].astype(int)
    assert np.abs(original_half - np.round(ramp / 257)).max() <= 1


def test_a_model_carries_the_vividness_its_users_get_by_default(gray_folder, tmp_path):
    exported = colorgan("export", "bundled", str(tmp_path / "gray.safetensors"),
                        "--vividness", "0")
    assert exported.returncode == 0, exported.stderr
    spreads = []
    for extra in ([], ["--vividness", "1"]):
        out = tmp_path / f"out{len(extra)}"
        result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size",
                          "64", "--model", str(tmp_path / "gray.safetensors"), *extra)
        assert result.returncode == 0, result.stderr
        colored = np.asarray(Image.open(out / "one.png"), int)
        spreads.append(np.abs(colored - colored[..., :1]).max())
    assert spreads[0] <= 1 < spreads[1]  # its default is 0; asked for 1, it colors
    refused = colorgan("export", "bundled", str(tmp_path / "x.safetensors"), "--vividness", "9")
    assert refused.returncode == 2


def test_hints_on_the_command_line_or_in_a_file_color_where_they_are(hinted_model, tmp_path):
    photo = tmp_path / "dress.png"
    color_photo(4, (301, 157)).convert("L").save(photo)
    common = ["--model", str(hinted_model), "--size", "64"]
    plain = colorgan("colorize", str(photo), "-o", str(tmp_path / "plain"), *common)
    hinted = colorgan("colorize", str(photo), "-o", str(tmp_path / "hint"), *common,
                      "--hint", "290,150,#00ff00", "--hint", "10,5,#c0392b")
    hints_file = tmp_path / "hints.json"
    hints_file.write_text('[{"x": 290, "y": 150, "color": "#00ff00"},'
                          ' {"x": 10, "y": 5, "color": [192, 57, 43]}]')
    from_file = colorgan("colorize", str(photo), "-o", str(tmp_path / "file"), *common,
                         "--hints", str(hints_file))
    assert plain.returncode == hinted.returncode == from_file.returncode == 0, hinted.stderr

    def pixels(folder: str) -> np.ndarray:
        return np.asarray(Image.open(tmp_path / folder / "dress.png"), np.float32)

    changed = np.abs(pixels("hint") - pixels("plain")).sum(-1)
    assert changed[130:, 260:].mean() > 4 * changed[60:100, 120:180].mean()
    assert np.array_equal(pixels("hint"), pixels("file"))


@pytest.mark.parametrize(("hint_args", "message"), [
    (["--hint", "400,10,#00ff00"], "outside the 301x157 photo"),
    (["--hint", "10,10,#00ff0"], "is not #rrggbb"),
    (["--hint", "10,10"], "not X,Y,#rrggbb"),
    (["--hints", "MISSING"], "No such file"),
    (["--hints", "BROKEN"], "not valid JSON"),
    (["--hints", "TOO_MANY"], "at most 256"),
])
def test_bad_hints_are_usage_errors_before_any_work(hinted_model, tmp_path, hint_args, message):
    photo = tmp_path / "dress.png"
    color_photo(4, (301, 157)).convert("L").save(photo)
    files = {"MISSING": tmp_path / "missing.json", "BROKEN": tmp_path / "broken.json",
             "TOO_MANY": tmp_path / "many.json"}
    files["BROKEN"].write_text('[{"x": 1,')
    files["TOO_MANY"].write_text(json.dumps([{"x": 1, "y": 1, "color": "#000000"}] * 257))
    hint_args = [str(files.get(arg, arg)) for arg in hint_args]
    result = colorgan("colorize", str(photo), "-o", str(tmp_path / "out"), "--model",
                      str(hinted_model), *hint_args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_hints_need_one_photo_and_a_model_that_takes_them(hinted_model, gray_folder, tmp_path):
    many = colorgan("colorize", str(gray_folder), "-o", str(tmp_path / "a"), "--model",
                    str(hinted_model), "--hint", "1,1,#ff0000")
    assert many.returncode == 2 and "exactly one photo" in many.stderr
    automatic = tmp_path / "automatic.safetensors"
    from colorgan.models import get_preset
    from colorgan.models.files import export_generator

    export_generator(automatic, get_preset("efficientnet-unet").build_generator(False)
                     .state_dict(), {"preset": "efficientnet-unet"})
    refused = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "b"),
                       "--model", str(automatic), "--hint", "1,1,#ff0000")
    assert refused.returncode == 2 and "does not take color hints" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_uris_of_a_file_system_work_as_paths_do(gray_folder, tmp_path):
    # file:// goes through pyarrow's file systems, as s3:// and gs:// do (inference.storage).
    pytest.importorskip("pyarrow")
    (gray_folder / "inner" / "torn.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    paths, uris = tmp_path / "paths", tmp_path / "uris"
    assert colorgan("colorize", str(gray_folder), "-r", "-o", str(paths), "--size", "64"
                    ).returncode == 1
    result = colorgan("colorize", gray_folder.as_uri(), "-r", "-o", uris.as_uri(),
                      "--size", "64")
    assert result.returncode == 1 and "done 3, failed 1" in result.stdout
    assert f"{(gray_folder / 'inner' / 'torn.jpg').as_uri()}: " in result.stderr
    written = sorted(p.relative_to(uris) for p in uris.rglob("*.png"))
    assert written == sorted(p.relative_to(paths) for p in paths.rglob("*.png"))
    for relative in written:
        assert (uris / relative).read_bytes() == (paths / relative).read_bytes()
    assert not list(uris.rglob(".*.tmp"))
    rerun = colorgan("colorize", gray_folder.as_uri(), "-r", "-o", uris.as_uri(),
                     "--skip-existing")
    assert rerun.returncode == 1 and "done 0, skipped 3, failed 1" in rerun.stdout
    for args, message in (([gray_folder.as_uri(), "-o", str(tmp_path / "x")], "all as URIs"),
                          ([(tmp_path / "none").as_uri(), "-o", uris.as_uri()],
                           "no such file or folder")):
        refused = colorgan("colorize", *args)
        assert refused.returncode == 2 and message in refused.stderr


def test_outputs_never_replace_inputs_whatever_the_flags(gray_folder):
    before = {path: path.read_bytes() for path in gray_folder.rglob("*.png")}
    for flags in ([], ["--overwrite"], ["--skip-existing"]):
        result = colorgan("colorize", str(gray_folder), "-r", "-o", str(gray_folder),
                          "--size", "64", *flags)
        assert result.returncode == 1, flags
        assert "would replace an input; choose another output folder" in result.stderr
        assert "--overwrite" not in result.stderr.split("would replace")[0][-200:]
    assert all(path.read_bytes() == content for path, content in before.items())
    # two.jpg's output two.png was no input: it is written beside it.
    assert (gray_folder / "two.png").exists()


def test_an_output_folder_inside_the_input_tree_is_not_colored_again(gray_folder):
    out = gray_folder / "colored"
    first = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "64")
    assert first.returncode == 0, first.stderr
    written = sorted(path.relative_to(out) for path in out.rglob("*.png"))
    assert written == [Path("inner/three.png"), Path("one.png"), Path("two.png")]
    again = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "64",
                     "--skip-existing")
    assert again.returncode == 0 and "skipped 3" in again.stdout
    assert not list(out.rglob("colored"))  # no outputs of outputs


def test_a_second_run_never_silently_replaces_what_the_first_wrote(tmp_path):
    from colorgan.atomic import atomic_write

    target = tmp_path / "photo.png"
    atomic_write(target, lambda temporary: temporary.write_bytes(b"first run"))
    with pytest.raises(FileExistsError):
        atomic_write(target, lambda temporary: temporary.write_bytes(b"second"), replace=False)
    assert target.read_bytes() == b"first run"
    assert [path.name for path in tmp_path.iterdir()] == ["photo.png"]  # no temporary left
    atomic_write(target, lambda temporary: temporary.write_bytes(b"second"))  # --overwrite
    assert target.read_bytes() == b"second"


def test_a_pipe_named_as_an_input_fails_alone_at_once(gray_folder, tmp_path):
    import os

    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    result = colorgan("colorize", str(pipe), str(gray_folder / "one.png"), "-o",
                      str(tmp_path / "o"), "--size", "64")
    assert result.returncode == 1 and "done 1, failed 1" in result.stdout
    assert "pipe.png: not a regular file" in result.stderr


def test_a_file_where_an_output_folder_must_go_fails_only_the_photos_bound_there(gray_folder,
                                                                                   tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "inner").write_text("a file, where the mirrored folder inner/ must go")
    result = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "64")
    assert result.returncode == 1 and "done 2, failed 1" in result.stdout
    assert "three.png: cannot make the output folder" in result.stderr


def test_export_refuses_its_own_model_and_a_folder_before_any_work(tmp_path):
    from colorgan.inference.colorize import bundled_weights_path

    model = tmp_path / "m.safetensors"
    model.write_bytes(bundled_weights_path().read_bytes())
    (tmp_path / "m.json").write_text(bundled_weights_path().with_suffix(".json").read_text())
    onto_itself = colorgan("export", str(model), str(model))
    assert onto_itself.returncode == 2 and "would replace its own model" in onto_itself.stderr
    (tmp_path / "x.onnx").mkdir()
    onto_folder = colorgan("export", str(model), str(tmp_path / "x.onnx"))
    assert onto_folder.returncode == 2 and "is a folder" in onto_folder.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m.json", "m.safetensors",
                                                               "x.onnx"]


def test_a_model_with_broken_weights_or_metadata_is_refused_naming_the_file(gray_folder,
                                                                              tmp_path):
    import torch
    from safetensors.torch import save_file

    from colorgan.inference.colorize import bundled_weights_path, read_model

    weights, config = read_model(bundled_weights_path())
    nan = {name: torch.full_like(tensor, float("nan")) if tensor.is_floating_point() else tensor
           for name, tensor in weights.items()}
    save_file(nan, tmp_path / "nan.safetensors", metadata={"colorgan": json.dumps(config)})
    save_file(weights, tmp_path / "bad-meta.safetensors", metadata={"colorgan": "{not json"})
    for name, message in (("nan.safetensors", "hold NaN or infinite values"),
                          ("bad-meta.safetensors", "bad-meta.safetensors: ")):
        result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "o"),
                          "--model", str(tmp_path / name), "--backend", "torch")
        assert result.returncode == 1 and message in result.stderr, result.stderr[-300:]
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_a_photo_written_meanwhile_counts_as_done_only_if_it_holds_the_same_bytes(gray_folder,
                                                                                  tmp_path):
    from colorgan.inference.batch import color_photos
    from colorgan.inference.colorize import Colorizer
    from colorgan.settings import ColorizeOptions

    colorizer = Colorizer.load(device="cpu")
    options = ColorizeOptions(out_dir=tmp_path, size=64)
    source, target = gray_folder / "one.png", tmp_path / "one.png"
    assert list(color_photos(colorizer, {source: target}, options)) == [(source, None)]
    # The plan saw no output; then a retry of this job wrote the same photo, or another run
    # wrote something else: the first counts as done, the second stays and is reported.
    assert list(color_photos(colorizer, {source: target}, options)) == [(source, None)]
    target.write_bytes(b"another run's photo")
    [(_, reason)] = color_photos(colorizer, {source: target}, options)
    assert "another run wrote it meanwhile" in reason
    assert target.read_bytes() == b"another run's photo"
