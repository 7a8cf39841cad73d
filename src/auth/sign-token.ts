import { SignJWT, type CryptoKey } from 'jose';

export interface TokenClaims {
  sub: string;
  tenant: string;
  roles: readonly string[];
  purposes?: readonly string[];
}

export interface SignTokenOptions {
  key: CryptoKey;
  kid: string;
  alg: string;
  issuer?: string;
  audience?: string;
  /** Lifetime, jose time span. Default '1h'. */
  expiresIn?: string | number;
}

/** Signs a caller token; used by `npm run token`, the demo start-up banner and tests. */
export async function signToken(claims: TokenClaims, options: SignTokenOptions): Promise<string> {
  const jwt = new SignJWT({
    tenant: claims.tenant,
    roles: [...claims.roles],
    ...(claims.purposes ? { purposes: [...claims.purposes] } : {}),
  })
    .setProtectedHeader({ alg: options.alg, kid: options.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(options.key);
}
