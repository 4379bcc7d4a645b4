from PIL import Image

from colorgan.inference import demo


def test_demo_colors_the_public_domain_photos_side_by_side(tmp_path, capsys):
    assert demo.main(str(tmp_path)) == 0
    results = sorted((tmp_path / "colorized").iterdir())
    assert [p.stem for p in results] == sorted(demo.DEMO_PHOTOS)
    gray = Image.open(tmp_path / "gray" / "rocket.png")
    assert gray.mode == "L"
    assert Image.open(tmp_path / "colorized" / "rocket.png").size == (2 * gray.width, gray.height)
    assert str(tmp_path / "colorized") in capsys.readouterr().out
