// Who the registrar is to the API server: the user name the API server puts in an AdmissionReview's
// userInfo for the registrar's own requests (`system:serviceaccount:<namespace>:<name>` in a cluster).
// The SpiffeID webhook lets only this user write SpiffeID status. Asked with a SelfSubjectReview
// (authentication.k8s.io/v1, GA in Kubernetes 1.28, allowed to every authenticated user by the default
// system:basic-user role), so it is exactly what the API server authenticates, whatever the credential.
// Older API servers lack it: then the service account token's `sub` claim, which is that same user name.
import { readFileSync } from 'node:fs';
import { AuthenticationV1Api, type KubeConfig } from '../../adapters/client-node.js';

export const serviceAccountTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export async function selfUsername(kubeConfig: KubeConfig, tokenFile = serviceAccountTokenPath): Promise<string> {
  let reviewError: unknown;
  try {
    const review = await kubeConfig.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} },
    });
    const name = review.status?.userInfo?.username;
    if (name) return name;
  } catch (err) {
    reviewError = err;
  }
  const fromToken = tokenSubject(kubeConfig.getCurrentUser()?.token ?? readToken(tokenFile));
  if (fromToken) return fromToken;
  throw new Error('cannot tell the registrar\'s own user name: SelfSubjectReview failed and the token is not a service account JWT', {
    cause: reviewError,
  });
}

function readToken(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The `sub` claim of a JWT, without verifying it (the API server did that when it accepted the token). */
export function tokenSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}
