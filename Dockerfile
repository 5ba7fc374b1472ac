# syntax=docker/dockerfile:1
#
# One pattern for every app's image. Pick the app twice, as the stage and as the build argument:
#
#   docker build --target adder --build-arg APP=adder -t gateway-pattern/adder .
#
# (compose.yaml builds all six this way.) Apps run their TypeScript sources under Node 24's type stripping, so
# there is no compile step; an app's own `build` script, if it has one, runs at image build: model-service trains
# its Boston forest there, with the fixed seed of that script, exactly as `npm start` does.
# The last stages differ only in what they must: the URL their health check probes, the ports they expose, and
# for the gateway its command and configuration.

ARG NODE_IMAGE=node:24-slim

# The app's workspace and the workspaces it uses, nothing else (`turbo prune --docker`): out/json holds their
# package.json files and a pruned lockfile, out/full their sources.
FROM ${NODE_IMAGE} AS prune
ARG APP
WORKDIR /src
COPY . .
RUN test -n "${APP}" || { echo 'build with --target <app> --build-arg APP=<app>' >&2; exit 1; } \
 && npx --yes "turbo@$(node -p "require('./package.json').devDependencies.turbo")" \
      prune "@gateway-pattern/${APP}" --docker --out-dir /out

# Production dependencies only; reinstalled only when a manifest or the lockfile changes.
FROM ${NODE_IMAGE} AS deps
ARG APP
WORKDIR /app
COPY --from=prune /out/json/ ./
RUN npm ci --omit=dev --workspace="apps/${APP}" --no-audit --no-fund \
 && npm cache clean --force

# The sources, and what the app builds from them (only model-service has a build: its forest artifact, trained
# from data/boston.csv). Run in the app's folder: the script resolves its --out against where npm was started.
# var/ is where an app keeps what it makes (the forest; identity's signing keys, written at run time).
FROM deps AS build
ARG APP
COPY --from=prune /out/full/ ./
COPY data ./data
RUN cd "apps/${APP}" && npm run build --if-present && mkdir -p var

# What runs: Node 24, production files only, owned by root and read-only to the app's user.
FROM ${NODE_IMAGE} AS runtime
ARG APP
# Containers are reached by their service name, so every listener binds all interfaces (the local profile keeps loopback).
ENV NODE_ENV=production \
    HOST=0.0.0.0
COPY --from=build /app /app
WORKDIR /app/apps/${APP}
# `node` in node:24-slim; numeric, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Slim images have no curl: Node probes the URL each app stage sets.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL,{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "src/main.ts"]

FROM runtime AS identity
# The directory of resources, clients and users (compose mounts the same folder over it, Kubernetes a Secret).
COPY infra/identity /app/infra/identity
# The one place the app writes: its signing keys, generated at first start. Owned by the app's user, so that the
# volume compose mounts here starts with that owner (Kubernetes mounts an emptyDir, writable by any user).
COPY --from=build --chown=1000:1000 --chmod=700 /app/apps/identity/var /app/apps/identity/var
ENV HEALTHCHECK_URL=http://127.0.0.1:4444/healthz \
    IDENTITY_CONFIG=/app/infra/identity/identity.yml \
    KEYS_DIR=/app/apps/identity/var
EXPOSE 4444

FROM runtime AS forward-auth
ENV HEALTHCHECK_URL=http://127.0.0.1:4181/
EXPOSE 4181

FROM runtime AS pybackend-ts
ENV HEALTHCHECK_URL=http://127.0.0.1:8101/
EXPOSE 8101

FROM runtime AS model-service
# data/binary.csv (the admission data, fitted at start-up) and var/boston-rf.json came with the build.
ENV HEALTHCHECK_URL=http://127.0.0.1:8102/
EXPOSE 8102

FROM runtime AS adder
ENV HEALTHCHECK_URL=http://127.0.0.1:8103/readyz
EXPOSE 8103 50051

FROM runtime AS gateway
# The configuration `npm start` uses; compose mounts the same folder over it so edits are hot-reloaded.
COPY infra/gateway /app/infra/gateway
ENV HEALTHCHECK_URL=http://127.0.0.1:8080/ping \
    BOS_RF_USERS_FILE=/app/infra/gateway/bos-rf.htpasswd
EXPOSE 8000 8443 8080
CMD ["node", "src/cli.ts", "--configFile", "/app/infra/gateway/gateway.yml"]
