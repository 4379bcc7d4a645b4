"""The yardstick for every benchmark: this machine's matmul FLOP/s, measured in the same run."""

import time

import torch


def matmul_rates(side: int = 2048, seconds: float = 3.0) -> dict[str, float]:
    """Best sustained float32 matmul FLOP/s of each library here, with all of torch's
    threads: PyTorch's, and ONNX Runtime's where it is installed. They differ by machine
    (on an AMD EPYC with AVX-512, ONNX Runtime's kernels ran 1.7 times as fast as
    PyTorch's), and a model that runs in one is measured against the best of them."""
    left, right = torch.randn(side, side), torch.randn(side, side)
    rates = {"torch": _sustained_rate(lambda: torch.mm(left, right), 2 * side**3, seconds)}
    try:
        import onnxruntime
        from onnx import TensorProto, helper
    except ImportError:
        return rates
    matrix = [helper.make_tensor_value_info(name, TensorProto.FLOAT, [side, side])
              for name in "abc"]
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul",
                              matrix[:2], matrix[2:])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = onnxruntime.InferenceSession(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
        .SerializeToString(), options, providers=["CPUExecutionProvider"])
    feed = {"a": left.numpy(), "b": right.numpy()}
    rates["onnxruntime"] = _sustained_rate(lambda: session.run(None, feed), 2 * side**3,
                                           seconds)
    return rates


def describe_matmul(rates: dict[str, float]) -> str:
    """One line for a benchmark's header: each library's rate, and which one the shares
    of the matmul rate in its tables are taken of (the best)."""
    each = ", ".join(f"{name} {rate / 1e9:.1f}" for name, rate in rates.items())
    return (f"matmul (float32, 2048x2048): {each} GFLOP/s; shares of the matmul rate are of "
            f"{max(rates, key=rates.get)}'s")


def _sustained_rate(run, flops: float, seconds: float) -> float:
    run()  # warm up
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(4):
            run()
        best = max(best, 4 * flops / (time.perf_counter() - started))
    return best


def best_time(run, repeats: int = 5) -> float:
    """The fastest of several runs (after one warm-up): the least disturbed by other load."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def describe_machine() -> str:
    import os
    import platform

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")
