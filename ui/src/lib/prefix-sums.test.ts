import { describe, expect, it } from 'vitest';
import { PrefixSums } from './prefix-sums';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('PrefixSums', () => {
  it('agrees with adding up one by one through pushes, changes and truncations', () => {
    const next = random(7);
    const sums = new PrefixSums();
    const plain: number[] = [];
    for (let step = 0; step < 5_000; step++) {
      const roll = next();
      if (roll < 0.6 || plain.length === 0) {
        const value = Math.floor(next() * 300);
        sums.push(value);
        plain.push(value);
      } else if (roll < 0.9) {
        const index = Math.floor(next() * plain.length);
        const value = Math.floor(next() * 300);
        sums.set(index, value);
        plain[index] = value;
      } else {
        const length = Math.floor(next() * plain.length);
        sums.truncate(length);
        plain.length = length;
      }
      const count = Math.floor(next() * (plain.length + 1));
      expect(sums.before(count)).toBe(plain.slice(0, count).reduce((a, b) => a + b, 0));
      expect(sums.length).toBe(plain.length);
    }
    expect(sums.total()).toBe(plain.reduce((a, b) => a + b, 0));
  });

  it('ignores what is past its end', () => {
    const sums = new PrefixSums();
    sums.push(5);
    sums.set(3, 100);
    expect(sums.before(10)).toBe(5);
    expect(sums.at(1)).toBe(0);
    sums.truncate(7);
    expect(sums.length).toBe(1);
  });
});
