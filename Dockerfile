# Build stage: full dependencies, compile TypeScript to dist/.
# (--ignore-scripts: npm's `prepare` builds, and the sources are not copied yet.)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY actors ./actors
COPY storage ./storage
RUN npm run build

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    CHAT_HOST=0.0.0.0 \
    CHAT_PORT=8080 \
    CHAT_DATA_DIR=/data \
    CHAT_IRC_PORT=6667 \
    CHAT_CONSOLE=auto
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# The compiled code only (no build state, no source maps, no sources).
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/actors ./dist/actors
COPY --from=build /app/dist/storage ./dist/storage
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# 8080: HTTP and WebSocket; 6667: IRC (docs/irc.md).
EXPOSE 8080 6667
# GET /healthz on CHAT_PORT, over https when CHAT_TLS_CERT is set.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "dist/src/runtime/node/healthcheck.js"]
STOPSIGNAL SIGTERM
# node itself is PID 1 and handles SIGTERM/SIGINT (graceful stop, exit 0). The young-generation
# cap is the one `npm start` uses (docs/runtimes.md, "Memory and V8 flags").
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
