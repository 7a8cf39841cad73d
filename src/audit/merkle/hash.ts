import { createHash } from 'node:crypto';

/** RFC 9162 §2.1.1: domain-separated SHA-256, so a leaf can never pass for an interior node. */
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export const leafHash = (data: Uint8Array): Buffer => createHash('sha256').update(LEAF_PREFIX).update(data).digest();
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two strictly smaller than n (n ≥ 2): where RFC 9162 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over already leaf-hashed entries, by the definition (O(hi - lo)). */
export function subtreeRoot(leaves: readonly Buffer[], lo: number, hi: number): Buffer {
  const size = hi - lo;
  if (size === 0) return EMPTY_ROOT;
  if (size === 1) return leaves[lo]!;
  const k = splitPoint(size);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** A source of MTH(D[lo:hi]) for the ranges a proof asks about. */
export type SubtreeRoots = (lo: number, hi: number) => Buffer;

export const rootsOf = (leaves: readonly Buffer[]): SubtreeRoots => (lo, hi) => subtreeRoot(leaves, lo, hi);
