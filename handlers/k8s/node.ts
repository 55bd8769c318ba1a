import * as v from 'valibot';
import { ObjectMetaSchema } from './object-meta.js';

export const NodeSchema = v.looseObject({ metadata: ObjectMetaSchema });

export type Node = v.InferOutput<typeof NodeSchema>;
