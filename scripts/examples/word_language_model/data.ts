// pytorch/examples word_language_model/data.py: a word-level corpus from train.txt, valid.txt
// and test.txt, each line's whitespace-separated words plus "<eos>", as int64 id tensors.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as torch from "../../../lib/index.js";

export class Dictionary {
  readonly word2idx = new Map<string, number>();
  readonly idx2word: string[] = [];

  addWord(word: string): number {
    if (!this.word2idx.has(word)) {
      this.idx2word.push(word);
      this.word2idx.set(word, this.idx2word.length - 1);
    }
    return this.word2idx.get(word)!;
  }

  get length(): number {
    return this.idx2word.length;
  }
}

/** Python's `for line in open(path)`: lines split at universal newlines, none after a final one. */
function linesOf(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Python's str.split(): runs of whitespace, no empty words. */
const wordsOf = (line: string) => line.split(/\s+/).filter((w) => w !== "");

export class Corpus {
  readonly dictionary = new Dictionary();
  readonly train: torch.Tensor;
  readonly valid: torch.Tensor;
  readonly test: torch.Tensor;

  constructor(dir: string) {
    this.train = this.tokenize(path.join(dir, "train.txt"));
    this.valid = this.tokenize(path.join(dir, "valid.txt"));
    this.test = this.tokenize(path.join(dir, "test.txt"));
  }

  /** Tokenizes a text file. */
  tokenize(file: string): torch.Tensor {
    if (!existsSync(file)) throw new Error(`Corpus: no such file ${file}`);
    const lines = linesOf(readFileSync(file, "utf8"));
    // Add words to the dictionary, then tokenize file content (two passes, as the original).
    for (const line of lines) for (const word of [...wordsOf(line), "<eos>"]) this.dictionary.addWord(word);
    const ids: bigint[] = [];
    for (const line of lines) for (const word of [...wordsOf(line), "<eos>"]) ids.push(BigInt(this.dictionary.word2idx.get(word)!));
    return torch.tensor(BigInt64Array.from(ids));
  }

  dispose(): void {
    for (const t of [this.train, this.valid, this.test]) t.dispose();
  }
}
