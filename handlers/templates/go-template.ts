// The subset of Go text/template that the original registrar's users write in identity_template and
// dns_name_templates: literal text plus `{{.Pod.<Field>}}` and `{{.Context.<key>}}` actions, with
// optional spaces inside the braces. Everything else Go would accept (pipelines, functions, trim
// markers, comments, range/if) is refused with the template's name and the 1-based character
// position of the action, so an unsupported template fails at start-up instead of yielding a wrong ID.
// Ref: spiffe/spire history, mode-crd/controllers/pod_controller.go (PodInfo fields, IdentityMaps).

export const podFields = ['Name', 'UID', 'Namespace', 'ServiceAccount', 'Hostname', 'NodeName'] as const;
export type PodField = (typeof podFields)[number];

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'pod'; readonly field: PodField }
  | { readonly kind: 'context'; readonly key: string };

export type Template = { readonly name: string; readonly source: string; readonly parts: readonly TemplatePart[] };

export type TemplateData = {
  readonly pod: Readonly<Record<PodField, string>>;
  readonly context: Readonly<Record<string, string>>;
};

export type ParsedTemplate = { readonly ok: true; readonly template: Template } | { readonly ok: false; readonly error: string };

const POD_ACTION = /^\.Pod\.([A-Za-z_][A-Za-z0-9_]*)$/;
const CONTEXT_ACTION = /^\.Context\.([A-Za-z_][A-Za-z0-9_]*)$/;
const FIELD_CHAIN = /^\.([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function parseTemplate(name: string, source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      parts.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: source.slice(i, open) });
    const at = `${name}: position ${open + 1}`;
    const close = source.indexOf('}}', open + 2);
    if (close === -1) return { ok: false, error: `${at}: unclosed action` };
    const raw = source.slice(open, close + 2);
    const body = source.slice(open + 2, close).trim();
    const pod = POD_ACTION.exec(body);
    const ctx = CONTEXT_ACTION.exec(body);
    const top = FIELD_CHAIN.exec(body);
    if (pod) {
      const field = pod[1] as string;
      if (!(podFields as readonly string[]).includes(field)) {
        return { ok: false, error: `${at}: can't evaluate field ${field} in ${raw} (pod fields: ${podFields.join(', ')})` };
      }
      parts.push({ kind: 'pod', field: field as PodField });
    } else if (ctx) {
      parts.push({ kind: 'context', key: ctx[1] as string });
    } else if (top && top[1] !== 'Pod' && top[1] !== 'Context') {
      // Go's words for a field the data does not have (its data has only .Pod and .Context).
      return { ok: false, error: `${at}: can't evaluate field ${top[1]} in ${raw} (only .Pod and .Context are defined)` };
    } else {
      return {
        ok: false,
        error: `${at}: unsupported action ${raw} (only {{.Pod.<Field>}} and {{.Context.<key>}} are supported)`,
      };
    }
    i = close + 2;
  }
  return { ok: true, template: { name, source, parts } };
}

/** Context keys the template reads, in order of first use. */
export function contextKeys(t: Template): string[] {
  const keys: string[] = [];
  for (const p of t.parts) if (p.kind === 'context' && !keys.includes(p.key)) keys.push(p.key);
  return keys;
}

/** Renders a template whose context keys were checked at start-up (see crd-templates.ts). */
export function renderTemplate(t: Template, data: TemplateData): string {
  return t.parts
    .map((p) => (p.kind === 'text' ? p.text : p.kind === 'pod' ? data.pod[p.field] : (data.context[p.key] ?? '')))
    .join('');
}
