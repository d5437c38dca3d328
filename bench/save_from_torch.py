#!/usr/bin/env python3
"""Saves a PyTorch language model as `rnnlm import` reads it (the other direction of load_in_torch.py).

Here the model comes from an rnnlm concise checkpoint, loaded into torch.nn modules with load_state_dict, so that a
test can go rnnlm -> PyTorch -> rnnlm and compare scores; a model trained in PyTorch is saved by the same lines (the
part between the markers):
  /usr/bin/python3 save_from_torch.py MODEL.safetensors OUT.safetensors OUT_VOCAB.json
Writes safetensors by hand (8-byte little-endian header length, JSON header, raw little-endian F32), so that it needs
only torch; with the safetensors package, safetensors.torch.save_file(state, path) writes the same file.
"""
import json, struct, sys
import torch

src, out, vocab_out = sys.argv[1], sys.argv[2], sys.argv[3]
raw = open(src, 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
sd = {}
for name, t in header.items():
    lo, hi = t['data_offsets']
    sd[name] = torch.frombuffer(bytearray(raw[8 + n + lo:8 + n + hi]), dtype=torch.float32).reshape(t['shape'])
config, vocab = json.loads(meta['config']), json.loads(meta['vocab'])
assert config['concise'], 'a concise (torch.nn layout) model'
V, H, E = len(vocab), config['numHiddens'], config['embedding']
cls = {'rnn': torch.nn.RNN, 'gru': torch.nn.GRU, 'lstm': torch.nn.LSTM}[config['cell']]
kwargs = {'nonlinearity': config['activation']} if config['cell'] == 'rnn' else {}
rnn = cls(E or V, H, num_layers=config['numLayers'], **kwargs)
rnn.load_state_dict({k[len('rnn.'):]: v for k, v in sd.items() if k.startswith('rnn.')})
linear = torch.nn.Linear(H, V)
linear.load_state_dict({'weight': sd['linear.weight'], 'bias': sd['linear.bias']})
embedding = None
if E:
    embedding = torch.nn.Embedding(V, E)
    embedding.load_state_dict({'weight': sd['embedding']})

# --- what a PyTorch user writes: the modules' state_dicts under rnn., linear. and embedding., and the vocabulary ---
state = {**{'rnn.' + k: v for k, v in rnn.state_dict().items()}, **{'linear.' + k: v for k, v in linear.state_dict().items()}}
if embedding is not None:
    state['embedding.weight'] = embedding.weight
json.dump({'vocab': vocab, 'text': config['text'], 'tokens': config['tokens']}, open(vocab_out, 'w'))
# ---

entries, blobs, offset = {}, [], 0
for name, t in state.items():
    data = t.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes()
    entries[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
head = json.dumps(entries).encode()
head += b' ' * (-len(head) % 8)
with open(out, 'wb') as f:
    f.write(struct.pack('<Q', len(head)) + head + b''.join(blobs))
print(f'wrote {out} ({len(state)} tensors) and {vocab_out}')
