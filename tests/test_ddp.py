import os
import subprocess
import sys

import pytest

from colorgan.models.files import load_checkpoint
from tests.servers import free_port

pytestmark = pytest.mark.slow


def test_two_process_ddp_training_on_cpu(photo_folder, tmp_path):
    run = tmp_path / "ddp-run"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
               "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
               "-m", "colorgan.cli", "train", str(photo_folder), "--preset", "unet",
               "--out", str(run), "--size", "32", "--batch-size", "2", "--steps", "3",
               "--pretrain-steps", "1", "--sample-every", "3", "--workers", "0",
               "--num-samples", "2", "--device", "cpu"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert finished.stdout.count("photos kept") == 1  # only rank 0 reports
    state = load_checkpoint(run / "checkpoint.pt")
    assert state["step"] == 3
    assert state["batches_seen"] == 3  # each rank counts its own share of the global batches
    assert (run / "samples" / "step0000003.png").exists()
