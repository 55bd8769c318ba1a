// The rules crd mode checks SpiffeIDs against and the prefix of the entry IDs it creates, built once from
// the configuration: the running mode (webhook and pass) and the read-only `plan` use this same function,
// so `plan` reports what the running registrar would decide.
import { entryIdPrefix } from '../../handlers/spiffeid-reconcile/entry-ownership.js';
import { identityShape } from '../../handlers/spiffeid/template-namespace.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import type { SpiffeIdRules } from '../../handlers/spiffeid/validate-spiffeid.js';
import type { CrdConfig } from '../config/registrar-config.js';

export type CrdRules = SpiffeIdRules & { readonly entryIdPrefix: string };

/** `namespace`: the registrar's own, the only one whose SpiffeIDs may use node selectors. */
export function crdRules(cfg: CrdConfig, namespace: string): CrdRules {
  // The templates were checked when the configuration was loaded; the namespace policy follows the
  // identity template's namespace (handlers/spiffeid/template-namespace.ts).
  const checked = checkCrdTemplates(cfg);
  const identity = checked.ok ? checked.templates.identity : undefined;
  return {
    trustDomain: cfg.trustDomain,
    registrarNamespace: namespace,
    policy: {
      mode: cfg.spiffeidPolicy,
      cluster: cfg.cluster,
      clusterDnsZone: cfg.clusterDnsZone,
      allowedDnsSuffixes: cfg.spiffeidAllowedDnsSuffixes,
      ...(identity ? { identityTemplate: identityShape(identity, cfg.context) } : {}),
    },
    entryIdPrefix: entryIdPrefix(cfg.cluster),
  };
}
