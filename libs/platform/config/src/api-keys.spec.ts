import { ConfigError, loadRuntimeConfig, parseApiKeys } from './index';

const K1 = 'k-123456-0123456789abcdef0123456789';
const K2 = 'k-abcdef-0123456789abcdef0123456789';
const K3 = 'k-zzzzzz-0123456789abcdef0123456789';

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadRuntimeConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.join('\n');
  }
  throw new Error('expected a configuration error');
};

describe('API_KEYS', () => {
  it('parses name:key:scopes entries, with * for every scope', () => {
    expect(parseApiKeys(`website:${K1}:submit, ops:${K2}:read+act+admin,all:${K3}:*`)).toEqual([
      { name: 'website', key: K1, scopes: ['submit'] },
      { name: 'ops', key: K2, scopes: ['read', 'act', 'admin'] },
      { name: 'all', key: K3, scopes: ['submit', 'read', 'act', 'admin'] },
    ]);
    expect(loadRuntimeConfig({}).apiKeys).toEqual([]);
  });

  it('names what is wrong without echoing the keys', () => {
    const text = problemsOf({
      API_KEYS: `website:secret-value-1-0123456789abcdefgh:fly,broken,website:secret-value-2-0123456789abcdefgh:read`,
    });
    expect(text).toMatch(/API_KEYS: .*scopes must be/);
    expect(text).toMatch(/entry 2 must be name:key:scopes/);
    expect(text).toMatch(/name website given twice/);
    expect(text).not.toContain('secret-value');
  });

  it('refuses a key shorter than 32 characters', () => {
    const text = problemsOf({ API_KEYS: 'website:abcd:submit' });
    expect(text).toMatch(/key must be 32-256/);
    expect(text).not.toContain('abcd:');
    expect(parseApiKeys(`website:${'a'.repeat(32)}:submit`)).toHaveLength(1);
  });
});

describe('TRUST_PROXY and HOST', () => {
  it('believes no proxy by default, or exactly the addresses and ranges given', () => {
    expect(loadRuntimeConfig({}).http).toEqual({ port: undefined, host: undefined, trustProxy: false });
    expect(loadRuntimeConfig({ TRUST_PROXY: 'off' }).http.trustProxy).toBe(false);
    expect(loadRuntimeConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
  });

  it('refuses anything that is not an address or CIDR range (a hop count included)', () => {
    expect(problemsOf({ TRUST_PROXY: '1' })).toMatch(/TRUST_PROXY: .*not 1/);
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/33' })).toMatch(/TRUST_PROXY/);
    expect(problemsOf({ TRUST_PROXY: 'true' })).toMatch(/TRUST_PROXY/);
  });
});
