# Multi-stage build: compile with the full toolchain, run from a small image as a non-root user.
# SQLite and libpq are built from source into the binary (bundled), so the runtime image needs
# only the C library, CA certificates and OpenSSL for TLS connections to PostgreSQL.

FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked --bin kiv && strip target/release/kiv

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/kiv --create-home kiv
COPY --from=build /src/target/release/kiv /usr/local/bin/kiv
USER kiv
WORKDIR /var/lib/kiv
ENV KIV_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/kiv/kiv.db \
    KIV_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/kiv/v1/health || exit 1
ENTRYPOINT ["kiv"]
CMD ["serve"]
