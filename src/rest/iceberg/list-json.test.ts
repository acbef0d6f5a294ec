import { describe, expect, it } from 'vitest';
import { identifiersJson, namespacesJson } from './list-json.js';

describe('list response bodies', () => {
  it('equal JSON.stringify of the response object, for plain and escaped names', () => {
    const items = [
      { namespace: ['db', 'sales'], name: 'orders' },
      { namespace: ['db', 'sales'], name: 'quote"back\\slash' },
      { namespace: ['db', 'sales'], name: 'tab\tnewline\n\u0001ünïcødé\u2028😀' },
      { namespace: ['other'], name: 'x' },
    ];
    for (const token of [undefined, 'dGFibGU']) {
      const text = identifiersJson(items, token);
      expect(JSON.parse(text)).toEqual({ identifiers: items, 'next-page-token': token ?? null });
      expect(text).toBe(JSON.stringify({ identifiers: items, 'next-page-token': token ?? null }));
    }
    expect(identifiersJson([], undefined)).toBe('{"identifiers":[],"next-page-token":null}');
  });

  it('writes namespaces as arrays of levels', () => {
    const items = [['a'], ['a', 'b"c']];
    expect(JSON.parse(namespacesJson(items, 'tok'))).toEqual({ namespaces: items, 'next-page-token': 'tok' });
    expect(namespacesJson([], undefined)).toBe('{"namespaces":[],"next-page-token":null}');
  });
});
