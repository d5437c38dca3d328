#!/usr/bin/env python3
"""Reference anchor: D2L 9.5 "RNN from scratch" in plain PyTorch, as the book runs it.
(rnnlm's copy of shared/reference/torch_rnn.py; the only change is the PEAK_RSS line at the end, for the benchmark.)

A measuring stick for speed and perplexity, not part of the product.
Setup (Debian): apt-get install -y python3-torch libopenblas0-pthread
Run with the system interpreter and one BLAS thread (two oversubscribe 2 cores):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 torch_rnn.py --data ../data/timemachine.txt
Prints one line per epoch, then TOTAL, final ppl and the greedy prediction for 'it has'.
--impl concise uses torch.nn.RNN/GRU/LSTM (the book's 9.6 / 10.x concise code): the faster choice a PyTorch user would make.
--cell gru|lstm and --layers N run the book's chapter 10 models (10.1 LSTM: lr 4, 50 epochs; 10.2 GRU: lr 4, 50 epochs; 10.3 deep: 2 layers).
Perplexity here is exp(token-weighted mean cross-entropy) over the epoch.
"""
import argparse, math, re, statistics, time
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', required=True, help='path to timemachine.txt')
p.add_argument('--epochs', type=int, default=100)
p.add_argument('--hidden', type=int, default=32)
p.add_argument('--lr', type=float, default=1.0)
p.add_argument('--batch', type=int, default=1024)
p.add_argument('--steps', type=int, default=32)
p.add_argument('--num-train', type=int, default=10000)
p.add_argument('--num-val', type=int, default=5000)
p.add_argument('--clip', type=float, default=1.0)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--impl', choices=['scratch', 'concise'], default='scratch',
               help='scratch: the book\'s 9.5 code (Python loop over steps); concise: torch.nn.RNN/GRU/LSTM (9.6, 10.x)')
p.add_argument('--cell', choices=['rnn', 'gru', 'lstm'], default='rnn', help='recurrent cell (10.1 LSTM, 10.2 GRU)')
p.add_argument('--layers', type=int, default=1, help='stacked layers (10.3 deep RNN)')
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

# d2l.TimeMachine: letters only, lower case, characters as tokens, sorted vocab with <unk>
text = re.sub('[^A-Za-z]+', ' ', open(a.data).read()).lower()
idx_to_token = sorted(set(['<unk>'] + list(text)))
tok2idx = {t: i for i, t in enumerate(idx_to_token)}
V, h, T = len(idx_to_token), a.hidden, a.steps
corpus = [tok2idx[c] for c in text]
arr = torch.tensor([corpus[i:i + T + 1] for i in range(a.num_train + a.num_val)])
X, Y = arr[:, :-1], arr[:, 1:]
ds = torch.utils.data.TensorDataset
train_dl = torch.utils.data.DataLoader(ds(X[:a.num_train], Y[:a.num_train]), a.batch, shuffle=True)
val_dl = torch.utils.data.DataLoader(ds(X[a.num_train:], Y[a.num_train:]), a.batch, shuffle=False)

sigma = 0.01
if a.impl == 'concise':
    # D2L 9.6 / 10.x concise: framework recurrent layer on one-hot inputs, then a linear output layer
    cls = {'rnn': torch.nn.RNN, 'gru': torch.nn.GRU, 'lstm': torch.nn.LSTM}[a.cell]
    rnn_layer = cls(V, h, num_layers=a.layers)
    linear = torch.nn.Linear(h, V)
    params = list(rnn_layer.parameters()) + list(linear.parameters())

    def forward(Xb, state=None):
        embs = F.one_hot(Xb.T, V).type(torch.float32)  # (T, B, V)
        outs, state = rnn_layer(embs, state)
        return linear(outs).swapaxes(0, 1), state  # (B, T, V)
else:
    def init(*shape):
        return (torch.randn(*shape) * sigma).requires_grad_()
    n_gates = {'rnn': 1, 'gru': 3, 'lstm': 4}[a.cell]
    layers = []  # per layer and gate: W_x (in, h), W_h (h, h), b (h)
    for layer in range(a.layers):
        n_in = V if layer == 0 else h
        layers.append([(init(n_in, h), init(h, h), torch.zeros(h, requires_grad=True)) for _ in range(n_gates)])
    W_hq = init(h, V)
    b_q = torch.zeros(V, requires_grad=True)
    params = [t for gates in layers for g in gates for t in g] + [W_hq, b_q]

    def cell_step(gates, Xt, H, C):
        lin = lambda g, Hx: Xt @ gates[g][0] + Hx @ gates[g][1] + gates[g][2]
        if a.cell == 'rnn':   # 9.5
            return torch.tanh(lin(0, H)), C
        if a.cell == 'gru':   # 10.2: reset R, update Z, candidate
            R, Z = torch.sigmoid(lin(0, H)), torch.sigmoid(lin(1, H))
            H_tilde = torch.tanh(lin(2, R * H))
            return Z * H + (1 - Z) * H_tilde, C
        I, F_, O = torch.sigmoid(lin(0, H)), torch.sigmoid(lin(1, H)), torch.sigmoid(lin(2, H))  # 10.1
        C = F_ * C + I * torch.tanh(lin(3, H))
        return O * torch.tanh(C), C

    def forward(Xb, state=None):
        embs = F.one_hot(Xb.T, V).type(torch.float32)  # (T, B, V)
        B = embs.shape[1]
        if state is None:
            state = [(torch.zeros((B, h)), torch.zeros((B, h))) for _ in layers]
        outs = []
        for Xt in embs:  # Python loop over time steps, as the book does
            new_state = []
            for gates, (H, C) in zip(layers, state):
                H, C = cell_step(gates, Xt, H, C)
                new_state.append((H, C))
                Xt = H
            state = new_state
            outs.append(Xt @ W_hq + b_q)
        return torch.stack(outs, 1), state  # (B, T, V)


def loss_fn(Y_hat, Yb):
    return F.cross_entropy(Y_hat.reshape(-1, V), Yb.reshape(-1))


opt = torch.optim.SGD(params, lr=a.lr)
times, t_all = [], time.perf_counter()
for ep in range(a.epochs):
    t0 = time.perf_counter()
    tl = tn = 0.0
    for Xb, Yb in train_dl:
        l = loss_fn(forward(Xb)[0], Yb)
        opt.zero_grad()
        l.backward()
        with torch.no_grad():  # d2l.Trainer.clip_gradients: global L2 norm
            norm = torch.sqrt(sum((q.grad ** 2).sum() for q in params))
            if a.clip > 0 and norm > a.clip:
                for q in params:
                    q.grad[:] *= a.clip / norm
        opt.step()
        tl += float(l) * Yb.numel(); tn += Yb.numel()
    t1 = time.perf_counter()
    vl = vn = 0.0
    with torch.no_grad():
        for Xb, Yb in val_dl:
            vl += float(loss_fn(forward(Xb)[0], Yb)) * Yb.numel(); vn += Yb.numel()
    t2 = time.perf_counter()
    times.append((t2 - t0, t1 - t0))
    print(f'epoch {ep+1} sec {t2-t0:.4f} train_ppl {math.exp(tl/tn):.4f} val_ppl {math.exp(vl/vn):.4f}', flush=True)
total = time.perf_counter() - t_all
med_ep = statistics.median(t for t, _ in times)
med_tr = statistics.median(t for _, t in times)
print(f'TOTAL wall {total:.2f} s for {a.epochs} epochs; median epoch {med_ep:.4f} s; '
      f'train tokens/s {a.num_train * T / med_tr:.0f}')
print('final train ppl %.4f val ppl %.4f' % (math.exp(tl / tn), math.exp(vl / vn)))

with torch.no_grad():  # d2l predict: warm up on the prefix, then greedy argmax
    prefix, state, out = 'it has', None, [tok2idx['i']]
    for i in range(len(prefix) + 20 - 1):
        Yh, state = forward(torch.tensor([[out[-1]]]), state)
        out.append(tok2idx[prefix[i + 1]] if i < len(prefix) - 1 else int(Yh.argmax(axis=2).reshape(1)))
print('predict:', repr(''.join(idx_to_token[i] for i in out)))

import resource  # noqa: E402  (rnnlm bench reads this line)
print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
