# Copy of the reference script /work/shared/bench/torch_ref.py (kept in the repo so benchmarks do not depend on ../shared); unmodified otherwise.
"""PyTorch reference for the compass: MLP with BatchNorm on a CSV, same recipe
the service is asked to run. Prints accuracy, training throughput and single-input
eval latency. Run with Debian's /usr/bin/python3 (python3-torch, python3-sklearn)."""
import argparse, csv, time, numpy as np, torch, torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('csv'); p.add_argument('--label', required=True)
p.add_argument('--hidden', default='64,64'); p.add_argument('--epochs', type=int, default=30)
p.add_argument('--batch', type=int, default=32); p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--threads', type=int, default=2); p.add_argument('--seed', type=int, default=0)
p.add_argument('--dtype', default='float32'); p.add_argument('--regression', action='store_true')
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)
dt = getattr(torch, a.dtype)
rows = list(csv.DictReader(open(a.csv)))
feats = [k for k in rows[0] if k != a.label]
X = np.array([[float(r[k]) for k in feats] for r in rows])
if a.regression:
    y = np.array([float(r[a.label]) for r in rows]); classes = None
else:
    classes = sorted(set(r[a.label] for r in rows)); idx = {c: i for i, c in enumerate(classes)}
    y = np.array([idx[r[a.label]] for r in rows])
perm = rng.permutation(len(X)); ntest = len(X) // 5
te, tr = perm[:ntest], perm[ntest:]
Xtr, Xte = torch.tensor(X[tr], dtype=dt), torch.tensor(X[te], dtype=dt)
ytr = torch.tensor(y[tr], dtype=dt if a.regression else torch.long)
yte = torch.tensor(y[te], dtype=dt if a.regression else torch.long)
if a.regression:
    ym, ys = ytr.mean(), ytr.std(); ytr_n = (ytr - ym) / ys
layers = [nn.BatchNorm1d(X.shape[1])]; d = X.shape[1]
for h in [int(s) for s in a.hidden.split(',') if s]:
    layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU()]; d = h
layers += [nn.Linear(d, 1 if a.regression else len(classes))]
net = nn.Sequential(*layers).to(dt)
opt = torch.optim.Adam(net.parameters(), lr=a.lr)
lossf = nn.MSELoss() if a.regression else nn.CrossEntropyLoss()
t0 = time.perf_counter(); seen = 0
for ep in range(a.epochs):
    net.train(); order = torch.randperm(len(Xtr))
    for i in range(0, len(order), a.batch):
        b = order[i:i + a.batch]
        if len(b) < 2: continue
        opt.zero_grad(); out = net(Xtr[b])
        loss = lossf(out.squeeze(1), ytr_n[b]) if a.regression else lossf(out, ytr[b])
        loss.backward(); opt.step(); seen += len(b)
train_s = time.perf_counter() - t0
net.eval()
with torch.no_grad():
    out = net(Xte)
    if a.regression:
        pred = out.squeeze(1) * ys + ym; rmse = float(((pred - yte) ** 2).mean().sqrt())
        quality = f'rmse={rmse:.3f}'
    else:
        quality = f'accuracy={float((out.argmax(1) == yte).double().mean()):.4f}'
    x1 = Xte[:1]; n = 2000
    for _ in range(200): net(x1)
    t1 = time.perf_counter()
    for _ in range(n): net(x1)
    lat_us = (time.perf_counter() - t1) / n * 1e6
print(f'torch {torch.__version__} threads={torch.get_num_threads()} dtype={a.dtype} {quality} '
      f'train_s={train_s:.2f} samples_per_s={seen / train_s:.0f} predict1_us={lat_us:.1f}')
