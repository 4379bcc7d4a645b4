import json

import numpy as np
import pytest
import torch

from colorgan.color import rgb_to_model
from colorgan.evaluation.known_colors import ground_truth_hints
from colorgan.inference.colorize import Colorizer
from colorgan.inference.hints import (
    HINT_SIDE,
    MAX_HINTS,
    Hint,
    HintError,
    check_hints,
    hint_chroma,
    hint_planes,
    hints_from_json,
    parse_color,
    parse_hint,
)
from colorgan.models import get_preset
from colorgan.training.hint_simulation import hinted, simulated_hints
from tests.conftest import color_photo, hinted_generator


def hinted_colorizer() -> Colorizer:
    return Colorizer(hinted_generator(), {"preset": "efficientnet-unet-hints"}, "cpu")


@pytest.mark.parametrize(("color", "rgb"), [("#c0392b", (192, 57, 43)), ("2E86C1", (46, 134, 193)),
                                            ((1, 2, 3), (1, 2, 3)), ([255, 0, 0], (255, 0, 0))])
def test_colors_are_hex_codes_or_rgb_triples(color, rgb):
    assert parse_color(color) == rgb


@pytest.mark.parametrize("color", ["red", "#c0392", "#c0392bb", "#gg0000", (1, 2), (0, 0, 256),
                                   (1.5, 2, 3), (True, 0, 0), 7])
def test_malformed_colors_are_refused(color):
    with pytest.raises(HintError, match="color"):
        parse_color(color)


def test_command_line_hints_read_x_y_and_color():
    assert parse_hint("120,80,#c0392b") == Hint(120.0, 80.0, "#c0392b")
    for text in ("120,80", "a,80,#c0392b", "1,2,#zzzzzz", "1,2,3,4"):
        with pytest.raises(HintError):
            parse_hint(text)


def test_json_hints_take_hex_or_rgb_colors():
    hints = hints_from_json('[{"x": 3, "y": 4.5, "color": "#00ff00"},'
                            ' {"x": 0, "y": 0, "color": [1, 2, 3]}]')
    assert hints == [Hint(3.0, 4.5, "#00ff00"), Hint(0.0, 0.0, (1, 2, 3))]
    assert hints[1].rgb == (1, 2, 3)


@pytest.mark.parametrize(("text", "message"), [
    ("[{", "not valid JSON"), ('{"x": 1}', "JSON list"),
    ('[{"x": 1, "y": 2}]', "keys x, y and color"),
    ('[{"x": "1", "y": 2, "color": "#000000"}]', "numbers"),
    ('[{"x": 1, "y": 2, "color": "blue"}]', "hint 0: color"),
    (json.dumps([{"x": 1, "y": 1, "color": "#000000"}] * (MAX_HINTS + 1)), "at most 256")])
def test_bad_json_hints_say_what_is_wrong(text, message):
    with pytest.raises(HintError, match=message):
        hints_from_json(text)


def test_hints_outside_the_photo_or_too_many_are_refused():
    check_hints([Hint(0, 0, "#000000"), Hint(99.5, 49.5, "#ffffff")], 100, 50)
    for x, y in ((100, 0), (0, 50), (-1, 3)):
        with pytest.raises(HintError, match="outside the 100x50 photo"):
            check_hints([Hint(x, y, "#000000")], 100, 50)
    with pytest.raises(HintError, match="finite numbers"):
        check_hints([Hint(float("nan"), 1, "#000000")], 100, 50)
    with pytest.raises(HintError, match="at most"):
        check_hints([Hint(0, 0, "#000000")] * (MAX_HINTS + 1), 100, 50)


def test_hint_chroma_is_the_colors_a_b_alone():
    red, gray, dark_red = hint_chroma([(200, 30, 30), (128, 128, 128), (100, 15, 15)])
    assert red[0] > 0.3 and gray.abs().max() < 0.01
    expected = rgb_to_model(torch.tensor([200 / 255, 30 / 255, 30 / 255]).view(3, 1, 1))[1]
    assert torch.allclose(red, expected.view(2), atol=1e-6)
    assert dark_red[0] > 0.2  # a dark color still carries its chroma


def test_hint_planes_put_each_hint_where_it_is_in_the_working_image():
    photo_shape, working = (400, 600), (100, 150)
    planes = hint_planes([Hint(300, 200, "#ff0000"), Hint(599, 0, (0, 0, 255))], photo_shape,
                         working)
    assert planes.shape == (3, 100, 150)
    assert planes[2].sum() == 2 * HINT_SIDE ** 2
    red, blue = hint_chroma([(255, 0, 0), (0, 0, 255)])
    assert torch.allclose(planes[:2, 50, 75], red)  # (300, 200) of 600x400 is (75, 50) of 150x100
    assert torch.allclose(planes[:2, 0, 149], blue)  # a corner hint stays inside
    assert planes[:2, planes[2] == 0].abs().max() == 0


def test_ground_truth_hints_carry_the_photos_own_colors():
    photo = np.zeros((60, 80, 3), np.uint8)
    photo[:, 40:] = (10, 200, 30)
    hints = ground_truth_hints(photo, 20, np.random.default_rng(1), working_side=80)
    assert len(hints) == 20
    for hint in hints:
        assert 0 <= hint.x < 80 and 0 <= hint.y < 60
        if hint.x >= 45:
            assert hint.rgb == (10, 200, 30)
        if hint.x < 35:
            assert hint.rgb == (0, 0, 0)
    again = ground_truth_hints(photo, 20, np.random.default_rng(1), working_side=80)
    assert again == hints  # seeded: every model gets the same hints


def test_simulated_hints_hold_the_true_mean_chroma_of_their_patch():
    chroma = torch.rand(8, 2, 32, 32) * 2 - 1
    none = simulated_hints(chroma, np.random.default_rng(0), free_share=1.0, error_share=0.0)
    assert none.abs().max() == 0 and not hinted(none).any()
    planes = simulated_hints(chroma, np.random.default_rng(0), free_share=0.0, error_share=0.0)
    assert hinted(planes).all()  # every crop has at least one hint
    where = planes[:, 2] == 1
    assert planes[:, :2].permute(1, 0, 2, 3)[:, ~where].abs().max() == 0
    uniform = torch.ones(1, 2, 32, 32) * torch.tensor([0.3, -0.2]).view(1, 2, 1, 1)
    planes = simulated_hints(uniform, np.random.default_rng(3), 0.0, 0.0)
    assert torch.allclose(planes[0, :2, planes[0, 2] == 1],
                          torch.tensor([[0.3], [-0.2]]).expand(2, int(planes[0, 2].sum())))


def test_error_placed_hints_go_where_the_automatic_colors_are_wrong():
    chroma = torch.zeros(4, 2, 64, 64)
    automatic = chroma.clone()
    automatic[:, :, 40:56, 8:24] = 0.8  # wrong only in this square
    planes = simulated_hints(chroma, np.random.default_rng(0), free_share=0.0, error_share=1.0,
                             automatic=automatic)
    for mask in planes[:, 2]:
        ys, xs = torch.nonzero(mask, as_tuple=True)
        # the first hint is at the largest error: inside the wrong square (plus a patch's reach)
        assert ((ys >= 36) & (ys < 60) & (xs >= 4) & (xs < 28)).any()


def test_a_hint_model_without_hints_is_its_automatic_start():
    automatic = get_preset("efficientnet-unet").build_generator(False).eval()
    hinted = get_preset("efficientnet-unet-hints").build_generator(False).eval()
    missing = hinted.load_state_dict(automatic.state_dict(), strict=False).missing_keys
    assert sorted(missing) == ["hint_decoder.0.weight", "hint_decoder.1.weight",
                               "hint_decoder.2.weight", "hint_head.weight", "hint_stem.weight"]
    luminance = torch.rand(2, 1, 70, 90) * 2 - 1
    with torch.no_grad():
        for parameter in hinted.hint_parameters():  # trained branches: zero hints still
            torch.nn.init.normal_(parameter)  # add nothing (no bias)
        assert torch.allclose(hinted(luminance), automatic(luminance), atol=1e-6)
        assert torch.allclose(hinted(luminance, torch.zeros(2, 3, 70, 90)),
                              automatic(luminance), atol=1e-6)


def test_an_automatic_model_refuses_hints():
    generator = get_preset("efficientnet-unet").build_generator(False).eval()
    with pytest.raises(ValueError, match="does not take color hints"):
        generator(torch.zeros(1, 1, 32, 32), torch.zeros(1, 3, 32, 32))
    colorizer = Colorizer(generator, {"preset": "efficientnet-unet"}, "cpu")
    assert not colorizer.takes_hints
    with pytest.raises(ValueError, match="does not take color hints"):
        colorizer.colorize(color_photo(1).convert("L"), 64, hints=[Hint(1, 1, "#ff0000")])


def test_hints_change_the_colors_near_them_at_any_photo_size():
    colorizer = hinted_colorizer()
    assert colorizer.takes_hints
    gray = color_photo(4, (301, 157)).convert("L")
    plain = np.asarray(colorizer.colorize(gray, 64), np.float32)
    assert np.array_equal(plain, np.asarray(colorizer.colorize(gray, 64, hints=[]), np.float32))
    hinted = np.asarray(colorizer.colorize(gray, 64, hints=[Hint(290, 150, "#00ff00")]),
                        np.float32)
    changed = np.abs(hinted - plain).sum(-1)
    assert changed[130:, 260:].mean() > 4 * changed[:40, :60].mean()


def test_colorize_checks_the_hints_against_the_photo():
    colorizer = hinted_colorizer()
    gray = color_photo(4, (100, 80)).convert("L")
    with pytest.raises(HintError, match="outside"):
        colorizer.colorize(gray, 64, hints=[Hint(100, 10, "#00ff00")])
    with pytest.raises(HintError, match="color"):
        colorizer.colorize(gray, 64, hints=[Hint(10, 10, "green")])


def test_batches_mix_photos_with_and_without_hints():
    colorizer = hinted_colorizer()
    grays = [color_photo(seed, (96, 80)).convert("L") for seed in (1, 2)]
    together = colorizer.colorize_batch(grays, 64, hints=[[Hint(5, 5, "#0000ff")], []])
    alone = [colorizer.colorize(grays[0], 64, [Hint(5, 5, "#0000ff")]),
             colorizer.colorize(grays[1], 64)]
    for a, b in zip(together, alone, strict=True):
        assert np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max() <= 1


def test_hints_are_part_of_the_package_api():
    import colorgan

    assert colorgan.Hint is Hint and "Hint" in colorgan.__all__


def test_a_hinted_color_is_asked_for_as_it_is_whatever_the_vividness(monkeypatch):
    colorizer = hinted_colorizer().with_vividness(1.25)
    seen = []
    predict = colorizer.predict_chroma
    monkeypatch.setattr(colorizer, "predict_chroma", lambda batch, hints=None:
                        seen.append(hints) or predict(batch, hints))
    colorizer.colorize(color_photo(1, (64, 64)).convert("L"), 64, [Hint(30, 30, "#c0392b")])
    red = hint_chroma([(192, 57, 43)])[0]
    # the model's colors will be scaled by 1.25, so it is asked for the hint's chroma / 1.25
    assert torch.allclose(seen[0][0, :2, 30, 30], red / 1.25)
    assert seen[0][0, 2, 30, 30] == 1
