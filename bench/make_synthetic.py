# Copy of the reference script /work/shared/bench/make_synthetic.py (kept in the repo so benchmarks do not depend on ../shared); unmodified otherwise.
"""Deterministic synthetic classification data for benchmarks (standard library only).
Usage: python3 make_synthetic.py ROWS FEATURES OUT.csv [SEED]
Features have wildly different scales and offsets (what input BatchNorm is for); the
label is the argmax of 5 random tanh projections of the standardized features."""
import math, random, sys
rows, d, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
scale = [rng.uniform(0.1, 100) for _ in range(d)]
offset = [rng.uniform(-50, 50) for _ in range(d)]
W = [[rng.gauss(0, 1) for _ in range(5)] for _ in range(d)]
with open(out, 'w') as f:
    f.write(','.join(f'f{i}' for i in range(d)) + ',label\n')
    for _ in range(rows):
        z = [rng.gauss(0, 1) for _ in range(d)]
        x = [z[i] * scale[i] + offset[i] for i in range(d)]
        s = [math.tanh(sum(z[i] * W[i][k] for i in range(d)) / math.sqrt(d)) for k in range(5)]
        f.write(','.join(f'{v:.6g}' for v in x) + f',c{s.index(max(s))}\n')
