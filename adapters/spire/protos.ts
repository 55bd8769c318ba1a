// Loads the project's own .proto subset (adapters/spire/proto/) once, for the gRPC client and the
// in-memory server alike. Options: field names as in the .proto (snake_case), int64 as JS numbers
// (entry times and revisions stay far below 2^53), unset fields filled with their defaults.
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const protoDir = fileURLToPath(new URL('./proto/', import.meta.url));

const loaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [protoDir],
};

export const serviceNames = {
  entry: 'spire.api.server.entry.v1.Entry',
  svid: 'spire.api.server.svid.v1.SVID',
  bundle: 'spire.api.server.bundle.v1.Bundle',
  workload: 'SpiffeWorkloadAPI',
} as const;

let cached: protoLoader.PackageDefinition | undefined;

function spirePackageDefinition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync(['entry.proto', 'svid.proto', 'bundle.proto', 'workload.proto'], loaderOptions);
  return cached;
}

export type ServiceName = (typeof serviceNames)[keyof typeof serviceNames];

export function serviceDefinition(name: ServiceName): grpc.ServiceDefinition {
  const def = spirePackageDefinition()[name];
  if (!def || 'format' in def) throw new Error(`service ${name} missing from the SPIRE proto subset`);
  return def as grpc.ServiceDefinition;
}
