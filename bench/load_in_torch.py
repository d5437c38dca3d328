#!/usr/bin/env python3
"""Loads an rnnlm checkpoint into torch.nn (docs/library.md's "Continuing in PyTorch" snippet, with a check).

A concise checkpoint's rnn.* tensors are a torch.nn state dict as they are. A scratch checkpoint (the book's W_xh,
W_hh, b_h, ..., W_hq, b_q) maps onto the same modules: each W_x? / W_h? is the transpose of a block of torch's
weight_ih / weight_hh (the book multiplies X W, torch W x), the book's one bias per gate is bias_ih (bias_hh is
zero), and the LSTM's gates go from the book's order (i, f, o, c) to torch's (i, f, g, o; g is the book's c, the
input node). The book's GRU applies its reset gate before the product ((R * H) W_hh), torch.nn.GRU after it
(r * (W_hn h + b_hn)): a scratch GRU has no torch.nn equivalent and is refused here.

Reads the safetensors file by hand (8-byte little-endian header length, JSON header, raw little-endian F32), builds
torch.nn.RNN/GRU/LSTM and nn.Linear from its configuration, loads the tensors with load_state_dict, and prints the
validation perplexity of the book's split (D2L's TimeMachine windows) computed in PyTorch:
  /usr/bin/python3 load_in_torch.py MODEL.safetensors TEXT_FILE
prints 'torch val ppl X'. test/torch-interop.test.ts compares it with the perplexity rnnlm reported for the model.
"""
import json, math, re, struct, sys
import torch
import torch.nn.functional as F

path, text_path = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
base = 8 + n
sd = {}
for name, t in header.items():
    lo, hi = t['data_offsets']
    sd[name] = torch.frombuffer(bytearray(raw[base + lo:base + hi]), dtype=torch.float32).reshape(t['shape'])
config, vocab = json.loads(meta['config']), json.loads(meta['vocab'])
assert config['embedding'] == 0, 'a model with one-hot inputs'

# --- docs/library.md's snippet ---
def scratch_to_torch(sd, config):
    """A scratch checkpoint's tensors under torch.nn's names (rnn.weight_ih_l0, ..., linear.weight)."""
    gates = {'rnn': ['h'], 'lstm': ['i', 'f', 'c', 'o']}.get(config['cell'])  # torch's gate order, in the book's letters
    assert gates, "the book's GRU resets before the product; torch.nn.GRU after it: no torch.nn equivalent"
    out = {}
    for k in range(config['numLayers']):
        p = f'l{k}.' if config['numLayers'] > 1 else ''
        out[f'rnn.weight_ih_l{k}'] = torch.cat([sd[f'{p}W_x{g}'] for g in gates], dim=1).T.contiguous()  # (G*H, I)
        out[f'rnn.weight_hh_l{k}'] = torch.cat([sd[f'{p}W_h{g}'] for g in gates], dim=1).T.contiguous()  # (G*H, H)
        out[f'rnn.bias_ih_l{k}'] = torch.cat([sd[f'{p}b_{g}'] for g in gates])
        out[f'rnn.bias_hh_l{k}'] = torch.zeros_like(out[f'rnn.bias_ih_l{k}'])
    out['linear.weight'], out['linear.bias'] = sd['W_hq'].T.contiguous(), sd['b_q']  # (V, H), (V,)
    return out

if not config['concise']:
    sd = scratch_to_torch(sd, config)
cls = {'rnn': torch.nn.RNN, 'gru': torch.nn.GRU, 'lstm': torch.nn.LSTM}[config['cell']]
kwargs = {'nonlinearity': config['activation']} if config['cell'] == 'rnn' else {}
rnn = cls(len(vocab), config['numHiddens'], num_layers=config['numLayers'], **kwargs)
rnn.load_state_dict({k[len('rnn.'):]: v for k, v in sd.items() if k.startswith('rnn.')})
linear = torch.nn.Linear(config['numHiddens'], len(vocab))
linear.load_state_dict({'weight': sd['linear.weight'], 'bias': sd['linear.bias']})
# ---

# D2L's TimeMachine: letters only, lower case; windows corpus[i:i+T+1]; validation = windows numTrain..numTrain+numVal
text = re.sub('[^A-Za-z]+', ' ', open(text_path, encoding='utf-8').read()).lower()
tok2idx = {t: i for i, t in enumerate(vocab)}
unk = tok2idx['<unk>']
corpus = [tok2idx.get(c, unk) for c in text]
T, lo, hi = config['numSteps'], config['numTrain'], config['numTrain'] + config['numVal']
windows = torch.tensor([corpus[i:i + T + 1] for i in range(lo, hi)])
X, Y = windows[:, :-1], windows[:, 1:]
total, count = 0.0, 0
with torch.no_grad():
    for b in range(0, len(X), 1024):
        xb, yb = X[b:b + 1024], Y[b:b + 1024]
        outs, _ = rnn(F.one_hot(xb.T, len(vocab)).float())  # (T, B, H)
        logits = linear(outs).swapaxes(0, 1)  # (B, T, V)
        total += float(F.cross_entropy(logits.reshape(-1, len(vocab)), yb.reshape(-1), reduction='sum'))
        count += yb.numel()
print(f'torch val ppl {math.exp(total / count):.6f}')
