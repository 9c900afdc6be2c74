# syntax=docker/dockerfile:1
# seaworthy as a small static image: built against musl on Alpine, run from
# distroless/static as its non-root user. Usage:
#   docker run --rm -v "$PWD:/src:ro" seaworthy check /src --format sarif
FROM rust:1-alpine AS build
# build-base is a meta package that follows the Alpine release.
# hadolint ignore=DL3018
RUN apk add --no-cache build-base
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked \
    && strip target/release/seaworthy

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /build/target/release/seaworthy /usr/local/bin/seaworthy
# distroless "nonroot" is uid/gid 65532.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/seaworthy"]
CMD ["check", "."]
