// Fills the tutorial template with the tour's real commands and output. A line `<<step MODE ID>>`
// becomes the in-cluster command and a console block with the sandbox command and its output;
// `<<output MODE ID>>` only the console block. Output is normalised (normalise-output.ts) so that the
// document is the same on every run.
import type { Mode } from '../../config/registrar-config.js';
import type { StepRecord, TourResult } from '../tour/run-tour.js';
import { normaliseAges, normaliseDescribe, normaliseLogTimes, sortLogLines, uuidMap } from './normalise-output.js';

export type TourResults = Readonly<Record<Mode, TourResult>>;

const MARKER = /^<<(step|output) (webhook|reconcile|crd) ([a-z-]+)>>$/;

export function renderTutorial(template: string, results: TourResults, uuidSeed: number): string {
  const uuids = uuidMap(uuidSeed);
  return template
    .split('\n')
    .map((line) => {
      const m = MARKER.exec(line.trim());
      if (!m) return line;
      const [, kind, mode, id] = m as unknown as [string, 'step' | 'output', Mode, string];
      const step = results[mode].steps.find((s) => s.id === id);
      if (!step) throw new Error(`tutorial template: no step "${id}" in the ${mode} tour`);
      const block = ['```console', `$ ${step.sandbox}`, ...(step.output === '' ? [] : [uuids.map(normaliseStep(step))]), '```'].join('\n');
      return kind === 'step' ? `In a cluster: \`${step.inCluster}\`\n\nIn the sandbox:\n\n${block}` : block;
    })
    .join('\n');
}

function normaliseStep(step: StepRecord): string {
  if (step.id.startsWith('log-')) return sortLogLines(normaliseLogTimes(step.output));
  if (step.id.startsWith('get-') || step.id.startsWith('spiffeids')) return normaliseAges(step.output);
  if (step.id.startsWith('describe-')) return normaliseDescribe(step.output);
  return step.output;
}
