# The collector with the release agent and the dashboard, in one image.
#
#   docker build -t lifeline .
#   docker run -p 8080:8080 -v lifeline-data:/data lifeline          # on its own SQLite
#   docker compose up                                                # two collectors on PostgreSQL
#
# The build runs what `make agent` runs (wasm-bindgen at the version in Cargo.lock, binaryen
# and terser from npm), then builds the collector with the `server` profile.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rustup target add wasm32-unknown-unknown \
 && cargo install wasm-bindgen-cli --locked --version "$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)" \
 && npm install --prefix .tools --no-audit --no-fund binaryen@132.0.0 terser@5.51.2 \
 && PATH="/src/.tools/node_modules/.bin:$PATH" make agent \
 && cargo build --profile server -p lifeline-collector --bin lifeline-collector --locked

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data lifeline \
 && mkdir -p /data /opt/lifeline \
 && chown lifeline /data
COPY --from=build /src/target/server/lifeline-collector /usr/local/bin/lifeline-collector
COPY --from=build /src/target/agent /opt/lifeline/agent
COPY --from=build /src/www /opt/lifeline/www
USER lifeline
ENV LIFELINE_LISTEN=0.0.0.0:8080 \
    LIFELINE_DATABASE=sqlite:///data/lifeline.db \
    LIFELINE_AGENT_DIR=/opt/lifeline/agent \
    LIFELINE_WWW_DIR=/opt/lifeline/www \
    LIFELINE_LOG=info
VOLUME /data
EXPOSE 8080
# Stops within --grace (10 s) of SIGTERM, every acknowledged report committed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["lifeline-collector"]
CMD ["serve"]
