#!/usr/bin/env bash
# ONNX Runtime vs TorchSharp forward pass of the default network at 256/512/1024 px (BenchmarkDotNet,
# in-process, short run). Issue 4's peer: PyTorch 1.13, 2 threads: 0.123 / 0.573 / 3.52 s.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet run -c Release --project bench/FastStyle.Bench -- inference "$@"
