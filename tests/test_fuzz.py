"""Hostile and careless input, generated: the HTTP API never answers 500, and every option and
recipe value is either refused as a usage error (exit 2) or taken as a finite, in-range value.
Bounded in examples and without deadlines, so the suite's time stays fixed."""

import io
import json
import math

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from colorgan import cli
from colorgan.inference.colorize import Colorizer
from colorgan.server.app import create_app
from colorgan.settings import TrainConfig, check_train_settings
from tests.conftest import color_photo

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
EDGE_NUMBERS = st.sampled_from(["inf", "-inf", "nan", "0", "-1", "1e309", "1e-320", "3.5",
                                "abc", "", "2", "64", "100000000000", "-0"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4), max_leaves=12)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


SMALL_PHOTO = _png(color_photo(5, (40, 30)).convert("L"))


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = create_app(Colorizer.load(device="cpu"))
    return TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)


HOSTILE_HINTS = st.sampled_from([
    "[" * 5000 + "]" * 5000, '[{"x": 1' + "0" * 5000 + ', "y": 1, "color": "#000000"}]',
    '[{"x": 1e999, "y": 1, "color": "#000000"}]', '[{"x": "3", "y": 1, "color": "#000"}]',
    '[{"x": 1, "y": 1, "color": [1e999, 0, 0]}]', '{"x": 1}', "null"])


@settings(FUZZ, max_examples=60)
@given(size=st.one_of(st.just("64"), EDGE_NUMBERS),
       vividness=st.one_of(st.just("1"), EDGE_NUMBERS),
       file_format=st.sampled_from(["png", "jpg", "gif", "", "PNG"]),
       hints=st.one_of(st.none(), HOSTILE_HINTS, JSON_VALUES.map(json.dumps),
                       st.text(max_size=40)),
       content=st.one_of(st.just(SMALL_PHOTO), st.binary(max_size=300),
                         st.just(SMALL_PHOTO[:60]), st.just(SMALL_PHOTO[:-20])))
def test_the_api_answers_any_form_with_a_reason_never_a_500(client, size, vividness,
                                                            file_format, hints, content):
    fields = {"size": size, "vividness": vividness, "format": file_format}
    if hints is not None:
        fields["hints"] = hints
    answer = client.post("/api/colorize", files={"file": ("f.png", content, "image/png")},
                         data=fields)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.json()["detail"]


NUMERIC_OPTIONS = {
    "colorize": ["--size", "--max-pixels", "--batch-size", "--quality", "--workers",
                 "--cpus-per-worker", "--gpus-per-worker"],
    "serve": ["--port", "--max-upload-mb", "--max-pixels", "--workers", "--queue",
              "--queue-pixels", "--timeout", "--body-timeout"],
    "evaluate": ["--size", "--limit", "--grid-photos", "--hints"],
    "pack": ["--max-side", "--quality", "--min-chroma", "--share", "--seed"],
    "models": ["--size"],
}
POSITIONAL = {"colorize": ["in.png"], "serve": [], "evaluate": ["photos"],
              "pack": ["photos", "--out", "packed"], "models": []}


@FUZZ
@given(command=st.sampled_from(sorted(NUMERIC_OPTIONS)), data=st.data(), value=EDGE_NUMBERS)
def test_every_numeric_option_is_refused_or_finite_and_in_range(command, data, value):
    option = data.draw(st.sampled_from(NUMERIC_OPTIONS[command]))
    try:
        args = cli.build_parser().parse_args([command, *POSITIONAL[command], option, value])
    except SystemExit as stop:
        assert stop.code == 2
        return
    parsed = getattr(args, option.lstrip("-").replace("-", "_"))
    assert math.isfinite(parsed) and parsed >= 0, (option, value, parsed)


RECIPE_KEYS = sorted(TrainConfig.__dataclass_fields__)


@FUZZ
@given(recipe=st.dictionaries(st.sampled_from(RECIPE_KEYS + ["learning_rate"]), JSON_VALUES
                              | EDGE_NUMBERS.map(lambda text: float(text) if text not in (
                                  "abc", "") else text), max_size=4))
def test_a_recipe_is_refused_up_front_or_makes_a_valid_run(recipe, tmp_path_factory,
                                                           monkeypatch):
    started = []
    monkeypatch.setattr("colorgan.training.run.train",
                        lambda config, resume=False: started.append(config))
    path = tmp_path_factory.mktemp("recipe") / "recipe.json"
    path.write_text(json.dumps({"data": ["photos"], **recipe}))
    try:
        code = cli.main(["train", "--config", str(path)])
    except SystemExit as stop:
        assert stop.code == 2
        return
    assert code == 0 and len(started) == 1
    check_train_settings(vars(started[0]))  # what reached training is whole and in range


@pytest.mark.parametrize("argv, extra", [(["serve"], "serve"),
                                         (["evaluate", "photos"], "evaluate"),
                                         (["train", "photos"], "train")])
def test_a_missing_extra_is_named_with_the_command_that_installs_it(argv, extra, monkeypatch,
                                                                    capsys):
    from colorgan import extras

    real = extras.importlib.util.find_spec
    absent = set(extras.EXTRAS[extra])
    monkeypatch.setattr(extras.importlib.util, "find_spec",
                        lambda name, *rest: None if name in absent else real(name, *rest))
    assert cli.main(argv) == 1
    assert f"pip install 'colorgan[{extra}]'" in capsys.readouterr().err
