// The deploy/<mode> manifests as `kubectl apply -k` would send them, read without kubectl: the files a
// kustomization lists (recursively), in kustomize's apply order, with its JSON 6902 patches applied. Only
// what deploy/ uses is supported (resources and patches with a target); images do not matter here because
// the sandbox runs no containers.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { applyJsonPatch, type KubeObject } from '../../adapters/kube-fake/index.js';

/** The package root: two levels above this file in the sources (runtime/sandbox/), three in dist/. */
export const REPO_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

/** kustomize's legacy order (api/resid GVK sort): namespaces and CRDs first, webhook configurations last. */
const ORDER_FIRST = ['Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget'];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

type Kustomization = {
  resources?: string[];
  patches?: { path?: string; target?: { kind?: string; name?: string } }[];
};

export type LoadOptions = {
  /** Where `generated/` files come from (gen-certs output); default beside the kustomization. */
  readonly generatedDir?: string;
};

/** Objects of a kustomization directory, or of a single manifest file, in apply order. */
export async function loadManifests(path: string, opts: LoadOptions = {}): Promise<KubeObject[]> {
  const objects = (await stat(path)).isDirectory() ? await loadKustomization(path, opts) : await loadFile(path);
  return sortForApply(objects);
}

async function loadKustomization(dir: string, opts: LoadOptions): Promise<KubeObject[]> {
  const k = parseYaml(await readFile(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const at = (rel: string) => (opts.generatedDir && rel.startsWith('generated/') ? join(opts.generatedDir, rel.slice('generated/'.length)) : join(dir, rel));
  const objects: KubeObject[] = [];
  for (const rel of k.resources ?? []) {
    const p = at(rel);
    objects.push(...((await stat(p)).isDirectory() ? await loadKustomization(p, opts) : await loadFile(p)));
  }
  for (const patch of k.patches ?? []) {
    if (!patch.path || !patch.target) throw new Error(`${dir}/kustomization.yaml: only JSON 6902 patches with a target are supported`);
    const ops: unknown = parseYaml(await readFile(at(patch.path), 'utf8'));
    const { kind, name } = patch.target;
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!;
      if ((kind === undefined || o.kind === kind) && (name === undefined || o.metadata.name === name)) {
        objects[i] = applyJsonPatch(o as never, ops) as unknown as KubeObject;
      }
    }
  }
  return objects;
}

async function loadFile(path: string): Promise<KubeObject[]> {
  const docs = parseAllDocuments(await readFile(path, 'utf8'));
  return docs.map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

function rank(kind: string | undefined): number {
  const first = ORDER_FIRST.indexOf(kind ?? '');
  if (first >= 0) return first;
  const last = ORDER_LAST.indexOf(kind ?? '');
  return last >= 0 ? 1000 + last : 500;
}

/** Stable sort into kustomize's apply order. */
export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o.kind) - rank(b.o.kind) || a.i - b.i).map(({ o }) => o);
}

/** The registrar's HCL configuration inside a deploy ConfigMap named k8s-workload-registrar. */
export function registrarConfigText(objects: readonly KubeObject[]): string {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'k8s-workload-registrar');
  const text = (cm?.['data'] as Record<string, string> | undefined)?.['k8s-workload-registrar.conf'];
  if (text === undefined) throw new Error('no ConfigMap k8s-workload-registrar with k8s-workload-registrar.conf');
  return text;
}

function packageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'deploy'))) return dir;
  return resolve(from, '../..');
}
