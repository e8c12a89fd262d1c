# The mock as a container image: `docker build -t mock-entra:0.1.0 .` then
# `docker run -p 127.0.0.1:8443:8443 mock-entra:0.1.0` (README, "Run in a container / in CI").
#
# The conformance harness has a file of its own: Dockerfile.harness.
#
# No `# syntax=` line and nothing BuildKit-only: the legacy builder must build it too (machines
# without buildx). The image holds no key and no CA: each container makes its own in the state
# volume on first start (mock-idp/test/containers/image.test.ts looks through the layers).

FROM node:20-bookworm-slim AS build
WORKDIR /src
# A registry behind a TLS-inspecting proxy: its CA, as PEM text (`--build-arg NPM_CA_PEM="$(cat
# "$NODE_EXTRA_CA_CERTS")"`). Used by this stage's npm only; the final stage never sees it.
ARG NPM_CA_PEM=""
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# The context is either this repository (sources and package-lock.json: a reproducible build) or
# the installed npm package, which ships this Dockerfile and dist/ built (the testcontainers module
# builds from there when no image is present: mock-idp/src/testcontainers.ts).
COPY . .
# From sources: `npm ci` runs `prepare` (the build: tsc, then the CLI bundle), `npm prune` leaves
# the production dependencies only; optional peers (testcontainers, playwright-core, vitest,
# openid-client) are dev dependencies here and go with them. From the package: its production
# dependencies, without scripts (dist/ is built already).
RUN set -eu; \
    if [ -n "$NPM_CA_PEM" ]; then printf '%s\n' "$NPM_CA_PEM" > /tmp/npm-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/npm-ca.pem; fi; \
    if [ -f package-lock.json ] && [ -d mock-idp/src ]; then \
      rm -rf dist; \
      npm ci --no-audit --no-fund --loglevel=error; \
      npm prune --omit=dev --no-audit --no-fund --loglevel=error; \
    else \
      npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund --loglevel=error; \
    fi; \
    rm -f /tmp/npm-ca.pem; \
    test -f dist/cli/main.js

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MOCK_ENTRA_HOST=0.0.0.0 \
    MOCK_ENTRA_PORT=8443 \
    MOCK_ENTRA_STATE_DIR=/var/lib/mock-entra
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/fixtures fixtures
# The state directory (signing key, sealing key, CA), made by the first start, owned by the
# user the mock runs as so that a named volume mounted there inherits it.
RUN mkdir -p /var/lib/mock-entra && chown node:node /var/lib/mock-entra && chmod 700 /var/lib/mock-entra
USER node
VOLUME ["/var/lib/mock-entra"]
EXPOSE 8443
# Discovery of /common answers whatever fixture is loaded; over the container's own CA (no curl
# in the image: node). Plain HTTP when MOCK_ENTRA_HTTP says so.
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const fs=require('fs'),plain=/^(1|true|yes)$/i.test(process.env.MOCK_ENTRA_HTTP||''),m=require(plain?'http':'https');m.get({host:'127.0.0.1',port:process.env.MOCK_ENTRA_PORT||8443,servername:'localhost',path:'/common/v2.0/.well-known/openid-configuration',ca:plain?undefined:fs.readFileSync(process.env.MOCK_ENTRA_STATE_DIR+'/ca-cert.pem')},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
