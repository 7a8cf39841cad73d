# syntax=docker/dockerfile:1
#
# govgate gateway image.
#
# A build stage compiles src/ to dist/ with tsc and the compliance console to console/dist/ with
# Vite (`npm run build`); the runtime stage holds dist/, console/dist/, the policy packs and
# production dependencies only (no TypeScript, no tsx, no Vite), and runs `node dist/main.js`.
#
#   docker build -t govgate .
#
# The image defaults to NODE_ENV=production, which refuses to start without real token keys and
# an external database. A production run looks like:
#
#   docker run --rm -p 4000:4000 \
#     -e MONGODB_URI='mongodb://user:pass@db1:27017,db2:27017/?replicaSet=rs0&authSource=admin' \
#     -e MONGODB_DB_NAME=govgate \
#     -e AUTH_JWKS_URL=https://idp.example.com/.well-known/jwks.json \
#     -e AUTH_ISSUER=https://idp.example.com/ -e AUTH_AUDIENCE=govgate \
#     -e POLICY_PACK=deepailab \
#     -e PSEUDONYM_SECRET="$(cat pseudonym.secret)" -e STATE_SEAL_KEY="$(cat state-seal.key)" \
#     -e AUDIT_SIGNING_KEY=/run/secrets/audit-key.json -e MASTER_KEY_FILE=/run/secrets/master.key \
#     -v "$PWD/secrets:/run/secrets:ro" \
#     -e AUDIT_WITNESS_DIR=/witness -v govgate-witness:/witness \
#     govgate
#
# (or AUTH_JWKS_FILE=/run/secrets/jwks.json with the file mounted read-only; CORS_ORIGINS lists the
# browser origins allowed to call it cross-origin, none by default). The witness volume
# must not be writable by the database's operators and should be shared by every replica. In production the
# write concern defaults to majority and SEED_DEMO to false. For a local demo stack (development
# keys, seeded demo data, a MongoDB replica set) use docker-compose.yml instead.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency; tsc src/ -> dist/, Vite console/ -> console/dist/ ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
RUN npm run build

# ---- deps: production dependencies only ------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    GOVGATE_STATE_DIR=/app/.govgate
WORKDIR /app

# Code and dependencies stay root-owned (read-only for the process); only the state directory
# (development keys) is writable by the unprivileged `node` user that ships with the image.
# dist/ sits beside schema/ as it does in the repository: the packs are found from dist/ as from src/.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY schema/policies ./schema/policies
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
RUN mkdir -p /app/.govgate && chown node:node /app/.govgate

USER node
EXPOSE 4000

# /ready is 200 only while MongoDB accepts writes. The slim image has no curl: use Node's fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/ready',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# One Node process (no npm/npx wrapper) so SIGTERM reaches the gateway's graceful shutdown.
CMD ["node", "dist/main.js"]
