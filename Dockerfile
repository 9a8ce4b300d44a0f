# Relais: one static binary in a distroless image.
#
#   docker build -t relais .
#   docker run -p 8080:8080 -e REDIS_URL=redis://redis:6379 relais
#
# Without REDIS_URL the server runs on its embedded in-memory store (one instance, data lost at
# exit). The classifier is trained at build time into the model cache, so a container starts
# serving in about a second; a designer's bot (RELAIS_BOT_DIR) is trained at start.

# --- build ---------------------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: this layer is cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no libc needed in the final image.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/relais .
# Train the built-in classifier once, into the cache the server reads (XDG_CACHE_HOME).
RUN mkdir -p /out/cache && XDG_CACHE_HOME=/out/cache /out/relais nlu train

# --- run -----------------------------------------------------------------------------------
# distroless/static: CA certificates (for rediss:// and webhooks), tzdata, /etc/passwd with the
# nonroot user (65532), and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/relais /relais
COPY --from=build --chown=65532:65532 /out/cache /home/nonroot/.cache
ENV ADDR=:8080 \
    XDG_CACHE_HOME=/home/nonroot/.cache
USER nonroot:nonroot
EXPOSE 8080
# distroless has no curl: orchestrators probe GET /healthz (alive) and GET /readyz (Redis).
ENTRYPOINT ["/relais"]
CMD ["serve"]
