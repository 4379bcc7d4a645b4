"""What a researcher runs: data, losses, the trainer and its regimes (reconstruction, GAN),
validation, monitoring, recipes, packing, distributed runs. May import everything but the
command line and the server."""
