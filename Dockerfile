# syntax=docker/dockerfile:1
# GLISK reveal pipeline: one image for both roles (indexer and pipeline); docker-compose.yml picks the command.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only: tsx runs the TypeScript sources, so there is no build step.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# Ponder writes .ponder/ and generated/ at start; the local IPFS store lives in .data/ipfs.
RUN mkdir -p /app/.data/ipfs /app/.ponder /app/generated && chown -R node:node /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
USER node
EXPOSE 42069 42070
# One role per container, under the project's supervisor (docker-compose.yml picks the role).
CMD ["node", "--import", "tsx", "scripts/start.ts", "pipeline"]
