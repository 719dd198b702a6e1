#!/usr/bin/env bash
# ensure_test_images: local Docker images for Gantry's tests, built without any
# registry: a rootfs made of Debian's static busybox, loaded with `docker import`.
#
#   gantry-test/httpd:latest    busybox httpd on container port 8080, serving
#                               /www/index.html = "gantry test instance"
#   gantry-test/busybox:latest  same rootfs, CMD sleep 3600
#   gantry-test/session:latest  same rootfs plus Debian's OpenSSH sftp-server and
#                               scp (with the libc they link), for GPU-session and
#                               SSH-gateway tests: sftp and scp into a container
#                               that has no sshd
#
# Both have ENV PATH=/bin and ENTRYPOINT /bin/gantry-init, a tiny PID-1 shim that
# runs CMD as a child and forwards SIGTERM/SIGINT/SIGHUP to it, so `docker stop`
# takes ~0.2 s instead of the 10 s timeout (PID 1 ignores unhandled signals).
# stdin and the exit status of CMD are passed through.
#
# An image is (re)built only when missing or when its content hash (rootfs tar +
# image config, stored in label gantry.content-hash) changes. After a build, and
# once per dockerd lifetime, a smoke test runs the httpd image with published
# ports and fetches the page from the host.
#
# At the end it calls ensure_plugin_images (ensure-plugin-images.sh): gantry/python,
# the example plugins and the gantry-test/plugin-* images.
#
# Source it and call `ensure_test_images`, or run it directly.

_ENSURE_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=ensure-docker.sh
source "${_ENSURE_IMAGES_DIR}/ensure-docker.sh"
# shellcheck source=ensure-plugin-images.sh
source "${_ENSURE_IMAGES_DIR}/ensure-plugin-images.sh"   # ensure_plugin_images

GANTRY_TEST_HTTPD_IMAGE="gantry-test/httpd:latest"
GANTRY_TEST_BUSYBOX_IMAGE="gantry-test/busybox:latest"
GANTRY_TEST_SESSION_IMAGE="gantry-test/session:latest"
GANTRY_TEST_PAGE="gantry test instance"
_GANTRY_IMAGES_STAMP="${GANTRY_IMAGES_STAMP:-/run/gantry-test-images.verified}"

_static_busybox() {
  local bb=/bin/busybox
  [[ -x "$bb" ]] || return 1
  # ldd says "not a dynamic executable" (or "statically linked") for static binaries.
  local out
  out="$(LC_ALL=C ldd "$bb" 2>&1 || true)"
  [[ "$out" == *"not a dynamic executable"* || "$out" == *"statically linked"* ]]
}

# _make_rootfs_tar OUT.tar: deterministic tarball of the busybox rootfs.
_make_rootfs_tar() {
  local out="$1" root
  root="$(mktemp -d)"
  mkdir -p "$root"/{bin,etc,root,tmp,www,var/tmp,usr,proc,sys,dev}
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  ln -s bin "$root/sbin"
  ln -s ../bin "$root/usr/bin"
  ln -s ../bin "$root/usr/sbin"
  cat >"$root/bin/gantry-init" <<'SH'
#!/bin/sh
# PID-1 shim for gantry test images: runs "$@" as a child and forwards
# TERM/INT/HUP to it, so `docker stop` is prompt. Keeps stdin (async commands
# would otherwise get /dev/null) and exits with the child's status.
[ "$#" -gt 0 ] || set -- sh
exec 3<&0
"$@" <&3 3<&- &
child=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
while :; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || exit "$rc"
done
SH
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf '%s\n' "${GANTRY_TEST_PAGE}" >"$root/www/index.html"
  chmod 0755 "$root" "$root"/{bin,etc,root,www,var,usr,proc,sys,dev} "$root/bin/busybox" "$root/bin/gantry-init"
  chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/www/index.html"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$out" .
  rm -rf "$root"
}

# _make_session_rootfs_tar BASE.tar OUT.tar: the busybox rootfs plus sftp-server
# and scp at their Debian paths, with every shared library they load.
_make_session_rootfs_tar() {
  local base="$1" out="$2" root bin lib
  root="$(mktemp -d)"
  tar -C "$root" -xf "$base"
  # The busybox rootfs links /usr/bin to /bin; replace it with a real directory.
  rm -f "$root/usr/bin"
  mkdir -p "$root/usr/bin" "$root/usr/lib/openssh"
  cp /usr/lib/openssh/sftp-server "$root/usr/lib/openssh/sftp-server"
  cp /usr/bin/scp "$root/usr/bin/scp"
  for bin in /usr/lib/openssh/sftp-server /usr/bin/scp; do
    for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }'); do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
  tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$out" .
  rm -rf "$root"
}

# _ensure_image NAME CHANGE...: import the rootfs as NAME unless NAME's hash label
# matches. The hash covers the inputs (busybox binary, the rootfs recipe, the image
# config), so nothing is built when the image is current. The rootfs tar is built
# lazily into $_GANTRY_ROOTFS_TAR. Sets _GANTRY_IMAGES_BUILT=1 when it built.
_ensure_image() {
  local name="$1"; shift
  local hash current old_id args=() c
  local tarball="${_GANTRY_ROOTFS_TAR}" extra=""
  if [[ "$name" == "${GANTRY_TEST_SESSION_IMAGE}" ]]; then
    tarball="${_GANTRY_ROOTFS_TAR}.session"
    extra="$(declare -f _make_session_rootfs_tar; sha256sum /usr/lib/openssh/sftp-server /usr/bin/scp)"
  fi
  hash="$({ sha256sum </bin/busybox; declare -f _make_rootfs_tar; echo "${GANTRY_TEST_PAGE}"; echo "$extra"; printf '%s\n' "$@"; } \
    | sha256sum | cut -c1-32)"
  current="$(gdocker image inspect -f '{{ index .Config.Labels "gantry.content-hash" }}' "$name" 2>/dev/null || true)"
  if [[ "$current" == "$hash" ]]; then
    log "images: $name is up to date"
    return 0
  fi
  [[ -s "${_GANTRY_ROOTFS_TAR}" ]] || _make_rootfs_tar "${_GANTRY_ROOTFS_TAR}"
  if [[ "$tarball" != "${_GANTRY_ROOTFS_TAR}" && ! -s "$tarball" ]]; then
    _make_session_rootfs_tar "${_GANTRY_ROOTFS_TAR}" "$tarball"
  fi
  old_id="$(gdocker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)"
  log "images: building $name (docker import, hash $hash)"
  for c in "$@" "LABEL gantry.content-hash=$hash"; do args+=(--change "$c"); done
  gdocker import "${args[@]}" --message "gantry test image (busybox-static)" "$tarball" "$name" >/dev/null \
    || die "images: docker import of $name failed"
  # Drop the image this replaced (it is now untagged) unless a container still uses it.
  [[ -n "$old_id" ]] && gdocker rmi "$old_id" >/dev/null 2>&1 || true
  _GANTRY_IMAGES_BUILT=1
}

# _http_get URL: body of URL, retrying for ~5 s while the server starts.
_http_get() {
  for _ in $(seq 1 25); do
    curl -fsS --max-time 2 "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  curl -fsS --max-time 2 "$1"
}

# Run the httpd image with ports published on 127.0.0.1 and 0.0.0.0 (ephemeral
# host ports, so nothing else is disturbed) and fetch the page through both.
verify_test_images() {
  local cid out port_lo port_any host_ip rc=0
  log "images: smoke test (docker run -p 127.0.0.1::8080 -p 0.0.0.0::8080 ${GANTRY_TEST_HTTPD_IMAGE})"
  cid="$(gdocker run -d --rm --label gantry.smoke-test=1 -p 127.0.0.1::8080 -p 0.0.0.0::8080 "${GANTRY_TEST_HTTPD_IMAGE}")" || {
    warn "images: could not start a container. If the error mentions overlay/mount, restart dockerd with"
    warn "        GANTRY_DOCKER_STORAGE_DRIVER=vfs (stop dockerd, then re-run this script)."
    return 1
  }
  # shellcheck disable=SC2064
  trap "docker -H unix://${GANTRY_DOCKER_SOCK} rm -f $cid >/dev/null 2>&1 || true" RETURN
  out="$(gdocker port "$cid" 8080/tcp)"
  port_lo="$(awk -F: '/^127\.0\.0\.1:/ { print $NF; exit }' <<<"$out")"
  port_any="$(awk -F: '/^0\.0\.0\.0:/ { print $NF; exit }' <<<"$out")"
  [[ -n "$port_lo" && -n "$port_any" ]] || { warn "images: unexpected 'docker port' output: $out"; return 1; }

  local url body
  host_ip="$(hostname -I 2>/dev/null | awk '{ print $1 }' || true)"
  for url in "http://127.0.0.1:${port_lo}/" "http://127.0.0.1:${port_any}/" ${host_ip:+"http://${host_ip}:${port_any}/"}; do
    body="$(_http_get "$url" || true)"
    if [[ "$body" == "${GANTRY_TEST_PAGE}" ]]; then
      log "images:   $url -> '$body'"
    else
      warn "images:   $url -> '${body}' (expected '${GANTRY_TEST_PAGE}')"
      rc=1
    fi
  done
  if [[ "$(gdocker run --rm "${GANTRY_TEST_BUSYBOX_IMAGE}" echo ok 2>&1)" != "ok" ]]; then
    warn "images:   ${GANTRY_TEST_BUSYBOX_IMAGE} could not run 'echo ok'"
    rc=1
  fi
  return "$rc"
}

ensure_test_images() {
  ensure_docker
  # sftp-server and scp go into the session test image.
  [[ -x /usr/lib/openssh/sftp-server ]] || apt_ensure openssh-sftp-server
  [[ -x /usr/bin/scp ]] || apt_ensure openssh-client
  if ! _static_busybox; then
    apt_ensure busybox-static
    _static_busybox || die "images: /bin/busybox is not a static binary (is the 'busybox' package installed instead of 'busybox-static'?)"
  fi

  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  _GANTRY_ROOTFS_TAR="$work/rootfs.tar"

  _GANTRY_IMAGES_BUILT=0
  _ensure_image "${GANTRY_TEST_HTTPD_IMAGE}" \
    'ENV PATH=/bin' 'WORKDIR /' 'EXPOSE 8080' \
    'ENTRYPOINT ["/bin/gantry-init"]' 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'
  _ensure_image "${GANTRY_TEST_BUSYBOX_IMAGE}" \
    'ENV PATH=/bin' 'WORKDIR /' \
    'ENTRYPOINT ["/bin/gantry-init"]' 'CMD ["sleep", "3600"]'
  _ensure_image "${GANTRY_TEST_SESSION_IMAGE}" \
    'ENV PATH=/bin:/usr/bin' 'WORKDIR /' 'CMD ["sh"]'

  # Smoke test after a build, and otherwise once per dockerd process.
  local dpid key
  dpid="$(_dockerd_pid || echo unknown)"
  key="dockerd=${dpid}:$(awk '{ print $22 }' "/proc/${dpid}/stat" 2>/dev/null || true)"
  key+=" $(gdocker image inspect -f '{{.Id}}' "${GANTRY_TEST_HTTPD_IMAGE}" "${GANTRY_TEST_BUSYBOX_IMAGE}" | tr '\n' ' ')"
  if [[ "${_GANTRY_IMAGES_BUILT}" == 1 || "$(cat "${_GANTRY_IMAGES_STAMP}" 2>/dev/null || true)" != "$key" ]]; then
    verify_test_images || die "images: smoke test failed (dockerd log: ${GANTRY_DOCKERD_LOG})"
    echo "$key" >"${_GANTRY_IMAGES_STAMP}" 2>/dev/null || true
    log "images: smoke test passed"
  else
    log "images: smoke test already passed for this dockerd"
  fi

  # Plugin images: gantry/python, the example plugins, gantry-test/plugin-*.
  ensure_plugin_images
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_test_images "$@"
fi
