# ---- builder ---------------------------------------------------------------
FROM rust:1-slim-bookworm AS builder
WORKDIR /src

# 1. Dependencies only: build them against stub targets so this layer is reused
#    until Cargo.toml / Cargo.lock change.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && : > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

# 2. The real sources, and everything compiled into the binary: migrations/
#    (embed_migrations!), the PDF fonts (assets/), the email templates (templates/) and the
#    web clients (web/, rust-embed). deploy/check.sh fails when one is missing here.
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi
COPY assets ./assets
COPY templates ./templates
COPY web ./web
# COPY keeps the build context's mtimes, which can be older than the stub build above;
# touch so cargo sees the crate as changed and does not reuse the stub artifacts.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -D -m 0755 target/release/hoithao /out/hoithao

# ---- runtime ---------------------------------------------------------------
# Only the binary and the CA certificates (for sslmode=verify-full against a managed
# PostgreSQL without sslrootcert). The binary links glibc and libgcc only (no libpq, no
# OpenSSL), which this base has. Size: about 75 MB for the base with ca-certificates plus the
# binary (see docs/production.md for the measured figure).
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
    && groupadd --system --gid 10001 hoithao \
    && useradd --system --uid 10001 --gid hoithao --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin hoithao

COPY --from=builder /out/hoithao /usr/local/bin/hoithao

USER 10001:10001
ENV HOITHAO_LISTEN=0.0.0.0:8080
EXPOSE 8080
# No curl in the image: the binary probes itself (GET /readyz on HOITHAO_LISTEN's port).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["hoithao", "probe", "--ready"]
ENTRYPOINT ["hoithao"]
CMD ["serve"]
