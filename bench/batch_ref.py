"""The Python peer of bench/batch.sh: the same work in process, with PyTorch in eval mode.
Usage: batch_ref.py json REQUEST.json RUNS | batch_ref.py csv SCORE.csv OUT.csv RUNS
The network is bnserve's [256, 256] architecture (input BatchNorm, Linear -> BatchNorm -> ReLU twice, Linear to 5
classes, softmax), float32, randomly initialised (the arithmetic does not depend on the weights' values).
json: json.loads of the request body, the rows into a tensor, forward, json.dumps of an answer shaped like bnserve's
({"predictions": [{"prediction": class, "probabilities": {class: p}}]}). csv: pandas read_csv, forward, to_csv
of prediction and p_<class> columns. Prints the best time and rows/s."""
import json, sys, time
import torch, torch.nn as nn
torch.manual_seed(0)
torch.set_num_threads(2)
net = nn.Sequential(nn.BatchNorm1d(32), nn.Linear(32, 256), nn.BatchNorm1d(256), nn.ReLU(),
                    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 5)).eval()
classes = [f"c{i}" for i in range(5)]
mode = sys.argv[1]
best = 1e9
if mode == "json":
    body = open(sys.argv[2]).read()
    runs = int(sys.argv[3])
    for _ in range(runs):
        t0 = time.perf_counter()
        req = json.loads(body)
        x = torch.tensor(req["instances"], dtype=torch.float32)
        with torch.no_grad():
            p = torch.softmax(net(x), dim=1)
        top = p.argmax(dim=1).tolist()
        rows = p.tolist()
        out = json.dumps({"predictions": [{"prediction": classes[t], "probabilities": dict(zip(classes, r))}
                                          for t, r in zip(top, rows)]})
        best = min(best, time.perf_counter() - t0)
    n = len(req["instances"])
else:
    import pandas as pd
    runs = int(sys.argv[4])
    for _ in range(runs):
        t0 = time.perf_counter()
        df = pd.read_csv(sys.argv[2])
        x = torch.from_numpy(df[[f"f{i}" for i in range(32)]].to_numpy("float32"))
        with torch.no_grad():
            p = torch.softmax(net(x), dim=1).numpy()
        out = pd.DataFrame(p, columns=[f"p_{c}" for c in classes])
        out.insert(0, "prediction", [classes[i] for i in p.argmax(axis=1)])
        out.to_csv(sys.argv[3], index=False)
        best = min(best, time.perf_counter() - t0)
    n = len(df)
print(f"{best:.4f} {n / best:.0f} torch {torch.__version__} float32, {torch.get_num_threads()} threads")
