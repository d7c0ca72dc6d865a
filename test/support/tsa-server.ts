// A local RFC 3161 time-stamping authority for tests: a tiny HTTP server that answers each
// timestamp query with `openssl ts -reply` (OpenSSL's TSA implementation), signed by a test TSA
// certificate. Modes make it misbehave the ways a real TSA can.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { TimeStampReq } from 'pkijs';

const run = promisify(execFile);

export type TsaMode =
  /** A granted response with a token over the query's imprint. */
  | 'ok'
  /** OpenSSL's own rejection: the TSA accepts only SHA-512 imprints (status rejection, failInfo badAlg). */
  | 'reject'
  /** A granted token over other data: the query's imprint is altered before OpenSSL answers it. */
  | 'wrong-imprint'
  /** HTTP 503 with no body. */
  | 'http-error';

export type TsaOptions = {
  /** A scratch directory (config, serial file, queries). */
  dir: string;
  /** PEM files: the TSA's certificate (extendedKeyUsage critical timeStamping), its key, and the chain to include. */
  cert: string;
  key: string;
  chain?: string;
  mode?: TsaMode;
};

export type Tsa = {
  url: string;
  /** Queries received (DER TimeStampReq). */
  queries: Buffer[];
  mode: TsaMode;
  close(): Promise<void>;
};

function config(dir: string, digests: string): string {
  return [
    '[ tsa ]',
    'default_tsa = tsa_config',
    '[ tsa_config ]',
    `serial = ${path.join(dir, 'serial')}`,
    'crypto_device = builtin',
    'signer_digest = sha256',
    'default_policy = 1.3.6.1.4.1.55555.1',
    'other_policies = 1.3.6.1.4.1.55555.2',
    `digests = ${digests}`,
    'accuracy = secs:1',
    'ordering = yes',
    'tsa_name = yes',
    'ess_cert_id_chain = no',
    'ess_cert_id_alg = sha256',
    '',
  ].join('\n');
}

function alterImprint(query: Buffer): Buffer {
  const request = TimeStampReq.fromBER(new Uint8Array(query));
  const hashed = new Uint8Array(request.messageImprint.hashedMessage.valueBlock.valueHexView);
  hashed[0] = hashed[0]! ^ 0xff;
  request.messageImprint.hashedMessage.valueBlock.valueHexView = hashed;
  return Buffer.from(request.toSchema().toBER(false));
}

export async function startTsa(options: TsaOptions): Promise<Tsa> {
  const dir = options.dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'serial'), '01\n');
  fs.writeFileSync(path.join(dir, 'tsa.cnf'), config(dir, 'sha256, sha384, sha512'));
  fs.writeFileSync(path.join(dir, 'tsa-reject.cnf'), config(dir, 'sha512'));
  const queries: Buffer[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let count = 0;

  const answer = async (query: Buffer, mode: TsaMode): Promise<Buffer> => {
    const n = ++count;
    const queryFile = path.join(dir, `query-${n}.tsq`);
    const replyFile = path.join(dir, `reply-${n}.tsr`);
    fs.writeFileSync(queryFile, mode === 'wrong-imprint' ? alterImprint(query) : query);
    const args = ['ts', '-reply', '-config', path.join(dir, mode === 'reject' ? 'tsa-reject.cnf' : 'tsa.cnf'), '-queryfile', queryFile];
    args.push('-signer', options.cert, '-inkey', options.key, '-out', replyFile);
    if (options.chain) args.push('-chain', options.chain);
    await run('openssl', args);
    return fs.readFileSync(replyFile);
  };

  const tsa: Tsa = { url: '', queries, mode: options.mode ?? 'ok', close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const query = Buffer.concat(chunks);
      queries.push(query);
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(415).end();
        return;
      }
      if (tsa.mode === 'http-error') {
        res.writeHead(503).end();
        return;
      }
      const mode = tsa.mode;
      const reply = queue.then(() => answer(query, mode)); // one openssl at a time: they share the serial file
      queue = reply.catch(() => undefined);
      reply.then(
        (body) => res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': String(body.length) }).end(body),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  tsa.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return tsa;
}
