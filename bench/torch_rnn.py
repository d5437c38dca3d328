#!/usr/bin/env python3
"""Reference anchor: D2L 9.5 "RNN from scratch" in plain PyTorch, as the book runs it.
(rnnlm's copy of shared/reference/torch_rnn.py. Its changes: the PEAK_RSS line at the end, for the benchmark; any
text, read exactly as rnnlm reads it (--text book|raw, below), so that `rnnlm bench` trains both engines on the same
tokens; --num-val 0 (no validation); --dump-tokens N, for the test that compares both readings; --threads defaults to
PyTorch's own count, torch.get_num_threads(), where the reference sets 2, and the first line states the count.)

A measuring stick for speed and perplexity, not part of the product.
Setup (Debian): apt-get install -y python3-torch libopenblas0-pthread
  (or a PyTorch 2.x CPU wheel: python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy)
Run with one BLAS thread (two oversubscribe 2 cores):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 torch_rnn.py --data ../data/timemachine.txt
Prints one line per epoch, then TOTAL, final ppl and the greedy prediction for 'it has'.
--impl concise uses torch.nn.RNN/GRU/LSTM (the book's 9.6 / 10.x concise code): the faster choice a PyTorch user would make.
--cell gru|lstm and --layers N run the book's chapter 10 models (10.1 LSTM: lr 4, 50 epochs; 10.2 GRU: lr 4, 50 epochs; 10.3 deep: 2 layers).
Perplexity here is exp(token-weighted mean cross-entropy) over the epoch; with --num-val 0 the validation perplexity is nan.

The text, as rnnlm reads it (src/data/text.ts, tokenizer.ts, vocab.ts, timemachine.ts):
  bytes: UTF-8 or UTF-16 by a byte-order mark (the mark dropped), else UTF-8, else Windows-1252 (rnnlm refuses binary
    files and files mixing UTF-8 with other bytes before they get here; this script does not check);
  --text book: D2L 9.2's preprocessing, every run of non-letters becomes one space, then lower case;
  --text raw: every character kept; CRLF and lone CR become LF, control characters other than tab and newline are
    removed, then Unicode NFC;
  tokens: characters (code points: an emoji is one token);
  the book split: only the first num_train + num_val + steps tokens are read, and the vocabulary is <unk> and the
    distinct tokens among them, sorted by code point (D2L builds it from the whole text: for The Time Machine read the
    book's way both give the same 28); window i is tokens[i : i+steps+1]; the first num_train train, the next num_val
    validate.
"""
import argparse, json, math, re, statistics, sys, time, unicodedata
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', required=True, help='path to the text (timemachine.txt, or any text file)')
p.add_argument('--text', choices=['book', 'raw'], default='book',
               help='book: D2L 9.2 (letters only, lower case); raw: every character (NFC, CRLF as LF), as rnnlm --text raw')
p.add_argument('--epochs', type=int, default=100)
p.add_argument('--hidden', type=int, default=32)
p.add_argument('--lr', type=float, default=1.0)
p.add_argument('--batch', type=int, default=1024)
p.add_argument('--steps', type=int, default=32)
p.add_argument('--num-train', type=int, default=10000)
p.add_argument('--num-val', type=int, default=5000)
p.add_argument('--clip', type=float, default=1.0)
p.add_argument('--threads', type=int, default=0, help="intra-op threads; 0 keeps PyTorch's default (one per physical core)")
p.add_argument('--seed', type=int, default=0)
p.add_argument('--impl', choices=['scratch', 'concise'], default='scratch',
               help='scratch: the book\'s 9.5 code (Python loop over steps); concise: torch.nn.RNN/GRU/LSTM (9.6, 10.x)')
p.add_argument('--cell', choices=['rnn', 'gru', 'lstm'], default='rnn', help='recurrent cell (10.1 LSTM, 10.2 GRU)')
p.add_argument('--layers', type=int, default=1, help='stacked layers (10.3 deep RNN)')
p.add_argument('--dump-tokens', type=int, metavar='N',
               help='print {"vocab": [...], "ids": [the first N token ids]} as JSON and exit (to compare with rnnlm\'s reading)')
a = p.parse_args()
if a.num_train < 1 or a.num_val < 0 or a.steps < 1 or a.batch < 1:
    sys.exit('--num-train, --steps and --batch must be at least 1, --num-val at least 0')


def windows_1252(b):
    """A byte 0x80-0x9F as Windows-1252 reads it; the five it leaves undefined keep their Latin-1 meaning (as rnnlm)."""
    try:
        return ord(bytes([b]).decode('cp1252'))
    except UnicodeDecodeError:
        return b


WINDOWS_1252 = {b: windows_1252(b) for b in range(0x80, 0xa0)}


def decode(data):
    """The file's text: rnnlm's decodeText (a byte-order mark, else UTF-8 when valid, else Windows-1252)."""
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8')
    if data.startswith(b'\xff\xfe'):
        return data[2:].decode('utf-16-le', errors='replace')  # a lone surrogate becomes U+FFFD, as TextDecoder does
    if data.startswith(b'\xfe\xff'):
        return data[2:].decode('utf-16-be', errors='replace')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1').translate(WINDOWS_1252)


CONTROLS = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f]')  # C0 and C1 controls but tab and newline


def normalize(text, mode):
    if mode == 'book':  # d2l.TimeMachine: letters only, lower case
        return re.sub('[^A-Za-z]+', ' ', text).lower()
    return unicodedata.normalize('NFC', CONTROLS.sub('', re.sub('\r\n?', '\n', text)))


if a.threads > 0:
    torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

# characters as tokens; the book split reads only its windows' tokens, and the vocabulary is theirs, with <unk>
with open(a.data, 'rb') as f:
    tokens = list(normalize(decode(f.read()), a.text))[:a.num_train + a.num_val + a.steps]
idx_to_token = sorted(set(['<unk>'] + tokens))
tok2idx = {t: i for i, t in enumerate(idx_to_token)}
V, h, T = len(idx_to_token), a.hidden, a.steps
corpus = [tok2idx[c] for c in tokens]
if a.dump_tokens is not None:
    print(json.dumps({'vocab': idx_to_token, 'ids': corpus[:a.dump_tokens]}))
    sys.exit(0)
print(f'text {a.text}: {len(corpus)} tokens read, vocabulary {V}, {a.num_train} training and {a.num_val} validation '
      f'windows of {T}; {torch.get_num_threads()} threads', flush=True)  # rnnlm bench checks the vocabulary against rnnlm's
if len(corpus) - T < a.num_train + a.num_val:
    sys.exit(f'the text is too short: {len(corpus)} characters give {max(len(corpus) - T, 0)} windows of {T + 1}, '
             f'but num_train + num_val = {a.num_train + a.num_val}')
# window i is corpus[i : i+T+1], as the book's list of slices; unfold makes them one view, without a copy per window
arr = torch.tensor(corpus).unfold(0, T + 1, 1)[:a.num_train + a.num_val]
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


def perplexity(loss_sum, n):
    """exp of the mean loss; nan without tokens (no validation windows), inf past float range."""
    if n == 0:
        return float('nan')
    try:
        return math.exp(loss_sum / n)
    except OverflowError:
        return float('inf')


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
    print(f'epoch {ep+1} sec {t2-t0:.4f} train_ppl {perplexity(tl, tn):.4f} val_ppl {perplexity(vl, vn):.4f}', flush=True)
total = time.perf_counter() - t_all
med_ep = statistics.median(t for t, _ in times)
med_tr = statistics.median(t for _, t in times)
print(f'TOTAL wall {total:.2f} s for {a.epochs} epochs; median epoch {med_ep:.4f} s; '
      f'train tokens/s {a.num_train * T / med_tr:.0f}')
print('final train ppl %.4f val ppl %.4f' % (perplexity(tl, tn), perplexity(vl, vn)))

with torch.no_grad():  # d2l predict: warm up on the prefix, then greedy argmax
    # the prefix read as the text was; a character the text lacks is <unk>
    prefix = [tok2idx.get(c, tok2idx['<unk>']) for c in normalize('it has', a.text)]
    state, out = None, [prefix[0]]
    for i in range(len(prefix) + 20 - 1):
        Yh, state = forward(torch.tensor([[out[-1]]]), state)
        out.append(prefix[i + 1] if i < len(prefix) - 1 else int(Yh.argmax(axis=2).reshape(1)))
print('predict:', repr(''.join(idx_to_token[i] for i in out)))

import resource  # noqa: E402  (rnnlm bench reads this line)
print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
