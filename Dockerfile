# syntax=docker/dockerfile:1
# lakecat: Iceberg REST catalog with Git-like versioning.
# Build: docker build -t lakecat .   Run: docker run -p 8181:8181 -v lakecat-data:/data lakecat

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LAKECAT_HOST=0.0.0.0 \
    LAKECAT_PORT=8181 \
    LAKECAT_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
# The client commands' bundle (bin/lakecat.mjs), written once here: the image's files do not change.
RUN node bin/lakecat.mjs --help >/dev/null && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8181
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8181/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/lakecat.mjs"]
CMD ["serve"]
