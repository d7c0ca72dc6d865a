import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigner, installationName } from '@/lib/boot/signer';
import { ConfigError, parseEnv } from '@/lib/config/env';
import { DEFAULT_KEY_FILE } from '@/lib/signer/local-p12';
import { AwsReplay, jsonFixture, kmsOk } from '@/test/support/aws-replay';
import { createTestPki, publicKeyDer, type TestPki } from './pki';

let root: string;
let pki: TestPki;
let replay: AwsReplay;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-create-signer-'));
  pki = createTestPki(path.join(root, 'pki'));
  replay = await AwsReplay.start();
});
afterAll(async () => {
  await replay.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const env = (vars: Record<string, string>) => parseEnv({ CUSTOS_DATA_DIR: path.join(root, 'data'), ...vars });

describe('signer settings', () => {
  it('default to the local signer with no TSA', () => {
    const e = env({});
    expect(e.CUSTOS_SIGNER).toBe('local');
    expect(e.CUSTOS_TSA_URL).toBeUndefined();
    expect(env({ CUSTOS_TSA_URL: '' }).CUSTOS_TSA_URL).toBeUndefined();
    expect(env({ CUSTOS_TSA_URL: 'https://tsa.example.org/tsr' }).CUSTOS_TSA_URL).toBe('https://tsa.example.org/tsr');
  });

  it('refuse a TSA that is not an http(s) URL, and an unknown signer, naming the variable', () => {
    expect(() => env({ CUSTOS_TSA_URL: 'ftp://tsa.example.org/' })).toThrow('Invalid configuration: CUSTOS_TSA_URL: expected an http:// or https:// URL');
    expect(() => env({ CUSTOS_TSA_URL: 'tsa.example.org' })).toThrow(/CUSTOS_TSA_URL/);
    expect(() => env({ CUSTOS_SIGNER: 'hsm' })).toThrow(/^Invalid configuration: CUSTOS_SIGNER:/);
  });
});

describe('createSigner (the composition root)', () => {
  it('picks the embedded default, keeping its key in <data dir>/signer, named for the installation', async () => {
    const e = env({ CUSTOS_DATA_DIR: path.join(root, 'embedded') });
    const signer = await createSigner(e);
    expect(signer.kind).toBe('local');
    expect(signer.timestampUrl).toBeUndefined();
    await signer.identity();
    expect(fs.existsSync(path.join(root, 'embedded', 'signer', DEFAULT_KEY_FILE))).toBe(true);
    expect(installationName(e)).toMatch(new RegExp(`^${os.hostname().replaceAll('.', '\\.')} [0-9a-f]{8}$`));
    expect(installationName(e)).not.toContain(root); // the path itself stays out of the certificate
  });

  it('loads the configured PKCS #12 with its password', async () => {
    const signer = await createSigner(env({ CUSTOS_SIGNER_P12: pki.siteSigner.p12, CUSTOS_SIGNER_P12_PASSWORD: pki.siteSigner.password }));
    expect((await signer.identity()).certificateChain).toHaveLength(2);
  });

  it('picks KMS with the key and the chain, and carries the TSA', async () => {
    replay.on('kms:GetPublicKey', kmsOk({ ...jsonFixture('kms/get-public-key-ecc.json'), PublicKey: publicKeyDer(pki.kmsEc.key).toString('base64') }));
    const signer = await createSigner(
      env({ CUSTOS_SIGNER: 'kms', CUSTOS_SIGNER_KMS_KEY_ID: 'alias/custos-evidence', CUSTOS_SIGNER_CERT_CHAIN: pki.kmsEc.chain, CUSTOS_TSA_URL: 'http://127.0.0.1:9/tsa' }),
      { kms: replay.kmsClient() },
    );
    expect(signer.kind).toBe('kms');
    expect(signer.timestampUrl).toBe('http://127.0.0.1:9/tsa');
    expect((await signer.identity()).algorithm).toBe('ECDSA_SHA_256');
    expect(replay.requests('kms:GetPublicKey')[0]!.json).toEqual({ KeyId: 'alias/custos-evidence' });
  });

  it('names what is missing or contradictory', async () => {
    const fails = async (vars: Record<string, string>) => {
      try {
        await createSigner(env(vars));
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(await fails({ CUSTOS_SIGNER: 'kms' })).toBe('Invalid configuration: CUSTOS_SIGNER=kms requires CUSTOS_SIGNER_KMS_KEY_ID');
    expect(await fails({ CUSTOS_SIGNER: 'kms', CUSTOS_SIGNER_KMS_KEY_ID: 'k' })).toMatch(/^Invalid configuration: CUSTOS_SIGNER=kms requires CUSTOS_SIGNER_CERT_CHAIN/);
    expect(await fails({ CUSTOS_SIGNER: 'kms', CUSTOS_SIGNER_KMS_KEY_ID: 'k', CUSTOS_SIGNER_CERT_CHAIN: 'c.pem', CUSTOS_SIGNER_P12: 'x.p12' })).toBe(
      'Invalid configuration: CUSTOS_SIGNER_P12 is set but CUSTOS_SIGNER is kms',
    );
    expect(await fails({ CUSTOS_SIGNER_KMS_KEY_ID: 'k' })).toMatch(/CUSTOS_SIGNER_KMS_KEY_ID is set but CUSTOS_SIGNER is local/);
    expect(await fails({ CUSTOS_SIGNER_P12_PASSWORD: 'secret' })).toBe('Invalid configuration: CUSTOS_SIGNER_P12_PASSWORD is set without CUSTOS_SIGNER_P12');
  });
});
