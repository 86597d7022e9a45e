import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import type { TestApp } from './test-app';

/** A browser-like agent (it keeps cookies), signed in to the console as `username`. */
export async function consoleSignIn(t: TestApp, username: string, password?: string): Promise<TestAgent> {
  const agent = request.agent(t.app.getHttpServer());
  const page = await agent.get('/login').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ username, password: password ?? (username === 'admin' ? 'admin-password' : 'Demo@2026'), _csrf: csrf, next: '/' });
  if (res.status !== 303) throw new Error(`console sign-in of ${username} failed: ${res.status}`);
  return agent;
}
