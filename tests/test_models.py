import pytest
import torch

from colorgan.models import PRESETS, get_preset
from colorgan.models.flops import count_flops

SIZES = [(64, 64), (96, 160), (256, 256), (100, 77)]


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("size", SIZES)
def test_preset_generator_predicts_ab_in_range_at_input_size(name, size):
    generator = get_preset(name).build_generator(False).eval()
    with torch.no_grad():
        chroma = generator(torch.rand(2, 1, *size) * 2 - 1)
    assert chroma.shape == (2, 2, *size)
    assert chroma.abs().max() <= 1


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("size", [(64, 64), (128, 96)])
def test_preset_discriminator_gives_one_logit_per_image_or_patch(name, size):
    discriminator = get_preset(name).build_discriminator().eval()
    logits = discriminator(torch.zeros(3, 1, *size), torch.zeros(3, 2, *size))
    assert logits.shape[0] == 3 and logits.dim() in (2, 4)


def test_pretrained_encoder_starts_from_imagenet_weights():
    pretrained = get_preset("efficientnet-unet").build_generator(True)
    random = get_preset("efficientnet-unet").build_generator(False)
    stem = "encoder._conv_stem.weight"
    assert not torch.equal(pretrained.state_dict()[stem], random.state_dict()[stem])
    from colorgan.models.efficientnet_unet import imagenet_encoder_state

    assert torch.equal(pretrained.state_dict()[stem], imagenet_encoder_state()["_conv_stem.weight"])


def test_no_attention_preset_is_efficientnet_unet_without_the_attention_layer():
    full = get_preset("efficientnet-unet").build_generator(False).state_dict()
    plain = get_preset("efficientnet-unet-no-attention").build_generator(False).state_dict()
    attention = {key for key in full if key.startswith("attention.")}
    assert attention and set(plain) == set(full) - attention


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="seed, unet"):
        get_preset("nope")


def test_flop_count_grows_with_image_area():
    generator = get_preset("seed").build_generator(False)
    small = count_flops(generator, torch.zeros(1, 1, 64, 64))
    large = count_flops(generator, torch.zeros(1, 1, 128, 128))
    assert large == pytest.approx(4 * small, rel=0.01)


@pytest.mark.parametrize("size", [(64, 64), (100, 77)])
def test_binned_generator_gives_bin_logits_at_a_quarter_of_the_input(size):
    generator = get_preset("efficientnet-bins").build_generator(False).eval()
    with torch.no_grad():
        chroma, logits = generator(torch.rand(1, 1, *size) * 2 - 1, with_logits=True)
    assert chroma.shape == (1, 2, *size)
    assert logits.shape == (1, len(generator.bins.centers), -(-size[0] // 4), -(-size[1] // 4))


@pytest.mark.parametrize("groups", [1, 8])
def test_a_convolutions_backward_costs_twice_its_forward_whatever_its_groups(groups):
    layer = torch.nn.Conv2d(8, 8, 3, padding=1, groups=groups, bias=False)
    images = torch.zeros(2, 8, 16, 16, requires_grad=True)
    # Hand count: every output value takes (8 / groups) * 3 * 3 multiply-adds.
    forward = 2 * (2 * 8 * 16 * 16) * (8 // groups) * 9
    assert count_flops(layer, images) == forward
    assert count_flops(layer, images, backward=True) == 3 * forward  # + input and weight grads


def test_the_lean_decoder_halves_the_work_and_keeps_the_encoder():
    image = torch.zeros(1, 1, 256, 256)
    full = get_preset("efficientnet-unet").build_generator(False)
    lean = get_preset("efficientnet-lean-unet").build_generator(False)
    assert count_flops(lean, image) < 0.5 * count_flops(full, image)
    encoder = {key for key in full.state_dict() if key.startswith("encoder.")}
    assert encoder == {key for key in lean.state_dict() if key.startswith("encoder.")}


def test_the_compact_decoder_takes_the_full_decoders_weights_for_less_work():
    image = torch.zeros(1, 1, 256, 256)
    full = get_preset("efficientnet-unet-hints").build_generator(False)
    compact = get_preset("efficientnet-compact-unet-hints").build_generator(False)
    compact.load_state_dict(full.state_dict())  # strict: the same layers and shapes
    assert count_flops(compact, image) < 0.8 * count_flops(full, image)
