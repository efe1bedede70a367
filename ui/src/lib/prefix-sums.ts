// Sums of a growing list of numbers, any prefix of them in O(log n): a
// Fenwick tree. A long list keeps its items' heights in one, so the space
// above and below the rendered slice costs the same for 50 items as for
// 50,000 (a profile of scrolling the 50,000-article library had half of the
// page's main thread adding up heights one item at a time).

export class PrefixSums {
  // 1-based: tree[i] holds the sum of values (i - lowbit(i), i].
  #tree = new Float64Array(64);
  #values = new Float64Array(64);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The value at `index` (0-based), or 0 past the end. */
  at(index: number): number {
    return index >= 0 && index < this.#length ? (this.#values[index] ?? 0) : 0;
  }

  /** Appends a value. */
  push(value: number): void {
    const i = this.#length + 1;
    if (i >= this.#tree.length) this.#grow();
    this.#values[i - 1] = value;
    // Sum of (i - lowbit(i), i - 1], walked down by lowest bits.
    let sum = value;
    const low = i - (i & -i);
    for (let j = i - 1; j > low; j -= j & -j) sum += this.#tree[j] ?? 0;
    this.#tree[i] = sum;
    this.#length = i;
  }

  /** Keeps only the first `length` values. Nodes up to an index cover only
   * values up to it, so what stays is still a whole tree. */
  truncate(length: number): void {
    this.#length = Math.max(0, Math.min(length, this.#length));
  }

  /** Changes the value at `index` (0-based); ignored past the end. */
  set(index: number, value: number): void {
    if (index < 0 || index >= this.#length) return;
    const change = value - (this.#values[index] ?? 0);
    if (change === 0) return;
    this.#values[index] = value;
    for (let j = index + 1; j <= this.#length; j += j & -j) this.#tree[j] = (this.#tree[j] ?? 0) + change;
  }

  /** The sum of the first `count` values. */
  before(count: number): number {
    let sum = 0;
    for (let j = Math.min(count, this.#length); j > 0; j -= j & -j) sum += this.#tree[j] ?? 0;
    return sum;
  }

  /** The sum of every value. */
  total(): number {
    return this.before(this.#length);
  }

  #grow(): void {
    const size = this.#tree.length * 2;
    const tree = new Float64Array(size);
    tree.set(this.#tree);
    const values = new Float64Array(size);
    values.set(this.#values);
    this.#tree = tree;
    this.#values = values;
  }
}
