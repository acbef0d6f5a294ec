import { describe, expect, it } from 'vitest';
import { clientStorageConfig, ConfigError, readConfig } from './config.js';

describe('server configuration', () => {
  it('defaults to the embedded database and a local warehouse on port 8181', () => {
    const cfg = readConfig([], {});
    expect(cfg.port).toBe(8181);
    expect(cfg.dbUrl).toBeUndefined();
    expect(cfg.warehouse.endsWith('/.lakecat/warehouse')).toBe(true);
    expect(clientStorageConfig(cfg)).toEqual({});
  });

  it('reads LAKECAT_* variables and lets flags win', () => {
    const cfg = readConfig(['--port', '9000', '--s3-path-style=false'], {
      LAKECAT_PORT: '1234',
      LAKECAT_DB_URL: 'postgres://db/lakecat',
      LAKECAT_WAREHOUSE: 's3://bucket/wh',
      LAKECAT_S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(cfg.port).toBe(9000);
    expect(cfg.dbUrl).toBe('postgres://db/lakecat');
    expect(cfg.s3.pathStyle).toBe(false);
    expect(clientStorageConfig(cfg)['s3.endpoint']).toBe('http://127.0.0.1:9000');
  });

  it('hands out keys only when vending is on', () => {
    const env = { LAKECAT_WAREHOUSE: 's3://b', LAKECAT_S3_ACCESS_KEY_ID: 'ak', LAKECAT_S3_SECRET_ACCESS_KEY: 'sk' };
    expect(clientStorageConfig(readConfig([], env))['s3.access-key-id']).toBeUndefined();
    expect(clientStorageConfig(readConfig(['--vend-credentials'], env))['s3.access-key-id']).toBe('ak');
  });

  it('reads extra locations as absolute folders or file: URIs and refuses object-store URIs', () => {
    expect(readConfig([], {}).extraLocations).toEqual([]);
    const cfg = readConfig(['--extra-locations', ' /tmp/a , file:/srv/b,,rel'], {});
    expect(cfg.extraLocations[0]).toBe('/tmp/a');
    expect(cfg.extraLocations[1]).toBe('file:/srv/b');
    expect(cfg.extraLocations[2].endsWith('/rel')).toBe(true);
    expect(cfg.extraLocations).toHaveLength(3);
    expect(readConfig([], { LAKECAT_EXTRA_LOCATIONS: '/x' }).extraLocations).toEqual(['/x']);
    expect(() => readConfig(['--extra-locations', 's3://other/p'], {})).toThrow(/folders or file: URIs, got 's3:\/\/other\/p'/);
  });

  it('reads the garbage-collection schedule: off by default, a duration of at least a minute', () => {
    expect(readConfig([], {}).gcEveryMs).toBeUndefined();
    expect(readConfig(['--gc-every', '24h'], {}).gcEveryMs).toBe(86_400_000);
    expect(readConfig([], { LAKECAT_GC_EVERY: '90m' }).gcEveryMs).toBe(5_400_000);
    expect(readConfig(['--gc-every', 'off'], {}).gcEveryMs).toBeUndefined();
    expect(() => readConfig(['--gc-every', '30s'], {})).toThrow(ConfigError);
    expect(() => readConfig(['--gc-every', 'daily'], {})).toThrow(/--gc-every/);
  });

  it('reads the cache settings', () => {
    const dflt = readConfig([], {});
    expect(dflt.cacheMb).toBe(96);
    expect(dflt.dbRefCache).toBe(true);
    expect(dflt.heapGrowthPercent).toBe(20);
    expect(readConfig(['--heap-growth-percent', '0'], {}).heapGrowthPercent).toBe(0);
    const cfg = readConfig(['--cache-mb', '256', '--db-ref-cache=false'], {});
    expect(cfg.cacheMb).toBe(256);
    expect(cfg.dbRefCache).toBe(false);
    expect(() => readConfig(['--cache-mb', '4'], {})).toThrow(/--cache-mb must be an integer >= 8/);
  });

  it('rejects unknown options and bad values with a clear message', () => {
    expect(() => readConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => readConfig(['--port', 'abc'], {})).toThrow(/--port must be an integer/);
    expect(() => readConfig(['--port', '70000'], {})).toThrow(/at most 65535/);
    expect(() => readConfig(['--log-requests=maybe'], {})).toThrow(/true or false/);
  });
});
