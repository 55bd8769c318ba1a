# syntax=docker/dockerfile:1
# The registrar image: compiled JavaScript on Node.js 20, production dependencies only, non-root.
#   docker build -t k8s-workload-registrar:0.1.0 .
# The container takes the original registrar's flags: args ["-config", "/path/to/k8s-workload-registrar.conf"].

# Build: compile handlers/, adapters/ and runtime/ (tests excluded) into dist/.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY handlers handlers
COPY adapters adapters
COPY runtime runtime
# As `npm run build` (and `npm ci`'s prepare) does: tsc, plus the SPIRE API .proto subset beside the adapter.
COPY scripts/build-dist.js scripts/build-dist.js
RUN node scripts/build-dist.js

# Production dependencies only, installed from the lock file.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin bin
# The image's "node" user (uid/gid 1000); deploy/webhook runs the SPIRE server with the same ids so the
# registrar may use the server socket they share.
USER 1000:1000
ENTRYPOINT ["node", "bin/k8s-workload-registrar.js"]
