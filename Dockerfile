# syntax=docker/dockerfile:1
# GLISK reveal pipeline: one image for both roles (indexer and pipeline); docker-compose.yml picks the command.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (esbuild among them: `npm start` outside the image builds before it starts).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The long-lived processes run compiled JavaScript (scripts/build.ts), not the TypeScript sources.
FROM node:24-slim AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN node --import tsx scripts/build.ts

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# Ponder writes .ponder/ and generated/ at start; the local IPFS store lives in .data/ipfs.
RUN mkdir -p /app/.data/ipfs /app/.ponder /app/generated && chown -R node:node /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 42069 42070
# One role per container, under the project's supervisor (docker-compose.yml picks the role).
CMD ["node", "dist/start.js", "pipeline"]
