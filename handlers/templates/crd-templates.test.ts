import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCrdTemplates, type CrdTemplateConfig } from './crd-templates.js';

const base: CrdTemplateConfig = { context: {}, dnsNameTemplates: ['{{.Pod.Name}}'] };
const error = (cfg: Partial<CrdTemplateConfig>) => {
  const r = checkCrdTemplates({ ...base, ...cfg });
  return r.ok ? undefined : r.error;
};

test('without label, annotation or template the default identity template is used', () => {
  const r = checkCrdTemplates(base);
  assert.ok(r.ok);
  assert.equal(r.templates.identity?.source, 'ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}');
});

test('pod_annotation mode has no identity template', () => {
  const r = checkCrdTemplates({ ...base, podAnnotation: 'spiffe.io/spiffe-id' });
  assert.ok(r.ok);
  assert.equal(r.templates.identity, undefined);
});

test('a template using the configured context is accepted', () => {
  assert.equal(error({ identityTemplate: 'region/{{.Context.Region}}/ns/{{.Pod.Namespace}}', context: { Region: 'US-NORTH' } }), undefined);
});

const cases: [string, Partial<CrdTemplateConfig>, string | RegExp][] = [
  ['identity template referencing context without one', { identityTemplate: 'region/{{ .Context.region}}' }, 'identity_template references non-existing context'],
  ['identity template referencing a missing context key', { identityTemplate: 'r/{{.Context.zone}}', context: { Region: 'x' } }, 'validating identity template: identity_template references non-existing context key "zone"'],
  ['DNS template referencing context without one', { dnsNameTemplates: ['{{.Context.x}}.svc'] }, 'dns_name_template references non-existing context'],
  ['identity template starting with spiffe://', { identityTemplate: 'spiffe://example.org/x' }, 'validating identity template: identity_template cannot start with spiffe:// or /'],
  ['identity template starting with /', { identityTemplate: '/ns/{{.Pod.Namespace}}' }, 'validating identity template: identity_template cannot start with spiffe:// or /'],
  ['identity template making an invalid path', { identityTemplate: 'ns//{{.Pod.Name}}' }, /^validating identity template: path cannot contain empty segments/],
  ['identity template with an unsupported action', { identityTemplate: 'ns/{{.Pod.Labels.app}}' }, /^parsing identity template: identity_template: position 4: unsupported action/],
  ['DNS template making an invalid name', { dnsNameTemplates: ['{{.Pod.Name}}..svc'] }, /^validating the dns name template "\{\{\.Pod\.Name\}\}\.\.svc"/],
  ['DNS template with an unsupported action', { dnsNameTemplates: ['ok', '{{.Pod.Name|x}}'] }, /^parsing the dns name template: dns_name_templates\[1\]: position 1: unsupported action/],
];
for (const [name, cfg, want] of cases) {
  test(`start-up check refuses: ${name}`, () => {
    const got = error(cfg) ?? '';
    if (typeof want === 'string') assert.equal(got, want);
    else assert.match(got, want);
  });
}

test('spaces inside DNS templates are removed, as the original did', () => {
  const r = checkCrdTemplates({ ...base, dnsNameTemplates: ['{{ .Pod.Name }}.{{ .Pod.Namespace }}.svc'] });
  assert.ok(r.ok);
  assert.equal(r.templates.dnsNames[0]?.source, '{{.Pod.Name}}.{{.Pod.Namespace}}.svc');
});
