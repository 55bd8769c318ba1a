// @peculiar/x509 registers its algorithm providers through tsyringe, which refuses to load unless a
// Reflect metadata API exists (its README requires a polyfill such as `reflect-metadata`). tsyringe only
// calls getMetadata, getOwnMetadata and defineMetadata, so this file supplies exactly those three over a
// WeakMap instead of adding a dependency. Imported by webcrypto.ts before @peculiar/x509.
type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
};

const R = Reflect as MetadataReflect;

if (typeof R.getMetadata !== 'function') {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  R.defineMetadata = (key, value, target) => {
    let own = store.get(target);
    if (!own) store.set(target, (own = new Map()));
    own.set(key, value);
  };
  R.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  R.getMetadata = (key, target) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const own = store.get(t);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
}

export {};
