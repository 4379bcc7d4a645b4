"""Multi-process data parallelism under torchrun: gloo on CPU, nccl on GPU."""

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class ProcessGroup:
    """This process's place among the training processes."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1


def start(device_type: str) -> ProcessGroup:
    """Join the process group that torchrun describes in the environment, if any."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return ProcessGroup()
    dist.init_process_group(backend="nccl" if device_type == "cuda" else "gloo")
    group = ProcessGroup(dist.get_rank(), world_size, int(os.environ.get("LOCAL_RANK", "0")))
    if device_type == "cuda":
        torch.cuda.set_device(group.local_rank)
    return group


def stop(group: ProcessGroup) -> None:
    """Leave the process group."""
    if group.is_distributed:
        dist.destroy_process_group()


def mean_across(group: ProcessGroup, values: dict[str, float],
                device: torch.device) -> dict[str, float]:
    """Average logged numbers over all processes, so rank 0 reports the whole batch."""
    if not group.is_distributed:
        return values
    stacked = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(stacked)
    return dict(zip(values, (stacked / group.world_size).cpu().tolist(), strict=True))


def any_across(group: ProcessGroup, flag: bool, device: torch.device) -> bool:
    """True on every process if it is true on any: all ranks stop at the same step."""
    if not group.is_distributed:
        return flag
    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())
