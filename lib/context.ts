// The kernel's context: who acts, the database (or the open transaction), and the adapters, each
// typed by its port. The composition root (lib/boot) fills it; verbs only read it.
import { randomUUID } from 'node:crypto';
import type { Actor } from '@/lib/actor';
import type { ImageSetStore } from '@/lib/archive/port';
import type { Env } from '@/lib/config/env';
import type { Database, Db } from '@/lib/db/port';
import type { QueryEngine } from '@/lib/engine/port';
import type { IntegritySources } from '@/lib/integrity/port';
import type { ControlPlane } from '@/lib/posture/port';
import type { JobRunner } from '@/lib/jobs/port';
import type { KeyRing } from '@/lib/keys/port';
import type { LakeLocation } from '@/lib/lake/tables';
import type { Signer } from '@/lib/signer/port';
import type { ObjectStore } from '@/lib/storage/object-store';
import type { ResultStore } from '@/lib/storage/port';

/** The adapters chosen once from configuration. */
export type Services = {
  env: Env;
  database: Database;
  engine: QueryEngine;
  results: ResultStore;
  /** Versioned objects with Object Lock: journal checkpoints, evidence, the archive (S3 or a local directory). */
  objects: ObjectStore;
  /** The archive's HealthImaging image sets (AWS, or the demo lake's local store). */
  imageSets: ImageSetStore;
  /** Signs evidence (PAdES) and journal checkpoints: a local certificate or a KMS key. */
  signer: Signer;
  lake: LakeLocation;
  /** Where CloudTrail's digest files and public keys are read to prove the logs behind a report. */
  integrity: IntegritySources;
  /** The AWS control plane the posture dashboards read: trail status and selectors, lifecycle rules (AWS, or recorded in the lake). */
  controlPlane: ControlPlane;
  jobs: JobRunner;
  /** Secrets derived from the installation key: sealing at rest, pseudonyms, checkpoint authentication. */
  keys: KeyRing;
  close(): Promise<void>;
};

/** Everything a verb needs: who acts, the database (or the open transaction), and the adapters. */
export type Ctx = {
  actor: Actor;
  db: Db;
  services: Services;
  now(): Date;
  requestId: string;
};

export function makeCtx(services: Services, actor: Actor, requestId: string = randomUUID()): Ctx {
  return { actor, db: services.database.db, services, now: () => new Date(), requestId };
}
