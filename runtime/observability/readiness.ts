// Readiness as a set of named checks that components register (informers: "caches synced"; leader
// election: "leadership known"). /readyz is ready when every registered check passes, and reports which
// do not.

export type ReadinessReport = { readonly ready: boolean; readonly failing: readonly string[] };

export interface Readiness {
  /** Adds (or replaces) the check `name`; returns a function that removes it. */
  register(name: string, check: () => boolean): () => void;
  /** A check backed by a flag the caller flips; starts not ready. */
  flag(name: string): { set(ok: boolean): void };
  report(): ReadinessReport;
}

export function createReadiness(): Readiness {
  const checks = new Map<string, () => boolean>();
  const register = (name: string, check: () => boolean) => {
    checks.set(name, check);
    return () => {
      if (checks.get(name) === check) checks.delete(name);
    };
  };
  return {
    register,
    flag(name) {
      let ok = false;
      register(name, () => ok);
      return {
        set(value: boolean) {
          ok = value;
        },
      };
    },
    report() {
      const failing: string[] = [];
      for (const [name, check] of checks) {
        let ok = false;
        try {
          ok = check();
        } catch {
          ok = false;
        }
        if (!ok) failing.push(name);
      }
      failing.sort();
      return { ready: failing.length === 0, failing };
    },
  };
}
