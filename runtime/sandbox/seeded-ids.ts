// Names and IDs the sandbox makes up: node and object UIDs, pod name suffixes, SPIRE entry IDs. With a
// seed the sequence is the same on every run, which keeps the tour's output (and docs/tutorial.md)
// stable; without one it starts from a random seed, like a real cluster.

/** The alphabet Kubernetes uses for generated name suffixes (apimachinery util/rand: no vowels, no 0/1/3). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export type IdSource = {
  /** A version 4 UUID. */
  uuid(): string;
  /** `length` characters of the generated-name alphabet. */
  suffix(length?: number): string;
};

export function createIdSource(seed: number = Math.floor(Math.random() * 2 ** 32)): IdSource {
  let state = seed >>> 0;
  // mulberry32: a tiny, well-mixed 32-bit PRNG; not for secrets, only for names.
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  return {
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`,
    suffix: (length = 5) => Array.from({ length }, () => SUFFIX_ALPHABET[Math.floor(next() * SUFFIX_ALPHABET.length)]).join(''),
  };
}
