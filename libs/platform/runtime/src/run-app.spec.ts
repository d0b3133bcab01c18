import { loadRuntimeConfig } from '@klaxon/platform/config';
import { bindAddress } from './run-app';

describe('where an app listens', () => {
  it('keeps the embedded demo (no DATABASE_URL) on this machine unless HOST says otherwise', () => {
    expect(bindAddress(loadRuntimeConfig({}), true)).toBe('127.0.0.1');
    expect(bindAddress(loadRuntimeConfig({ HOST: '0.0.0.0' }), true)).toBe('0.0.0.0');
  });

  it('listens on every interface with a real database, and for the standalone apps', () => {
    const real = loadRuntimeConfig({ DATABASE_URL: 'postgres://db/klaxon' });
    expect(bindAddress(real, true)).toBe('0.0.0.0');
    expect(bindAddress(real, false)).toBe('0.0.0.0');
    expect(
      bindAddress(loadRuntimeConfig({ DATABASE_URL: 'postgres://db/klaxon', HOST: '10.1.2.3' }), false),
    ).toBe('10.1.2.3');
  });
});
