import { metricsAccess } from './metrics-access';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('who may read /metrics', () => {
  it('without a token: this machine only, also behind a proxy', () => {
    expect(metricsAccess({}, { socketAddress: '127.0.0.1', clientAddress: '127.0.0.1' })).toEqual({ ok: true });
    expect(metricsAccess({}, { socketAddress: '::1' })).toEqual({ ok: true });
    expect(metricsAccess({}, { socketAddress: '::ffff:127.0.0.1' })).toEqual({ ok: true });
    for (const request of [
      { socketAddress: '203.0.113.9' },
      { socketAddress: '10.0.0.8' },
      // A proxy on this machine forwarding a client from elsewhere.
      { socketAddress: '127.0.0.1', clientAddress: '198.51.100.7' },
      {},
    ]) {
      expect(metricsAccess({}, request)).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('with a token: the bearer token, from anywhere, and nothing else', () => {
    const config = { METRICS_TOKEN: TOKEN };
    expect(metricsAccess(config, { authorization: `Bearer ${TOKEN}`, socketAddress: '203.0.113.9' })).toEqual({ ok: true });
    expect(metricsAccess(config, { authorization: `bearer ${TOKEN}`, socketAddress: '203.0.113.9' })).toEqual({ ok: true });
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      expect(metricsAccess(config, { authorization, socketAddress: '127.0.0.1' })).toMatchObject({ ok: false, status: 401 });
    }
  });
});
