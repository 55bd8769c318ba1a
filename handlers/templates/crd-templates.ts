import { makeSpiffeId } from '../entries/spiffe-id.js';
import { dnsNameError } from '../entries/dns-name.js';
import { contextKeys, parseTemplate, renderTemplate, type Template, type TemplateData } from './go-template.js';

// Start-up checks of crd mode's identity_template and dns_name_templates, with the original's rules and
// messages: a template may reference the context only when one is configured; the identity template,
// rendered for a placeholder pod, must make a valid SPIFFE ID path; each DNS template must render a
// valid DNS name. Ref: spiffe/spire history, mode-crd config (ParseConfig) and pod_controller.go
// (parseTemplates, validateTemplates: placeholder pod "xx", UID "123", trust domain "testdomain").

export const DEFAULT_IDENTITY_TEMPLATE = 'ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}';
export const DEFAULT_DNS_NAME_TEMPLATE = '{{.Pod.Name}}';

export type CrdTemplateConfig = {
  readonly identityTemplate?: string;
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly context: Readonly<Record<string, string>>;
  readonly dnsNameTemplates: readonly string[];
};

export type CrdTemplates = {
  /** Set when pod SPIFFE IDs come from a template (identity_template, or the default when no label/annotation). */
  readonly identity?: Template;
  readonly dnsNames: readonly Template[];
};

export type CheckedTemplates = { readonly ok: true; readonly templates: CrdTemplates } | { readonly ok: false; readonly error: string };

const placeholderPod: TemplateData['pod'] = {
  Name: 'xx',
  UID: '123',
  Namespace: 'xx',
  ServiceAccount: 'xx',
  Hostname: 'xx',
  NodeName: 'xx',
};

export function checkCrdTemplates(cfg: CrdTemplateConfig): CheckedTemplates {
  const hasContext = Object.keys(cfg.context).length > 0;
  const data: TemplateData = { pod: placeholderPod, context: cfg.context };

  let identity: Template | undefined;
  const identitySource = cfg.identityTemplate || (cfg.podLabel || cfg.podAnnotation ? undefined : DEFAULT_IDENTITY_TEMPLATE);
  if (identitySource !== undefined) {
    if (identitySource.startsWith('spiffe://') || identitySource.startsWith('/')) {
      return { ok: false, error: 'validating identity template: identity_template cannot start with spiffe:// or /' };
    }
    const parsed = parseTemplate('identity_template', identitySource);
    if (!parsed.ok) return { ok: false, error: `${templateStep(parsed.error, 'identity template')}: ${parsed.error}` };
    const contextError = missingContext('identity_template', parsed.template, hasContext, cfg.context);
    if (contextError) return { ok: false, error: hasContext ? `validating identity template: ${contextError}` : contextError };
    const id = makeSpiffeId('testdomain', renderTemplate(parsed.template, data));
    if (!id.ok) return { ok: false, error: `validating identity template: ${id.error}` };
    identity = parsed.template;
  }

  const dnsNames: Template[] = [];
  for (const [i, source] of cfg.dnsNameTemplates.entries()) {
    // The original removed every space from DNS templates before parsing them.
    const parsed = parseTemplate(`dns_name_templates[${i}]`, source.replaceAll(' ', ''));
    if (!parsed.ok) return { ok: false, error: `${templateStep(parsed.error, 'the dns name template')}: ${parsed.error}` };
    const contextError = missingContext('dns_name_template', parsed.template, hasContext, cfg.context);
    if (contextError) return { ok: false, error: hasContext ? `validating the dns name template: ${contextError}` : contextError };
    const err = dnsNameError(renderTemplate(parsed.template, data));
    if (err) return { ok: false, error: `validating the dns name template ${JSON.stringify(source)}: ${err}` };
    dnsNames.push(parsed.template);
  }
  return { ok: true, templates: { ...(identity ? { identity } : {}), dnsNames } };
}

function missingContext(
  what: 'identity_template' | 'dns_name_template',
  t: Template,
  hasContext: boolean,
  context: Readonly<Record<string, string>>,
): string | undefined {
  const keys = contextKeys(t);
  if (keys.length === 0) return undefined;
  if (!hasContext) return `${what} references non-existing context`;
  // Go would have rendered "<no value>" for a missing map key; that is never a wanted identity.
  const missing = keys.find((k) => !Object.hasOwn(context, k));
  return missing === undefined ? undefined : `${what} references non-existing context key ${JSON.stringify(missing)}`;
}

/**
 * The original's leading words for each failure (pod_controller.go parseTemplates/validateTemplates):
 * Go reports a reference to a field the data lacks when executing the template, anything else when parsing.
 */
function templateStep(error: string, what: 'identity template' | 'the dns name template'): string {
  return error.includes("can't evaluate field") ? `executing ${what}` : `parsing ${what}`;
}
