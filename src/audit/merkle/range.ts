import { nodeHash, splitPoint, type SubtreeRoots } from './hash.js';

/**
 * A proof that the contiguous leaves [a, b) sit at those positions of the tree of size n: the roots
 * of every maximal subtree outside the range, in left-to-right order of the RFC 9162 split. With the
 * range's own leaves it recomputes the tree head (an inclusion proof is the case b = a + 1).
 */
export function rangeProof(n: number, a: number, b: number, roots: SubtreeRoots): Buffer[] {
  if (!(0 <= a && a < b && b <= n)) throw new RangeError(`no range [${a}, ${b}) in a tree of ${n}`);
  const proof: Buffer[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= a || lo >= b) {
      proof.push(roots(lo, hi));
      return;
    }
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    walk(lo, lo + k);
    walk(lo + k, hi);
  };
  walk(0, n);
  return proof;
}

/** The tree head that `leaves` (the range [a, a + leaves.length)) and `proof` imply, or null when they do not fit. */
export function rootFromRange(n: number, a: number, leaves: readonly Buffer[], proof: readonly Buffer[]): Buffer | null {
  const b = a + leaves.length;
  if (!(0 <= a && a < b && b <= n)) return null;
  let next = 0;
  const walk = (lo: number, hi: number): Buffer | null => {
    if (hi <= a || lo >= b) return proof[next++] ?? null;
    if (hi - lo === 1) return leaves[lo - a]!;
    const k = splitPoint(hi - lo);
    const left = walk(lo, lo + k);
    const right = left && walk(lo + k, hi);
    return left && right ? nodeHash(left, right) : null;
  };
  const root = walk(0, n);
  return root && next === proof.length ? root : null;
}
