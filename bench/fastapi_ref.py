"""The comparison service for bench/http.sh: FastAPI + PyTorch 1.13 serving the same digits model shape
(input BatchNorm, hidden [64, 64] each Linear -> BatchNorm -> ReLU, Linear -> 10), eval mode, one row per
request, answered with the class and its probabilities like bnserve.

Usage: /usr/bin/python3 bench/fastapi_ref.py PORT [WORKERS]   (Debian: python3-torch python3-fastapi python3-uvicorn)
Trains 5 epochs on examples/digits.csv once (saved under target/bench), then serves POST /predict with uvicorn,
WORKERS processes (default: the number of CPUs), one torch thread each."""
import csv, os, sys

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "target", "bench", "fastapi_digits.pt")


def build():
    layers, width = [nn.BatchNorm1d(64)], 64
    for h in (64, 64):
        layers += [nn.Linear(width, h), nn.BatchNorm1d(h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def train():
    with open(os.path.join(ROOT, "examples", "digits.csv")) as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    y_col = header.index("digit")
    x = torch.tensor([[float(v) for i, v in enumerate(r) if i != y_col] for r in data], dtype=torch.float32)
    y = torch.tensor([int(float(r[y_col])) for r in data])
    torch.manual_seed(0)
    net = build()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for _ in range(5):
        perm = torch.randperm(len(x))
        for i in range(0, len(x) - 1, 32):
            idx = perm[i:i + 32]
            if len(idx) < 2:
                continue
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
    os.makedirs(os.path.dirname(MODEL), exist_ok=True)
    torch.save(net.state_dict(), MODEL)


def make_app():
    from fastapi import FastAPI
    from pydantic import BaseModel

    torch.set_num_threads(1)
    net = build()
    net.load_state_dict(torch.load(MODEL))
    net.eval()
    app = FastAPI()

    class Row(BaseModel):
        features: list[float]

    @app.post("/predict")
    def predict(row: Row):
        with torch.no_grad():
            p = torch.softmax(net(torch.tensor([row.features], dtype=torch.float32)), dim=1)[0]
        return {"prediction": int(p.argmax()), "probabilities": {str(i): float(v) for i, v in enumerate(p)}}

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    if not os.path.exists(MODEL):
        train()
    import uvicorn
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run("fastapi_ref:make_app", factory=True, host="127.0.0.1", port=port, workers=workers, log_level="warning")
