import { EMPTY_ROOT, nodeHash } from './hash.js';

/**
 * The right edge of an append-only Merkle tree: the roots of its perfect subtrees, largest first
 * (one per set bit of the size). Appending is O(1) amortised and the root O(log n), so a writer
 * knows its tree head without keeping the leaves.
 */
export class MerkleFrontier {
  private constructor(
    private readonly nodes: Buffer[],
    private count: number,
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier([], 0);
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    let node = leaf;
    // Merge equal-height subtrees, as a binary counter carries.
    for (let carry = this.count; carry & 1; carry >>= 1) node = nodeHash(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.count += 1;
  }

  /** RFC 9162 MTH: the perfect subtrees folded from the right. */
  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let root = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i -= 1) root = nodeHash(this.nodes[i]!, root);
    return root;
  }

  /** Perfect subtrees as [start, end, root], left to right: what a consistency proof needs of the old tree. */
  subtrees(): { lo: number; hi: number; root: Buffer }[] {
    const out: { lo: number; hi: number; root: Buffer }[] = [];
    let lo = 0;
    let bit = 2 ** Math.floor(Math.log2(Math.max(1, this.count)));
    let i = 0;
    for (; bit >= 1; bit /= 2) {
      if (this.count & bit) {
        out.push({ lo, hi: lo + bit, root: this.nodes[i]! });
        lo += bit;
        i += 1;
      }
    }
    return out;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier([...this.nodes], this.count);
  }
}
