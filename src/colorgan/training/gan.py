"""The adversarial regimes: after the warm start, a discriminator judges the colors. "paired":
a conditional PatchGAN sees real and generated (L, ab) pairs on every batch (pix2pix), the
first critic_warmup_steps without moving the generator, its weights or its batch-norm
statistics (DeOldify's NoGAN);
"seed": the origin article's mini-epochs, the discriminator on half real and half generated
images, then the generator on all."""

import torch

from colorgan.models.modes import evaluating
from colorgan.training.losses import adversarial_loss
from colorgan.training.reconstruction import reconstruct, side_losses


def paired_step(trainer) -> dict[str, float]:
    """One batch: the conditional discriminator sees real and fake pairs, then G steps
    (unless the critic is still warming up on the frozen generator's colors)."""
    luminance, chroma = trainer.next_batch()
    config = trainer.config
    warming_up = trainer.step < config.pretrain_steps + config.critic_warmup_steps
    # A warming critic sees the generator as it colors at inference: no step, and no
    # batch-norm statistics moved by the batches it sees (train mode would move them).
    with (trainer.autocast(), torch.set_grad_enabled(not warming_up),
          evaluating(trainer.generator, hold=warming_up)):
        fake, losses = reconstruct(trainer, luminance, chroma)
    with trainer.autocast():
        logits = trainer.train_d(torch.cat([luminance, luminance]),
                                 torch.cat([chroma, fake.detach()]))
        real_logits, fake_logits = logits.chunk(2)
        d_loss = (adversarial_loss(real_logits, True) + adversarial_loss(fake_logits, False)) / 2
    trainer.update(trainer.optimizer_d, d_loss)
    if warming_up:
        return {"d": d_loss.item(), **{name: value.item() for name, value in losses.items()}}
    with trainer.autocast():
        g_losses = _generator_loss(trainer, luminance, fake, losses)
    trainer.update(trainer.optimizer_g, g_losses["g_total"])
    return {"d": d_loss.item(), **{name: value.item() for name, value in g_losses.items()}}


def seed_step(trainer) -> dict[str, float]:
    """The article's mini-epoch: D on half real and half generated images, then G on all."""
    config = trainer.config
    count = config.mini_epoch // config.batch_size
    if count < 2 or count % 2:
        raise ValueError(f"mini-epoch {config.mini_epoch} must be an even number "
                         f"of batches of {config.batch_size}")
    batches = [trainer.next_batch() for _ in range(count)]
    totals: dict[str, float] = {"d_real": 0.0, "d_fake": 0.0}
    for index, (luminance, chroma) in enumerate(batches):
        is_real = index < count // 2
        with trainer.autocast():
            if not is_real:
                with torch.no_grad():
                    chroma = trainer.train_g(luminance)
            loss = adversarial_loss(trainer.train_d(luminance, chroma), is_real)
        trainer.update(trainer.optimizer_d, loss)
        totals["d_real" if is_real else "d_fake"] += loss.item() / (count // 2)
    for luminance, chroma in batches:
        with trainer.autocast():
            g_losses = _generator_loss(trainer, luminance,
                                       *reconstruct(trainer, luminance, chroma))
        trainer.update(trainer.optimizer_g, g_losses["g_total"])
        for name, value in g_losses.items():
            totals[name] = totals.get(name, 0.0) + value.item() / count
    return totals


def _generator_loss(trainer, luminance: torch.Tensor, fake: torch.Tensor,
                    losses: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    # The unwrapped discriminator: its gradients here are discarded, not synchronized.
    adversarial = adversarial_loss(trainer.discriminator(luminance, fake), True)
    total = (trainer.setting("gan_weight") * adversarial
             + trainer.setting("l1_weight") * (losses["l1"] + side_losses(trainer, losses))
             + trainer.setting("bins_weight") * losses.get("bins", 0.0))
    return {"g_total": total, "g_adv": adversarial, **losses}
