// The parts of @kubernetes/client-node the registrar uses, imported from here only. The package's index
// loads its whole generated API (every model and every API group: ~30 MB of live heap, ~70 MiB of RSS, of
// which the registrar uses a few classes), and its KubeConfig module imports that index too. So the build
// (scripts/build-dist.js) bundles this one module with esbuild, tree-shaken, into dist/: the binary loads
// ~2 MB of the client instead of all of it. From the sources (tests) it is a plain re-export.
export {
  ApiException,
  AuthenticationV1Api,
  CoordinationV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  Watch,
} from '@kubernetes/client-node';
export type { EventsV1Event, V1Lease } from '@kubernetes/client-node';
