import { loadConfig } from '../config/app-config';
import { isPublicAddress, OutboundAddressPolicy } from './outbound-address';

const policy = (resolve: (host: string) => Promise<string[]>, allowed = '') =>
  new OutboundAddressPolicy(loadConfig({ CONFIG_DIR: '/nonexistent', WEBHOOK_ALLOWED_HOSTS: allowed }), resolve);

describe('outbound addresses', () => {
  it.each([
    ['127.0.0.1', false],
    ['127.8.9.10', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.20', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.251', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['8.8.8.8', true],
    ['59.110.10.1', true],
    ['2400:3200::1', true],
    ['not-an-address', false],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses other schemes, credentials, literal and resolved internal addresses; accepts public and unresolved names', async () => {
    const names: Record<string, string[]> = { 'oapi.dingtalk.com': ['203.119.169.1'], 'rebound.example': ['203.0.113.9', '10.0.0.8'] };
    const p = policy(async (host) => {
      if (names[host]) return names[host];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    });
    expect(await p.check('ftp://oapi.dingtalk.com/robot')).toMatchObject({ ok: false, reason: /http or https/ });
    expect(await p.check('https://u:p@oapi.dingtalk.com/robot')).toMatchObject({ ok: false });
    expect(await p.check('http://[::1]:8080/x')).toMatchObject({ ok: false, reason: /::1, an internal address/ });
    expect(await p.check('http://169.254.169.254/latest/meta-data')).toMatchObject({ ok: false });
    expect(await p.check('https://rebound.example/send')).toMatchObject({ ok: false, reason: /10\.0\.0\.8/ });
    expect(await p.check('https://oapi.dingtalk.com/robot/send?access_token=x')).toMatchObject({ ok: true, addresses: ['203.119.169.1'] });
    expect(await p.check('https://robot.not-yet.example/send')).toMatchObject({ ok: true, unresolved: true });
  });

  it('lets an administrator allow an intranet host', async () => {
    const p = policy(async () => ['192.168.10.5'], 'robot.county.lan, 127.0.0.1');
    expect(await p.check('http://robot.county.lan/send')).toMatchObject({ ok: true, allowListed: true });
    expect(await p.check('http://127.0.0.1:9999/send')).toMatchObject({ ok: true, allowListed: true });
    expect(await p.check('http://other.county.lan/send')).toMatchObject({ ok: false });
  });
});
