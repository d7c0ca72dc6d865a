// A local HTTP endpoint that replays recorded AWS responses to the real SDK clients: Athena's and
// CloudTrail's JSON 1.1 protocol (X-Amz-Target) and S3's REST-XML (path-style). It records every request so
// tests can assert on what the adapter actually sent.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { S3Client } from '@aws-sdk/client-s3';

export type ReplayRequest = {
  /** `athena:StartQueryExecution`, `s3:ListObjectsV2`, `s3:GetObject`, … */
  operation: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The raw request body (binary uploads). */
  bodyBytes: Buffer;
  /** The parsed body of a JSON-protocol request. */
  json: Record<string, unknown>;
  /** S3 path-style addressing. */
  bucket?: string;
  key?: string;
  /** How the response went: `finished` stays false when the client hung up mid-body. */
  response: { bytes: number; finished: boolean; closed: boolean };
};

export type ReplayBody = string | Buffer | Record<string, unknown> | AsyncIterable<string | Buffer>;

export type ReplayResponse = {
  status?: number;
  headers?: Record<string, string>;
  body?: ReplayBody;
};

export type Responder = ReplayResponse | ((request: ReplayRequest) => ReplayResponse | Promise<ReplayResponse>);

const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/aws');

/** A recorded response body from test/fixtures/aws (JSON parsed, other files as text). */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function jsonFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

/** A 200 Athena response. */
export function athenaOk(body: Record<string, unknown>): ReplayResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
}

/** A 200 CloudTrail response (JSON 1.1, like Athena's). */
export function cloudTrailOk(body: Record<string, unknown>): ReplayResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
}

/** An Athena error as AWS sends it: HTTP 400 (unless told), `__type` and `Message`. */
export function athenaError(body: Record<string, unknown>, status = 400): ReplayResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
}

/** A 200 KMS response (JSON 1.1, X-Amz-Target `TrentService.<Operation>`). */
export function kmsOk(body: Record<string, unknown>): ReplayResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
}

/** A KMS error as AWS sends it: HTTP 400 (unless told), `__type` and `message`. */
export function kmsError(body: Record<string, unknown>, status = 400): ReplayResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
}

export function s3Xml(xml: string, status = 200): ReplayResponse {
  return { status, headers: { 'content-type': 'application/xml' }, body: xml };
}

// S3 REST operations named by a sub-resource in the query rather than by `x-id`.
const S3_SUBRESOURCES: Record<string, Record<string, string>> = {
  versions: { GET: 's3:ListObjectVersions' },
  delete: { POST: 's3:DeleteObjects' },
  retention: { GET: 's3:GetObjectRetention', PUT: 's3:PutObjectRetention' },
  'legal-hold': { GET: 's3:GetObjectLegalHold', PUT: 's3:PutObjectLegalHold' },
};

function operationOf(req: http.IncomingMessage, query: Record<string, string>): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('CloudTrail_')) return `cloudtrail:${target.split('.').at(-1)}`;
  if (typeof target === 'string' && target.startsWith('TrentService.')) return `kms:${target.split('.').at(-1)}`;
  if (typeof target === 'string') return `athena:${target.split('.').at(-1)}`;
  // HealthImaging's REST-JSON: the operation is the last path segment (…/imageSet/{id}/getImageSet, …/searchImageSets).
  const imaging = /^\/datastore\/[^/]+(?:\/imageSet\/[^/]+)?\/([a-zA-Z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
  if (imaging) return `medical-imaging:${imaging[1]![0]!.toUpperCase()}${imaging[1]!.slice(1)}`;
  if (query['x-id']) return `s3:${query['x-id']}`;
  if (req.method === 'GET' && query['list-type'] === '2') return 's3:ListObjectsV2';
  for (const [name, byMethod] of Object.entries(S3_SUBRESOURCES)) {
    const operation = name in query ? byMethod[req.method ?? ''] : undefined;
    if (operation) return operation;
  }
  if (req.method === 'HEAD') return 's3:HeadObject';
  if (req.method === 'GET') return 's3:GetObject';
  return `s3:${req.method ?? 'UNKNOWN'}`;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class AwsReplay {
  readonly received: ReplayRequest[] = [];
  /** Requests no script answered (each got an HTTP 500). */
  readonly unexpected: ReplayRequest[] = [];
  private readonly scripts = new Map<string, Responder[]>();

  private constructor(
    private readonly server: http.Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<AwsReplay> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const replay = new AwsReplay(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      replay.handle(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    return replay;
  }

  /** Queues responses for an operation, answered in order; the last one keeps answering. */
  on(operation: string, ...responders: Responder[]): this {
    this.scripts.set(operation, [...(this.scripts.get(operation) ?? []), ...responders]);
    return this;
  }

  /** Forgets scripts and recorded requests (between cases sharing one server). */
  reset(): void {
    this.scripts.clear();
    this.received.length = 0;
    this.unexpected.length = 0;
  }

  requests(operation: string): ReplayRequest[] {
    return this.received.filter((r) => r.operation === operation);
  }

  /** Real SDK clients pointed here, with static credentials and the SDK's own retries off. */
  athenaClient(): AthenaClient {
    return new AthenaClient({
      region: 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  }

  cloudTrailClient(region = 'us-east-1'): CloudTrailClient {
    return new CloudTrailClient({
      region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  }

  kmsClient(): KMSClient {
    return new KMSClient({
      region: 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  }

  /** HealthImaging (REST-JSON); the data-plane `runtime-` host prefix is off so the calls reach this endpoint. */
  medicalImagingClient(): MedicalImagingClient {
    return new MedicalImagingClient({
      region: 'us-east-1',
      endpoint: this.endpoint,
      disableHostPrefix: true,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  }

  s3Client(): S3Client {
    return new S3Client({
      region: 'us-east-1',
      endpoint: this.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private next(operation: string): Responder | undefined {
    const queue = this.scripts.get(operation);
    if (!queue || queue.length === 0) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.endpoint);
    const query = Object.fromEntries(url.searchParams);
    const bodyBytes = await readBody(req);
    const body = bodyBytes.toString('utf8');
    const operation = operationOf(req, query);
    let json: Record<string, unknown> = {};
    if (typeof req.headers['x-amz-target'] === 'string' && body) json = JSON.parse(body) as Record<string, unknown>;
    const segments = url.pathname.split('/').slice(1);
    const request: ReplayRequest = {
      operation,
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query,
      headers: req.headers,
      body,
      bodyBytes,
      json,
      bucket: operation.startsWith('s3:') ? segments[0] : undefined,
      key: operation.startsWith('s3:') && segments.length > 1 ? decodeURIComponent(segments.slice(1).join('/')) : undefined,
      response: { bytes: 0, finished: false, closed: false },
    };
    this.received.push(request);

    const responder = this.next(operation);
    if (!responder) {
      this.unexpected.push(request);
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`no recorded response for ${operation}`);
      return;
    }
    const answer = typeof responder === 'function' ? await responder(request) : responder;
    const headers = { 'x-amzn-requestid': `replay-${this.received.length}`, ...answer.headers };
    const payload = answer.body;
    res.on('close', () => {
      request.response.finished = res.writableFinished;
      request.response.closed = true;
    });
    if (payload !== undefined && typeof payload === 'object' && Symbol.asyncIterator in payload) {
      res.writeHead(answer.status ?? 200, headers);
      const stream = Readable.from(payload as AsyncIterable<string | Buffer>);
      stream.on('data', (chunk: string | Buffer) => {
        request.response.bytes += Buffer.byteLength(chunk);
      });
      res.on('close', () => stream.destroy());
      // A body that fails midway cuts the connection, as a dropped connection would.
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      return;
    }
    const text =
      payload === undefined
        ? ''
        : typeof payload === 'string' || Buffer.isBuffer(payload)
          ? payload
          : JSON.stringify(payload);
    request.response.bytes = Buffer.byteLength(text);
    res.writeHead(answer.status ?? 200, { 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }
}
