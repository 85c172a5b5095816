# postkit serve in a container, for those who can pull images from a
# registry: build with the Rust toolchain, run the binary alone (fonts,
# templates and the page are embedded) as an unprivileged user. Not built on
# the project's machines (they cannot pull rust or debian images): there,
# scripts/container.sh builds an image FROM scratch around the release
# binary and its libraries, and CI runs it. See README, "Host it for your
# partners".
FROM rust:1-bookworm AS build
# nasm: the H.264 encoder (feature `video`) uses its assembly, about three
# times faster.
RUN apt-get update && apt-get install -y --no-install-recommends nasm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/postkit

FROM debian:bookworm-slim
RUN useradd --system --no-create-home --shell /usr/sbin/nologin postkit
COPY --from=build /src/target/release/postkit /usr/local/bin/postkit
USER postkit
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/postkit", "serve", "--bind", "0.0.0.0:8080"]
