# Switchyard: one image for every instance. Node 24 runs the TypeScript sources directly; only the admin UI is built.

# The admin UI (React + Vite) is built in a stage of its own: its tools never reach the final image.
FROM node:24-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY web ./web
RUN npx vite build --config web/vite.config.ts && node web/compress.ts

FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SWITCHYARD_DATA_DIR=/app/data

# Production dependencies only. Install scripts are skipped: the only one is the `node` package's, which fetches the
# Node binary that `npm start` pins on developer machines; the image's own Node 24 runs the gateway here.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY --from=web /app/web/dist ./web/dist
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000
VOLUME ["/app/data"]

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM: stop accepting, finish requests in flight, write queued usage logs, exit.
STOPSIGNAL SIGTERM
CMD ["node", "bin/switchyard.js", "serve"]
