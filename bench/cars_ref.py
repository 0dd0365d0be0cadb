"""PyTorch + scikit-learn reference for bnserve's default recipe on a real-world table (examples/cars.csv).

Same recipe as the service with its defaults: a seeded 20% validation split (floor(n*0.2) rows); preprocessing
fitted on the training split only (numeric: mean imputation plus a 0/1 indicator for each column with missing
values in the training split; categorical: one-hot, unknown levels ignored, more than 50 levels -> column
ignored; ISO date: continuous year, month sin/cos, ISO-weekday sin/cos; a source column constant over the
training split dropped); input BatchNorm1d -> [Linear(64) -> BatchNorm1d -> ReLU] x2 -> Linear(classes), PyTorch
defaults; Adam lr 1e-3, batch 32 reshuffled each epoch (a trailing one-row batch merged into the previous one),
30 epochs, softmax cross-entropy, float64; validation accuracy and log loss of the final model in eval mode.

bnserve's split permutation cannot be reproduced here, so the split is sklearn's train_test_split with
random_state=seed (torch.manual_seed(seed) for the initialisation and the batch order); compare means over seeds.
Like bnserve, the date's month sin/cos are kept even when constant (every cars.csv date is 1 January): after the
input BatchNorm they are ~0 and do not change the fit.

Usage: /usr/bin/python3 bench/cars_ref.py [csv] [--label Origin] [--ignore Name] [--seeds 0,1,2,3,4]
Needs Debian's python3-torch, python3-sklearn, python3-pandas."""
import argparse, math, numpy as np, pandas as pd, torch, torch.nn as nn, torch.nn.functional as F
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

p = argparse.ArgumentParser()
p.add_argument('csv', nargs='?', default='examples/cars.csv')
p.add_argument('--label', default='Origin'); p.add_argument('--ignore', default='Name')
p.add_argument('--seeds', default='0,1,2,3,4'); p.add_argument('--epochs', type=int, default=30)
p.add_argument('--batch', type=int, default=32); p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--hidden', default='64,64'); p.add_argument('--max-categories', type=int, default=50)
p.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
a = p.parse_args()
torch.set_default_dtype(torch.float64)
if a.threads: torch.set_num_threads(a.threads)

df = pd.read_csv(a.csv, keep_default_na=False, na_values=[''])   # only empty cells are missing
ignored = [c for c in a.ignore.split(',') if c]
y_all = df[a.label].astype(str)
classes = sorted(y_all.unique()); y_all = y_all.map({c: i for i, c in enumerate(classes)}).to_numpy()
X_all = df.drop(columns=[a.label] + ignored)


def is_date(s):
    v = s.dropna().astype(str)
    return len(v) > 0 and v.str.fullmatch(r'\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?').all()


kinds = {c: 'numeric' if pd.api.types.is_numeric_dtype(X_all[c]) else 'date' if is_date(X_all[c]) else 'categorical'
         for c in X_all.columns}


class DateEncoder(BaseEstimator, TransformerMixin):
    """Per date column: continuous year = year + (dayOfYear-1)/daysInYear, month sin/cos (2pi(month-1)/12),
    ISO weekday sin/cos (2pi(isoWeekday-1)/7); a missing date takes the training mean instant, plus a 0/1
    indicator when the column has missing values in the training split."""
    def fit(self, X, y=None):
        d = X.apply(pd.to_datetime)
        self.means_ = {c: d[c].mean() for c in X.columns}
        self.indicators_ = [c for c in X.columns if d[c].isna().any()]
        return self

    def transform(self, X):
        out = []
        for c in X.columns:
            d = pd.to_datetime(X[c]).fillna(self.means_[c])
            days = np.where(d.dt.is_leap_year, 366.0, 365.0)
            m, w = 2 * math.pi * (d.dt.month - 1) / 12, 2 * math.pi * d.dt.dayofweek / 7   # dayofweek: Monday = 0
            out += [d.dt.year + (d.dt.dayofyear - 1) / days, np.sin(m), np.cos(m), np.sin(w), np.cos(w)]
        out += [pd.to_datetime(X[c]).isna().astype(float) for c in self.indicators_]
        return np.column_stack(out).astype(float)


def preprocessor(Xtr):
    """Column transformer fitted on the training split only; drops constant and too-wide columns first."""
    num, cat, dat = [], [], []
    for c in Xtr.columns:
        if Xtr[c].nunique(dropna=False) <= 1: continue                  # constant over the training split
        if kinds[c] == 'categorical' and Xtr[c].nunique() > a.max_categories: continue
        {'numeric': num, 'categorical': cat, 'date': dat}[kinds[c]].append(c)
    parts = []
    if num: parts.append(('num', SimpleImputer(strategy='mean', add_indicator=True), num))
    if cat: parts.append(('cat', make_pipeline(SimpleImputer(strategy='constant', fill_value='(missing)'),
                                               OneHotEncoder(handle_unknown='ignore', sparse_output=False)), cat))
    if dat: parts.append(('date', DateEncoder(), dat))
    return ColumnTransformer(parts).fit(Xtr)


def run(seed):
    torch.manual_seed(seed)
    ntest = int(len(X_all) * 0.2)
    Xtr, Xva, ytr, yva = train_test_split(X_all, y_all, test_size=ntest, random_state=seed)
    pre = preprocessor(Xtr)
    Xtr_t, Xva_t = torch.tensor(pre.transform(Xtr)), torch.tensor(pre.transform(Xva))
    ytr_t, yva_t = torch.tensor(ytr), torch.tensor(yva)
    d = Xtr_t.shape[1]; layers = [nn.BatchNorm1d(d)]
    for h in [int(s) for s in a.hidden.split(',') if s]:
        layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU()]; d = h
    net = nn.Sequential(*layers, nn.Linear(d, len(classes)))
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    n = len(Xtr_t)
    starts = list(range(0, n, a.batch))
    if len(starts) > 1 and n - starts[-1] == 1: starts.pop()             # merge a trailing one-row batch
    bounds = list(zip(starts, starts[1:] + [n]))
    for _ in range(a.epochs):
        net.train(); order = torch.randperm(n)
        for s, e in bounds:
            b = order[s:e]
            opt.zero_grad(); loss = F.cross_entropy(net(Xtr_t[b]), ytr_t[b]); loss.backward(); opt.step()
    net.eval()
    with torch.no_grad():
        out = net(Xva_t)
        acc = float((out.argmax(1) == yva_t).double().mean()); ll = float(F.cross_entropy(out, yva_t))
    print(f'torch+sklearn seed={seed} accuracy={acc:.4f} logLoss={ll:.4f} train={n} validation={len(Xva_t)} '
          f'inputs={Xtr_t.shape[1]}', flush=True)
    return acc, ll


seeds = [int(s) for s in a.seeds.split(',')]
res = np.array([run(s) for s in seeds])
sd = lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0                # sample std over seeds
print(f'torch {torch.__version__}, scikit-learn {__import__("sklearn").__version__}, classes {classes}, '
      f'feature kinds {kinds}')
print(f'torch+sklearn: accuracy mean={res[:, 0].mean():.4f} std={sd(res[:, 0]):.4f} '
      f'logLoss mean={res[:, 1].mean():.4f} std={sd(res[:, 1]):.4f} ({len(seeds)} seeds)')
