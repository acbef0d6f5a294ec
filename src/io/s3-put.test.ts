import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from './s3.js';
import { SignedPut, encodeRfc3986 } from './s3-put.js';

describe('SignedPut signing', () => {
  it('matches the GET Object example of the AWS Signature Version 4 documentation', () => {
    const signer = new SignedPut({
      endpoint: 'https://s3.amazonaws.com',
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }),
      maxAttempts: 1,
      requestTimeoutMs: 1000,
    });
    const header = signer.authorization(
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      'GET',
      '/test.txt',
      {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
      },
      '20130524T000000Z',
    );
    expect(header).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    signer.destroy();
  });

  it('encodes everything but unreserved characters', () => {
    expect(encodeRfc3986("a b+c=d!'()*~._-é")).toBe('a%20b%2Bc%3Dd%21%27%28%29%2A~._-%C3%A9');
  });
});

const endpoint = process.env.LAKECAT_TEST_S3_ENDPOINT;
const bucket = process.env.LAKECAT_TEST_S3_BUCKET;
// Needs a real S3-compatible service (scripts/with-minio.sh); the signing itself is covered above.
describe.skipIf(!endpoint)('SignedPut against S3 (MinIO)', () => {
  const store = () =>
    new S3ObjectStore({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: process.env.LAKECAT_TEST_S3_ACCESS_KEY,
      secretAccessKey: process.env.LAKECAT_TEST_S3_SECRET_KEY,
      bucket,
    });

  it('writes keys with characters that need encoding, readable through the SDK', async () => {
    const s = store();
    try {
      for (const name of ['a b+c=d.json', "x!'()*~.json", 'ünï/cødé.json', 'q?r#s&t.json']) {
        const loc = `s3://${bucket}/signed-put-${randomUUID()}/${name}`;
        await s.write(loc, `{"name":${JSON.stringify(name)}}`, { ifAbsent: true, contentType: 'application/json' });
        expect(await s.readText(loc)).toBe(`{"name":${JSON.stringify(name)}}`);
      }
    } finally {
      s.destroy();
    }
  });

  it('lands 200 concurrent writes', async () => {
    const s = store();
    try {
      const dir = `s3://${bucket}/signed-put-${randomUUID()}`;
      await Promise.all(Array.from({ length: 200 }, (_, i) => s.write(`${dir}/${i}.json`, String(i), { ifAbsent: true })));
      let n = 0;
      for await (const _ of s.list(dir)) n++;
      expect(n).toBe(200);
    } finally {
      s.destroy();
    }
  });
});
