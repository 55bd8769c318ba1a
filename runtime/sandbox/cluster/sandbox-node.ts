// The sandbox's one node, as minikube registers it (the tutorial's cluster): Ready, an InternalIP, and
// a UID, which crd mode puts into the node entry's selectors.
import type { KubeObject } from '../../../adapters/kube-fake/index.js';

export const SANDBOX_NODE = 'minikube';
/** minikube's default node address (docker driver). */
export const SANDBOX_NODE_IP = '192.168.49.2';

export function sandboxNode(uid: string, createdAt: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: SANDBOX_NODE,
      uid,
      creationTimestamp: createdAt,
      labels: {
        'kubernetes.io/hostname': SANDBOX_NODE,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/control-plane': '',
      },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: createdAt, lastTransitionTime: createdAt }],
      addresses: [
        { type: 'InternalIP', address: SANDBOX_NODE_IP },
        { type: 'Hostname', address: SANDBOX_NODE },
      ],
      nodeInfo: { kubeletVersion: 'v1.20.2', containerRuntimeVersion: 'sandbox://0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}
