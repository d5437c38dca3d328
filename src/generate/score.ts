// How well a model predicts a text: the log-probability of each token given all before it (the state carried
// through the whole text, one stream), as perplexity and bits per token (per character for character models).
// The text is scored in chunks of tokens, the state carried from one to the next, so that memory does not grow
// with the text: a file of any size is scored from its pieces (rnnlm eval), with the same result as one sequence
// up to float32 rounding.
import type { Vocab } from '../data/vocab.js';
import { TokenStream } from '../data/tokenizer.js';
import type { State } from '../models/layer.js';
import type { RNNLMScratch } from '../models/rnn.js';
import { IntTensor } from '../tensor/tensor.js';
import { localEvaluation } from '../models/batch-step.js';

export interface TextScore {
  tokens: number; // tokens scored (all but the first, which has no context)
  logProb: number; // natural log of the probability of the scored tokens, summed
  perplexity: number; // exp(-logProb / tokens)
  bitsPerToken: number; // -log2 probability per token (bits per character for character models)
  unknownShare: number; // share of the text's tokens outside the vocabulary (scored as <unk>)
}

/** Tokens scored per forward pass. */
export const SCORE_CHUNK = 4096;

/** Scores a text given token by token (add), in chunks; finish() gives the score. */
export class TextScorer {
  private readonly ids: Int32Array; // the last scored token, then the chunk's tokens
  private filled = 0; // ids held (the first is the previous chunk's last token)
  private state: State | undefined;
  private nats = 0; // -log P of the scored tokens, summed in float64
  private scored = 0;
  private seen = 0;
  private unknown = 0;

  constructor(private readonly model: RNNLMScratch, private readonly vocab: Vocab, chunk = SCORE_CHUNK) {
    this.ids = new Int32Array(chunk + 1);
  }

  add(token: string): void {
    this.seen++;
    if (!this.vocab.has(token)) this.unknown++;
    this.ids[this.filled++] = this.vocab.index(token);
    if (this.filled === this.ids.length) this.flush();
  }

  /** Scores the held tokens after the first, keeping the last one as the next chunk's first input. */
  private flush(): void {
    const n = this.filled - 1;
    if (n < 1) return;
    const X = new IntTensor(this.ids.slice(0, n), [1, n]);
    const Y = new IntTensor(this.ids.slice(1, n + 1), [1, n]);
    const r = localEvaluation(this.model, [X, Y], this.state);
    this.state = r.state;
    this.nats += r.loss * n;
    this.scored += n;
    this.ids[0] = this.ids[n]!;
    this.filled = 1;
  }

  finish(): TextScore {
    this.flush();
    if (this.scored < 1) throw new Error('the text needs at least two tokens (after reading it as the model\'s text) to be scored');
    const mean = this.nats / this.scored;
    return { tokens: this.scored, logProb: -this.nats, perplexity: Math.exp(mean), bitsPerToken: mean / Math.LN2, unknownShare: this.unknown / this.seen };
  }
}

/** A token stream that scores what it reads: push() pieces of text, then score(). */
export function scoringStream(model: RNNLMScratch, vocab: Vocab, chunk = SCORE_CHUNK): { push: (piece: string) => void; score: () => TextScore } {
  const scorer = new TextScorer(model, vocab, chunk);
  const stream = new TokenStream(vocab.tokenization, (t) => scorer.add(t));
  return { push: (piece) => stream.push(piece), score: () => (stream.end(), scorer.finish()) };
}

/** Scores text (read as the model's training text was) with the model's vocabulary. */
export function scoreText(model: RNNLMScratch, vocab: Vocab, rawText: string, chunk = SCORE_CHUNK): TextScore {
  const s = scoringStream(model, vocab, chunk);
  s.push(rawText);
  return s.score();
}
