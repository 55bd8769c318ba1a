// The Event's reportingInstance: the registrar's pod name. POD_NAME when the Deployment passes it through
// the downward API, else the hostname (a pod's hostname is its name).
import { hostname } from 'node:os';

export function reportingInstance(env: NodeJS.ProcessEnv = process.env): string {
  return env['POD_NAME'] || hostname();
}
