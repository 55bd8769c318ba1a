import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplate, renderTemplate, type TemplateData } from './go-template.js';

const data: TemplateData = {
  pod: { Name: 'web-0', UID: 'u-1', Namespace: 'default', ServiceAccount: 'web', Hostname: 'h', NodeName: 'n1' },
  context: { Region: 'US-NORTH' },
};

function render(source: string): string {
  const parsed = parseTemplate('t', source);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return renderTemplate(parsed.template, data);
}

const renders: [string, string][] = [
  ['ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}', 'ns/default/sa/web'],
  ['{{.Pod.Name}}', 'web-0'],
  ['{{ .Pod.UID }}/{{.Pod.Hostname}}/{{  .Pod.NodeName}}', 'u-1/h/n1'],
  ['region/{{.Context.Region}}/{{ .Context.Region }}', 'region/US-NORTH/US-NORTH'],
  ['no actions at all', 'no actions at all'],
  ['', ''],
  ['stray }} is text', 'stray }} is text'],
];
for (const [source, want] of renders) {
  test(`renders ${JSON.stringify(source)}`, () => assert.equal(render(source), want));
}

const refused: [string, RegExp][] = [
  ['ns/{{.Pod.Labels}}', /^t: position 4: can't evaluate field Labels in \{\{\.Pod\.Labels\}\}/],
  ['{{.Pod.Name | upper}}', /^t: position 1: unsupported action/],
  ['a{{- .Pod.Name -}}', /^t: position 2: unsupported action/],
  ['{{/* c */}}', /unsupported action/],
  ['{{if .Pod.Name}}x{{end}}', /unsupported action/],
  ['{{.Spec.X}}', /^t: position 1: can't evaluate field Spec in \{\{\.Spec\.X\}\} \(only \.Pod and \.Context are defined\)$/],
  ['x/{{.Pod.Name', /^t: position 3: unclosed action$/],
];
for (const [source, error] of refused) {
  test(`refuses ${JSON.stringify(source)} naming template and position`, () => {
    const parsed = parseTemplate('t', source);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.error, error);
  });
}
