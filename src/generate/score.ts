// How well a model predicts a text: the log-probability of each character given all before it (the state carried
// through the whole text, one stream), as perplexity and bits per character.
import type { Vocab } from '../data/vocab.js';
import { preprocess, tokenize } from '../data/preprocess.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { noGrad } from '../tensor/autograd.js';
import { IntTensor } from '../tensor/tensor.js';

export interface TextScore {
  chars: number; // characters scored (all but the first, which has no context)
  logProb: number; // natural log of the probability of the scored characters, summed
  perplexity: number; // exp(-logProb / chars)
  bitsPerChar: number; // -log2 probability per character
  unknownShare: number; // share of the text's characters outside the vocabulary (scored as <unk>)
}

/** Scores text (preprocessed as the model's training text was) with the model's vocabulary. */
export function scoreText(model: RNNLMScratch, vocab: Vocab, rawText: string): TextScore {
  const tokens = tokenize(preprocess(rawText));
  if (tokens.length < 2) throw new Error('the text needs at least two characters (after keeping only letters and spaces) to be scored');
  const ids = vocab.indices(tokens);
  const unknown = tokens.filter((t) => !vocab.has(t)).length;
  const n = ids.length - 1;
  const X = new IntTensor(ids.subarray(0, n), [1, n]);
  const Y = new IntTensor(ids.subarray(1), [1, n]);
  const meanNats = noGrad(() => model.batchLoss([X, Y]).loss.item());
  return {
    chars: n,
    logProb: -meanNats * n,
    perplexity: Math.exp(meanNats),
    bitsPerChar: meanNats / Math.LN2,
    unknownShare: unknown / tokens.length,
  };
}
