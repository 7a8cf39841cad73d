/**
 * RFC 9162 Merkle trees: the reference vectors of the certificate-transparency test suite, then
 * property tests against the definition (MTH computed naively here, independent of the code).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProof, leafHash, MerkleFrontier, rangeProof, rootFromRange, rootsOf, verifyConsistency } from '../../src/audit/merkle/index.js';

const hex = (b: Buffer): string => b.toString('hex');
const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

// RFC 6962 test data (certificate-transparency's merkle_tree_test): leaves and the roots of their prefixes.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
];

/** MTH by RFC 9162 §2.1.1, written out again for the oracle (not the code under test). */
function mth(data: Buffer[]): Buffer {
  const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  if (data.length === 0) return sha();
  if (data.length === 1) return sha(Buffer.from([0]), data[0]!);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return sha(Buffer.from([1]), mth(data.slice(0, k)), mth(data.slice(k)));
}

const hashedLeaves = LEAVES.map(leafHash);

describe('Merkle tree heads (RFC 9162)', () => {
  it('reproduces the reference roots of every prefix, incrementally', () => {
    const frontier = MerkleFrontier.empty();
    hashedLeaves.forEach((leaf, i) => {
      frontier.append(leaf);
      expect(hex(frontier.root())).toBe(ROOTS[i]);
      expect(hex(mth(LEAVES.slice(0, i + 1)))).toBe(ROOTS[i]);
    });
  });

  it('produces and accepts the reference consistency proofs', () => {
    for (const [m, n, expected] of CONSISTENCY) {
      const proof = consistencyProof(m, n, rootsOf(hashedLeaves.slice(0, n)));
      expect(proof.map(hex)).toEqual(expected);
      expect(verifyConsistency(m, n, unhex(ROOTS[m - 1]!), unhex(ROOTS[n - 1]!), proof)).toBe(true);
    }
  });

  const tree = fc.integer({ min: 1, max: 70 }).chain((n) =>
    fc.record({
      leaves: fc.array(fc.uint8Array({ minLength: 0, maxLength: 8 }), { minLength: n, maxLength: n }),
      m: fc.integer({ min: 1, max: n }),
      a: fc.integer({ min: 0, max: n - 1 }),
      flip: fc.nat(),
    }),
  );

  it('consistency proofs verify for every prefix, and fail when the old tree was different', () => {
    fc.assert(
      fc.property(tree, ({ leaves, m, flip }) => {
        const data = leaves.map((l) => Buffer.from(l));
        const n = data.length;
        const hashed = data.map(leafHash);
        const proof = consistencyProof(m, n, rootsOf(hashed));
        expect(verifyConsistency(m, n, mth(data.slice(0, m)), mth(data), proof)).toBe(true);
        // Any changed old leaf changes the old root: the proof must no longer connect the heads.
        const changed = [...data];
        const at = flip % m;
        changed[at] = Buffer.concat([changed[at]!, Buffer.from([1])]);
        expect(verifyConsistency(m, n, mth(changed.slice(0, m)), mth(data), proof)).toBe(false);
        if (proof.length > 0) {
          const bad = proof.map((p, i) => (i === flip % proof.length ? leafHash(p) : p));
          expect(verifyConsistency(m, n, mth(data.slice(0, m)), mth(data), bad)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a proof made from the old frontier and the new leaves equals the one made from all leaves', () => {
    fc.assert(
      fc.property(tree, ({ leaves, m }) => {
        const hashed = leaves.map((l) => leafHash(l));
        const old = MerkleFrontier.empty();
        for (const leaf of hashed.slice(0, m)) old.append(leaf);
        const subtrees = old.subtrees();
        const roots = (lo: number, hi: number): Buffer => {
          const known = subtrees.find((s) => s.lo === lo && s.hi === hi);
          if (known) return known.root;
          if (lo < m) throw new Error(`asked for [${lo}, ${hi}) across the old tree`);
          return rootsOf(hashed)(lo, hi);
        };
        expect(consistencyProof(m, hashed.length, roots).map(hex)).toEqual(consistencyProof(m, hashed.length, rootsOf(hashed)).map(hex));
      }),
      { numRuns: 300 },
    );
  });

  it('range proofs rebuild the head from a contiguous run of leaves, and reject any other run', () => {
    fc.assert(
      fc.property(tree, ({ leaves, a, m }) => {
        // Distinct leaves, so "the same leaves at another position" really is another run.
        const data = leaves.map((l, i) => Buffer.concat([Buffer.from([i]), l]));
        const n = data.length;
        const b = Math.min(n, a + 1 + (m % 5));
        const hashed = data.map(leafHash);
        const proof = rangeProof(n, a, b, rootsOf(hashed));
        expect(rootFromRange(n, a, hashed.slice(a, b), proof)?.equals(mth(data))).toBe(true);
        const forged = hashed.slice(a, b).map((h, i) => (i === 0 ? leafHash(h) : h));
        expect(rootFromRange(n, a, forged, proof)?.equals(mth(data)) ?? false).toBe(false);
        if (n > 1 && b - a < n) {
          // The same leaves claimed at another position do not fit the proof.
          const elsewhere = a > 0 ? a - 1 : a + 1;
          if (elsewhere + (b - a) <= n) expect(rootFromRange(n, elsewhere, hashed.slice(a, b), proof)?.equals(mth(data)) ?? false).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
