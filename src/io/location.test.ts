import { describe, expect, it } from 'vitest';
import { fileLocation, fileLocationPath, folderPrefix, normaliseWarehouse, parseS3Location } from './location.js';
import { ObjectStoreError } from './port.js';

describe('parseS3Location', () => {
  it('splits bucket and key for s3, s3a and s3n, keeping the key literal', () => {
    expect(parseS3Location('s3://bucket/a/b c/%20.json')).toEqual({ scheme: 's3', bucket: 'bucket', key: 'a/b c/%20.json' });
    expect(parseS3Location('s3a://b/k')).toEqual({ scheme: 's3a', bucket: 'b', key: 'k' });
    expect(parseS3Location('s3n://b/k')).toEqual({ scheme: 's3n', bucket: 'b', key: 'k' });
  });

  it('gives an empty key for a bucket root', () => {
    expect(parseS3Location('s3://bucket')).toEqual({ scheme: 's3', bucket: 'bucket', key: '' });
    expect(parseS3Location('s3://bucket/')).toEqual({ scheme: 's3', bucket: 'bucket', key: '' });
  });

  it('rejects other schemes and a missing bucket', () => {
    for (const location of ['gs://b/k', 'file:///tmp/x', 's3:///k', 's3:/b/k', 'S3x://b/k', '/tmp/x']) {
      expect(parseS3Location(location)).toBeUndefined();
    }
  });
});

describe('fileLocationPath', () => {
  it('accepts file:///abs, file:/abs and file://localhost/abs without decoding', () => {
    expect(fileLocationPath('file:///data/wh/a%20b')).toBe('/data/wh/a%20b');
    expect(fileLocationPath('file:/data/wh/x')).toBe('/data/wh/x');
    expect(fileLocationPath('file://localhost/data/wh/x')).toBe('/data/wh/x');
  });

  it('rejects remote hosts, relative paths and other schemes', () => {
    for (const location of ['file://server/share/x', 'file:relative/x', 's3://b/k', '/plain/path']) {
      expect(fileLocationPath(location)).toBeUndefined();
    }
  });
});

describe('normaliseWarehouse', () => {
  it('drops trailing slashes of S3 warehouses and keeps the scheme', () => {
    expect(normaliseWarehouse('s3://bucket/prefix/')).toBe('s3://bucket/prefix');
    expect(normaliseWarehouse('s3://bucket/')).toBe('s3://bucket');
    expect(normaliseWarehouse('s3a://bucket/p//')).toBe('s3a://bucket/p');
  });

  it('turns folders and file URIs into file:///abs without a trailing slash', () => {
    expect(normaliseWarehouse('/var/lakecat/')).toBe('file:///var/lakecat');
    expect(normaliseWarehouse('file:/var/lakecat')).toBe('file:///var/lakecat');
    expect(normaliseWarehouse('file:///var/lake cat/../wh/')).toBe('file:///var/wh');
    expect(normaliseWarehouse('relative/wh')).toBe(fileLocation('relative/wh'));
    expect(fileLocation('relative/wh')).toBe(`file://${process.cwd()}/relative/wh`);
  });

  it('refuses empty warehouses, unknown schemes and remote file hosts', () => {
    for (const warehouse of ['', '  ', 'gs://bucket/wh', 'hdfs://nn/wh', 'file://server/share']) {
      expect(() => normaliseWarehouse(warehouse)).toThrow(ObjectStoreError);
    }
  });
});

describe('folderPrefix', () => {
  it('adds exactly one trailing slash', () => {
    expect(folderPrefix('s3://b/t/metadata')).toBe('s3://b/t/metadata/');
    expect(folderPrefix('s3://b/t/metadata/')).toBe('s3://b/t/metadata/');
  });
});
