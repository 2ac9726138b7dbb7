# Multi-stage build: a Rust builder (with npm for htmx), then a small
# non-root runtime image with the database on a volume.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --omit=dev --no-audit --no-fund
COPY Cargo.toml Cargo.lock ./
COPY views ./views
COPY src ./src
COPY data/demo ./data/demo
RUN cargo build --release --locked && strip target/release/teahouse

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data teahouse && mkdir -p /data && chown teahouse /data
COPY --from=build /src/target/release/teahouse /usr/local/bin/teahouse
USER teahouse
WORKDIR /data
VOLUME ["/data"]
ENV TEAHOUSE_DB=/data/teahouse.sqlite3 TEAHOUSE_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["teahouse"]
CMD ["serve"]
