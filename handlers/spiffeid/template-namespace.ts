import type { PodField, Template } from '../templates/go-template.js';

// Crd mode's identity_template decides where a pod's namespace sits in its SPIFFE ID. The namespace
// policy's `ns/<namespace>/` rule covers the default template (`ns/{{.Pod.Namespace}}/sa/...`), not one
// like `{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}` or `{{.Context.Cluster}}/ns/{{.Pod.Namespace}}/...`:
// there a namespace user's hand-made SpiffeID could claim `payments/api`, the identity the registrar
// gives namespace payments' pods, with selectors of its own namespace, and SPIRE would issue it to that
// namespace's workloads. So an ID the template can make is allowed only when a pod of the SpiffeID's own
// namespace could get it: some way of reading it with that namespace in the template's namespace places.

/** An identity template with its context values filled in (they are fixed for the process). */
export type IdentityShape = {
  readonly source: string;
  readonly parts: readonly ({ readonly text: string } | { readonly pod: PodField })[];
};

export function identityShape(t: Template, context: Readonly<Record<string, string>>): IdentityShape {
  return {
    source: t.source,
    parts: t.parts.map((p) => (p.kind === 'text' ? { text: p.text } : p.kind === 'context' ? { text: context[p.key] ?? '' } : { pod: p.field })),
  };
}

/**
 * True when `path` (a SPIFFE ID's path, leading `/`) has the template's form with something other than
 * `namespace` where the template puts the namespace, and no reading of it gives `namespace` there. (Two
 * namespace places holding different names count as another namespace's: no pod gets that ID, and no
 * namespace may claim it.) A template without the namespace gives every namespace the same IDs, so it
 * never answers true.
 */
export function isOtherNamespacesIdentity(path: string, shape: IdentityShape, namespace: string): boolean {
  if (!shape.parts.some((p) => 'pod' in p && p.pod === 'Namespace')) return false;
  const rendered = path.startsWith('/') ? path.slice(1) : path;
  return matches(rendered, tokens(shape, undefined)) && !matches(rendered, tokens(shape, namespace));
}

// A pod field is a Kubernetes name: it never holds `/`, so it stays within one path segment, and its
// length is bounded (a namespace 63, other names 253).
type Token = { readonly text: string } | { readonly min: number; readonly max: number };

/** The template as tokens; the namespace is `namespace` when given, else any name. */
function tokens(shape: IdentityShape, namespace: string | undefined): Token[] {
  return shape.parts.map((p) => {
    if ('text' in p) return p;
    if (p.pod !== 'Namespace') return { min: 0, max: 253 };
    return namespace === undefined ? { min: 1, max: 63 } : { text: namespace };
  });
}

const NAME_CHAR = /[A-Za-z0-9._-]/;

/**
 * Whether `s` is exactly the tokens in order. Tracks every position the tokens read so far can end at,
 * so the cost is the path's length times the number of tokens, whatever the input (no backtracking:
 * the path comes from a user).
 */
function matches(s: string, toks: readonly Token[]): boolean {
  const n = s.length;
  // run[i]: how many name characters follow position i.
  const run = new Int32Array(n + 1);
  for (let i = n - 1; i >= 0; i--) run[i] = NAME_CHAR.test(s.charAt(i)) ? (run[i + 1] ?? 0) + 1 : 0;
  let at = new Uint8Array(n + 1);
  at[0] = 1;
  for (const t of toks) {
    const next = new Uint8Array(n + 1);
    if ('text' in t) {
      for (let i = 0; i + t.text.length <= n; i++) if (at[i] && s.startsWith(t.text, i)) next[i + t.text.length] = 1;
    } else {
      // Each reachable i opens the range [i + min, i + min(max, run[i])]; one sweep adds the ranges up.
      const opened = new Int32Array(n + 2);
      for (let i = 0; i <= n; i++) {
        const last = i + Math.min(t.max, run[i] ?? 0);
        if (!at[i] || i + t.min > last) continue;
        opened[i + t.min] = (opened[i + t.min] ?? 0) + 1;
        opened[last + 1] = (opened[last + 1] ?? 0) - 1;
      }
      let open = 0;
      for (let i = 0; i <= n; i++) {
        open += opened[i] ?? 0;
        if (open > 0) next[i] = 1;
      }
    }
    at = next;
  }
  return at[n] === 1;
}
