import { ConfigError, loadRuntimeConfig, parseApiKeys } from './index';

describe('API_KEYS', () => {
  it('parses name:key:scopes entries, with * for every scope', () => {
    expect(parseApiKeys('website:k-123456:submit, ops:k-abcdef:read+act+admin,all:k-zzzzzz:*')).toEqual([
      { name: 'website', key: 'k-123456', scopes: ['submit'] },
      { name: 'ops', key: 'k-abcdef', scopes: ['read', 'act', 'admin'] },
      { name: 'all', key: 'k-zzzzzz', scopes: ['submit', 'read', 'act', 'admin'] },
    ]);
    expect(loadRuntimeConfig({}).apiKeys).toEqual([]);
  });

  it('names what is wrong without echoing the keys', () => {
    let error: ConfigError | undefined;
    try {
      loadRuntimeConfig({ API_KEYS: 'website:secret-value-1:fly,broken,website:secret-value-2:read' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    expect(text).toMatch(/API_KEYS: .*scopes must be/);
    expect(text).toMatch(/entry 2 must be name:key:scopes/);
    expect(text).toMatch(/name website given twice/);
    expect(text).not.toContain('secret-value');
  });
});
