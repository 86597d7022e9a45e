import { loadConfig } from './app-config';

describe('the address the API listens on', () => {
  const load = (env: Record<string, string>) => loadConfig({ CONFIG_DIR: '/nonexistent', ...env });

  it('is this machine only while the demo logins exist, unless HOST says otherwise', () => {
    expect(load({}).listenHost).toBe('127.0.0.1');
    expect(load({ DEMO: '1' }).listenHost).toBe('127.0.0.1');
    expect(load({ DEMO: '0' }).listenHost).toBe('0.0.0.0');
    expect(load({ DEMO: '1', HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
    expect(load({ HOST: '' }).listenHost).toBe('127.0.0.1');
    expect(load({ DEMO: '0', HOST: '10.1.2.3' }).listenHost).toBe('10.1.2.3');
  });
});
