import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('applies documented defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ env: 'development', port: 4000, host: '127.0.0.1', policyPack: 'deepailab', graphiql: true, seedDemo: true, console: true });
    expect(config.auth.mode).toBe('development');
    expect(config.mongo.writeConcern).toBe(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: '99999', MONGODB_URI: 'http://nope', AUTH_CLOCK_TOLERANCE_S: '120' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/PORT/);
    expect(issues).toMatch(/MONGODB_URI/);
    expect(issues).toMatch(/AUTH_CLOCK_TOLERANCE_S/);
  });

  it('refuses development keys and the embedded database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWKS_FILE[\s\S]*MONGODB_URI|MONGODB_URI[\s\S]*AUTH_JWKS_FILE/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PSEUDONYM_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUDIT_SIGNING_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/STATE_SEAL_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/MASTER_KEY_FILE/);
    expect(() => loadConfig({ NODE_ENV: 'test', STATE_SEAL_KEY: 'too-short' })).toThrow(/STATE_SEAL_KEY/);
    const prod = loadConfig({
      NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks.json', MONGODB_URI: 'mongodb://db:27017', PSEUDONYM_SECRET: 'x'.repeat(32),
      AUDIT_SIGNING_KEY: '/run/secrets/audit.jwk', STATE_SEAL_KEY: 'y'.repeat(32), MASTER_KEY_FILE: '/run/secrets/master.key',
    });
    expect(prod.mongo.writeConcern).toBe('majority');
    expect(prod.graphiql).toBe(false);
    expect(prod.console).toBe(true);
  });

  it('CONSOLE takes a boolean and nothing else', () => {
    expect(loadConfig({ CONSOLE: 'false' }).console).toBe(false);
    expect(loadConfig({ CONSOLE: '1' }).console).toBe(true);
    expect(() => loadConfig({ CONSOLE: 'maybe' })).toThrow(/CONSOLE/);
  });

  it('refuses a write concern that acknowledges nothing', () => {
    expect(() => loadConfig({ MONGODB_WRITE_CONCERN: '0' })).toThrow(/MONGODB_WRITE_CONCERN/);
    expect(loadConfig({ MONGODB_WRITE_CONCERN: '2' }).mongo.writeConcern).toBe(2);
  });
});
