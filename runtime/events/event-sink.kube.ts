// EventSink over client-node's EventsV1Api: POST the Event, then JSON merge patches of its series.
import { ApiException, EventsV1Api, PatchStrategy, setHeaderOptions, type EventsV1Event, type KubeConfig } from '../../adapters/client-node.js';
import { withKeepAlive } from '../kube/keep-alive.js';
import type { EventSink } from './event-sink.js';

export function kubeEventSink(kubeConfig: KubeConfig): EventSink {
  const api = withKeepAlive(kubeConfig).makeApiClient(EventsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    async create(event) {
      // client-node's model types eventTime as a Date; the wire form is the MicroTime string we built.
      await api.createNamespacedEvent({ namespace: event.metadata.namespace, body: event as unknown as EventsV1Event });
    },
    async patchSeries(namespace, name, series) {
      try {
        await api.patchNamespacedEvent({ namespace, name, body: { series } }, mergePatch);
        return 'ok';
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return 'gone';
        throw err;
      }
    },
  };
}
