#!/usr/bin/env python3
"""Loads an rnnlm concise checkpoint into torch.nn (the README's "Continuing in PyTorch" snippet, with a check).

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
assert config['concise'] and config['embedding'] == 0, 'a concise model with one-hot inputs'

# --- the README's snippet ---
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
