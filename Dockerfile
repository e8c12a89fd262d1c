# Two images from one Dockerfile (README, "Run in a container / in CI"):
#   the mock                    `docker build -t mock-entra:0.1.0 .` (the last stage, the default)
#                               then `docker run -p 127.0.0.1:8443:8443 mock-entra:0.1.0`
#   the conformance harness     `docker build --target harness -t mock-entra-harness:0.1.0 .`
#                               then `docker run --rm -v ./targets:/targets -v ./reports:/reports
#                               mock-entra-harness:0.1.0 conform /targets/app.yaml --out /reports …`
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
# From sources: `npm ci` runs `prepare` (the build: tsc, then the CLI bundle); the stages below
# prune what each image needs. From the package: its production dependencies, without scripts
# (dist/ is built already).
RUN set -eu; \
    if [ -n "$NPM_CA_PEM" ]; then printf '%s\n' "$NPM_CA_PEM" > /tmp/npm-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/npm-ca.pem; fi; \
    if [ -f package-lock.json ] && [ -d mock-idp/src ]; then \
      rm -rf dist; \
      npm ci --no-audit --no-fund --loglevel=error; \
    else \
      npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund --loglevel=error; \
    fi; \
    rm -f /tmp/npm-ca.pem; \
    test -f dist/cli/main.js

# The harness's dependencies: the production ones plus the optional peers the harness runs on
# (vitest runs the scenarios, playwright-core drives Chromium, openid-client is the reference
# bridge's) — not testcontainers, nor the other dev dependencies. From sources they are in
# node_modules already: declared dependencies in package.json, pruned offline at the locked
# versions. From the package: installed at the peer ranges it declares (the registry is needed).
FROM build AS harness-modules
ARG NPM_CA_PEM=""
RUN set -eu; \
    if [ -n "$NPM_CA_PEM" ]; then printf '%s\n' "$NPM_CA_PEM" > /tmp/npm-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/npm-ca.pem; fi; \
    cp package.json /tmp/package.json.orig; \
    node -e "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json','utf8'));for(const n of ['vitest','playwright-core','openid-client']){p.dependencies[n]=p.peerDependencies[n];if(p.devDependencies)delete p.devDependencies[n];}delete p.peerDependencies;delete p.peerDependenciesMeta;fs.writeFileSync('package.json',JSON.stringify(p,null,2));"; \
    if [ -f package-lock.json ] && [ -d mock-idp/src ]; then \
      npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error; \
    else \
      npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund --loglevel=error; \
    fi; \
    cp /tmp/package.json.orig package.json; \
    rm -f /tmp/npm-ca.pem; \
    test -f node_modules/vitest/package.json && test -f node_modules/playwright-core/package.json && test ! -d node_modules/typescript

# The mock's production dependencies only: optional peers (testcontainers, playwright-core,
# vitest, openid-client) are dev dependencies here and go with the rest of them.
FROM build AS mock-modules
RUN set -eu; \
    if [ -f package-lock.json ] && [ -d mock-idp/src ]; then \
      npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error; \
    fi

# The conformance harness: the CLI, the harness and its scenario catalog (dist/), Debian's
# Chromium, run as `node`. No key, CA or fixture state is baked in: the in-container mock (the
# default mode) makes its own per run; attached to a mock elsewhere, it is given --idp-url,
# --control-token and --ca. Targets are read from /targets, reports written to /reports (mount
# both; the reports directory must be writable by uid 1000, or run with --user).
FROM node:20-bookworm-slim AS harness
ENV DEBIAN_FRONTEND=noninteractive
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation ca-certificates >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
# Docker gives a container 64 MB of /dev/shm, too little for Chromium's renderers: Debian's
# chromium wrapper reads /etc/chromium.d/, so every launch (the harness's too) uses /tmp instead.
RUN printf '%s\n' 'export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --disable-dev-shm-usage"' > /etc/chromium.d/mock-entra-container
ENV NODE_ENV=production \
    MOCK_ENTRA_CHROMIUM=/usr/bin/chromium \
    MOCK_ENTRA_STATE_DIR=/home/node/.local/state/mock-entra
WORKDIR /app
COPY --from=harness-modules /src/package.json ./
COPY --from=harness-modules /src/node_modules node_modules
COPY --from=harness-modules /src/dist dist
COPY --from=harness-modules /src/fixtures fixtures
RUN mkdir -p /targets /reports /work && chown node:node /reports /work
USER node
WORKDIR /work
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["conform", "--help"]

# The mock (the default target: the last stage).
FROM node:20-bookworm-slim AS mock
ENV NODE_ENV=production \
    MOCK_ENTRA_HOST=0.0.0.0 \
    MOCK_ENTRA_PORT=8443 \
    MOCK_ENTRA_STATE_DIR=/var/lib/mock-entra
WORKDIR /app
COPY --from=mock-modules /src/package.json ./
COPY --from=mock-modules /src/node_modules node_modules
COPY --from=mock-modules /src/dist dist
COPY --from=mock-modules /src/fixtures fixtures
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
