#!/usr/bin/env bash
# ensure_plugin_images: local Docker images for Gantry's plugins (see
# plugins/README.md), built without any registry: rootfs tarballs loaded with
# `docker import`, like the test images of ensure-test-images.sh.
#
#   gantry/python:3.11          Debian's static busybox + /usr/bin/python3.11 (also
#                               python3), the shared libraries it and its extension
#                               modules load, and the standard library minus test/,
#                               idlelib/, tkinter/, turtledemo/, ensurepip/, lib2to3/,
#                               pydoc_data/, the libpython config dir and site
#                               packages, precompiled to hash-based .pyc (valid on a
#                               read-only root). PYTHONDONTWRITEBYTECODE=1,
#                               PYTHONUNBUFFERED=1, CMD python3.
#   gantry/classifier:1.0.0     python + plugins/classifier/{main.py,plugin.json} in
#   gantry/processor:1.0.0      /app; USER 65534:65534, ENTRYPOINT python3 /app/main.py
#   gantry-test/plugin-*:latest busybox-only plugins for Gantry's own tests, each an
#                               ENTRYPOINT shell script /plugin/run.sh, USER 65534:65534:
#     echo       result = input (stdin copied to stdout; in argv mode prints "$1")
#     noop       discards the input, prints {"ok":true} (benchmarks)
#     fail       a few stderr lines ending "plugin-fail: deliberate failure", exit 3
#     sleep      {"progress": 0.1} on stderr, sleeps (input {"seconds": N}, else
#                $PLUGIN_SLEEP_SECONDS, else 300), prints {"slept":true}; ends at once
#                on SIGTERM (exit 143)
#     progress   {"progress": 0.25/0.5/0.75} on stderr ~0.3 s apart, an earlier JSON
#                document and log lines on stdout, {"done": true} as the last line
#     badoutput  prints {"unexpected": 1}
#     notjson    prints "hello, not json", exit 0
#     inspect    prints its sandbox as JSON: uid, gid, root_writable, tmp_writable,
#                network, cap_eff, no_new_privs, input (verbatim), args, and the
#                cgroup limits memory_max, pids_max, cpu_max (strings)
#
# Every image is (re)built only when missing or when its content hash (over its
# inputs: binaries, libraries, stdlib files, plugin files, scripts, the recipe and
# the image config; label gantry.content-hash) changes. Freshly built python
# images are smoke-tested under the sandbox Gantry uses (read-only root, no
# network, no capabilities, uid 65534).
#
# Source it and call `ensure_plugin_images`, or run it directly.
# Env knobs: GANTRY_PLUGINS_DIR (default: <repo>/plugins),
#            GANTRY_PLUGIN_PYTHON_VERSION (default: the version /usr/bin/python3
#            points to, else 3.11).

_ENSURE_PLUGIN_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=ensure-docker.sh
source "${_ENSURE_PLUGIN_IMAGES_DIR}/ensure-docker.sh"

GANTRY_PLUGINS_DIR="${GANTRY_PLUGINS_DIR:-$(cd "${_ENSURE_PLUGIN_IMAGES_DIR}/../.." && pwd)/plugins}"
if [[ -z "${GANTRY_PLUGIN_PYTHON_VERSION:-}" ]]; then
  GANTRY_PLUGIN_PYTHON_VERSION="$(readlink -f /usr/bin/python3 2>/dev/null | sed -n 's|^/usr/bin/python\(3\.[0-9][0-9]*\)$|\1|p')"
  GANTRY_PLUGIN_PYTHON_VERSION="${GANTRY_PLUGIN_PYTHON_VERSION:-3.11}"
fi
GANTRY_PYTHON_IMAGE="gantry/python:${GANTRY_PLUGIN_PYTHON_VERSION}"
GANTRY_PLUGIN_EXAMPLES=(classifier processor)
GANTRY_PLUGIN_EXAMPLE_VERSION="1.0.0"
GANTRY_PLUGIN_TEST_NAMES=(echo noop fail sleep progress badoutput notjson inspect)

# Image configs (docker import --change).
_PLUGIN_PY_ENV=(
  'ENV PATH=/usr/local/bin:/usr/bin:/bin'
  'ENV PYTHONDONTWRITEBYTECODE=1'
  'ENV PYTHONUNBUFFERED=1'
  'ENV PYTHONUTF8=1'
)
_PLUGIN_PY_CHANGES=("${_PLUGIN_PY_ENV[@]}" 'WORKDIR /' 'CMD ["/usr/bin/python3"]')
_PLUGIN_APP_CHANGES=("${_PLUGIN_PY_ENV[@]}"
  'WORKDIR /app'
  'USER 65534:65534'
  'ENTRYPOINT ["/usr/bin/python3", "/app/main.py"]'
)
_PLUGIN_TEST_CHANGES=(
  'ENV PATH=/usr/local/bin:/usr/bin:/bin'
  'WORKDIR /'
  'USER 65534:65534'
  'ENTRYPOINT ["/plugin/run.sh"]'
)

# Standard-library parts left out of the python image (paths relative to
# /usr/lib/pythonX.Y; __pycache__ is always regenerated).
_PLUGIN_PY_EXCLUDE_DIRS=(test idlelib tkinter turtledemo ensurepip lib2to3 pydoc_data
  site-packages dist-packages "config-${GANTRY_PLUGIN_PYTHON_VERSION}-x86_64-linux-gnu")
# sitecustomize.py is Debian's link to /etc (apport hook); the extension modules
# are test-only, or legacy ones that would pull in Kerberos / Berkeley DB.
_PLUGIN_PY_EXCLUDE_FILES_RE='^(sitecustomize\.py|lib-dynload/(_test[^/]*|_ctypes_test|_xxtestfuzz|xxlimited[^/]*|nis|_dbm)\.cpython-[^/]*\.so)$'

_plugin_py_bin() { echo "/usr/bin/python${GANTRY_PLUGIN_PYTHON_VERSION}"; }
_plugin_py_lib() { echo "/usr/lib/python${GANTRY_PLUGIN_PYTHON_VERSION}"; }

_plugin_static_busybox() {
  [[ -x /bin/busybox ]] || return 1
  local out
  out="$(LC_ALL=C ldd /bin/busybox 2>&1 || true)"
  [[ "$out" == *"not a dynamic executable"* || "$out" == *"statically linked"* ]]
}

# Host packages the images are made of (Debian 12 names).
_plugin_host_packages() {
  if ! _plugin_static_busybox; then
    apt_ensure busybox-static
    _plugin_static_busybox || die "plugin images: /bin/busybox is not a static binary (is 'busybox' installed instead of 'busybox-static'?)"
  fi
  local v="${GANTRY_PLUGIN_PYTHON_VERSION}" lib
  lib="$(_plugin_py_lib)"
  [[ -x "$(_plugin_py_bin)" ]] || apt_ensure "python${v}-minimal"
  if [[ ! -f "$lib/os.py" || ! -f "$lib/json/__init__.py" || ! -f "$lib/statistics.py" || ! -d "$lib/lib-dynload" ]]; then
    apt_ensure "libpython${v}-minimal" "libpython${v}-stdlib"
  fi
  [[ -x "$(_plugin_py_bin)" && -f "$lib/statistics.py" ]] \
    || die "plugin images: no usable Python ${v} at $(_plugin_py_bin) + $lib"
}

# _plugin_tar DIR OUT: deterministic tarball of DIR.
_plugin_tar() {
  tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf "$2" .
}

# _plugin_busybox_root DIR: the minimal rootfs every plugin image starts from:
# busybox applets in /bin, a real (empty) /usr/bin, root + nobody (65534), /tmp.
_plugin_busybox_root() {
  local root="$1" applet
  mkdir -p "$root"/{bin,etc,root,tmp,var/tmp,usr/bin,usr/local/bin,proc,sys,dev}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  ln -s bin "$root/sbin"
  ln -s ../../bin/busybox "$root/usr/bin/env"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  chmod 0755 "$root" "$root"/{bin,etc,root,var,usr,usr/bin,usr/local,usr/local/bin,proc,sys,dev} "$root/bin/busybox"
  chmod 0644 "$root/etc/passwd" "$root/etc/group"
  chmod 1777 "$root/tmp" "$root/var/tmp"
}

# Relative paths (under the stdlib dir) of the standard-library files that go
# into the python image, sorted. The hash and the copy both use this list.
_plugin_py_stdlib_files() {
  local prune=() d
  for d in "${_PLUGIN_PY_EXCLUDE_DIRS[@]}"; do prune+=(-path "./$d" -o); done
  (
    cd "$(_plugin_py_lib)" || exit 1
    find . \( "${prune[@]}" -name __pycache__ \) -prune -o \( -type f -o -type l \) -printf '%P\n' \
      | grep -Ev "${_PLUGIN_PY_EXCLUDE_FILES_RE}" | LC_ALL=C sort
  )
}

# _plugin_ldd FILE...: one "FILE LIB" line per shared library (the dynamic
# loader included) each FILE loads, and "FILE !" when one is not found.
# One ldd run for all files (it prints "FILE:" before each file's list).
_plugin_ldd() {
  local one=""
  [[ $# -eq 1 ]] && one="$1"
  LC_ALL=C ldd "$@" 2>/dev/null | awk -v file="$one" '
    /^[^ \t].*:$/      { file = substr($0, 1, length($0) - 1); next }
    /=> not found/      { print file, "!"; next }
    /=> \//            { print file, $3; next }
    /^[ \t]+\//        { print file, $1 }' || true
}

# Sets _PLUGIN_PY_FILES (the stdlib list minus extension modules whose
# libraries are missing) and _PLUGIN_PY_LIBS (what python and those load).
_plugin_py_resolve() {
  local lib rel f l files=() mods=() pairs=()
  local -A bad=()
  lib="$(_plugin_py_lib)"
  mapfile -t files < <(_plugin_py_stdlib_files)
  for rel in "${files[@]}"; do
    [[ "$rel" == lib-dynload/*.so ]] && mods+=("$lib/$rel")
  done
  mapfile -t pairs < <(_plugin_ldd "$(_plugin_py_bin)" "${mods[@]}")
  for l in "${pairs[@]}"; do
    [[ "$l" == *" !" ]] && bad["${l% !}"]=1
  done
  [[ -z "${bad["$(_plugin_py_bin)"]:-}" ]] || die "plugin images: $(_plugin_py_bin) needs a library that is missing"
  _PLUGIN_PY_FILES=()
  for rel in "${files[@]}"; do
    if [[ -n "${bad["$lib/$rel"]:-}" ]]; then
      warn "plugin images: leaving out $rel (a library it needs is missing)"
    else
      _PLUGIN_PY_FILES+=("$rel")
    fi
  done
  mapfile -t _PLUGIN_PY_LIBS < <(
    for l in "${pairs[@]}"; do
      f="${l% *}"
      [[ -z "${bad["$f"]:-}" && "${l##* }" != "!" ]] && echo "${l##* }"
    done | LC_ALL=C sort -u)
  (( ${#_PLUGIN_PY_LIBS[@]} )) || die "plugin images: ldd found no libraries for $(_plugin_py_bin)"
}

# _plugin_python_root DIR: the python rootfs (needs _plugin_py_resolve first).
_plugin_python_root() {
  local root="$1" v="${GANTRY_PLUGIN_PYTHON_VERSION}" src dst l
  src="$(_plugin_py_lib)"
  dst="$root/usr/lib/python$v"
  _plugin_busybox_root "$root"
  cp "$(_plugin_py_bin)" "$root/usr/bin/python$v"
  ln -s "python$v" "$root/usr/bin/python3"
  ln -s python3 "$root/usr/bin/python"
  for l in "${_PLUGIN_PY_LIBS[@]}"; do
    mkdir -p "$root$(dirname "$l")"
    cp -L "$l" "$root$l"   # keeps the mode (the loader must stay executable)
  done
  [[ -e "$root/lib64/ld-linux-x86-64.so.2" || ! -e /lib64/ld-linux-x86-64.so.2 ]] \
    || die "plugin images: the dynamic loader did not make it into the python rootfs"
  mkdir -p "$dst"
  printf '%s\n' "${_PLUGIN_PY_FILES[@]}" | tar -C "$src" --no-recursion -T - -cf - | tar -C "$dst" -xf -
  # Hash-based .pyc that are never checked against the sources: valid whatever
  # the mtimes in the tarball, and nothing is (or could be) written at run time.
  env -i PATH=/usr/bin:/bin "$(_plugin_py_bin)" -I -m compileall -q -j 0 \
    --invalidation-mode unchecked-hash -s "$root" -p / "$dst" >/dev/null \
    || die "plugin images: compileall of the python rootfs failed"
  find "$root/usr" "$root/lib"* -type d -exec chmod 0755 {} +
  chmod 0755 "$root/usr/bin/python$v"
}

# _plugin_import NAME HASH TARBALL CHANGE...: docker import TARBALL as NAME with
# the given image config and the content-hash label; drops the image it replaced.
_plugin_import() {
  local name="$1" hash="$2" tarball="$3"; shift 3
  local old_id args=() c
  old_id="$(gdocker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)"
  log "images: building $name (docker import, hash $hash)"
  for c in "$@" "LABEL gantry.content-hash=$hash"; do args+=(--change "$c"); done
  gdocker import "${args[@]}" --message "gantry plugin image" "$tarball" "$name" >/dev/null \
    || die "images: docker import of $name failed"
  # Drop the image this replaced (now untagged) unless a container still uses it.
  if [[ -n "$old_id" ]]; then gdocker rmi "$old_id" >/dev/null 2>&1 || true; fi
  _PLUGIN_IMAGES_BUILT+=("$name")
}

# _plugin_current NAME HASH: true (and says so) when NAME carries label HASH.
_plugin_current() {
  local current
  current="$(gdocker image inspect -f '{{ index .Config.Labels "gantry.content-hash" }}' "$1" 2>/dev/null || true)"
  if [[ "$current" == "$2" ]]; then
    log "images: $1 is up to date"
    return 0
  fi
  return 1
}

# _plugin_tar_add BASE.tar OUT.tar DIR: OUT = BASE plus the contents of DIR,
# whose top-level entries must not be in BASE (docker refuses duplicate paths).
_plugin_tar_add() {
  local entries=()
  mapfile -t entries < <(cd "$3" && find . -mindepth 1 -maxdepth 1 | LC_ALL=C sort)
  cp "$1" "$2"
  tar -C "$3" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -rf "$2" "${entries[@]}"
}

# The sandbox Gantry runs plugins in.
_plugin_sandbox_run() {
  gdocker run --rm -i --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    --network none --user 65534:65534 --label gantry.smoke-test=1 "$@"
}

# ---- test plugin scripts (busybox sh) -----------------------------------------

_plugin_test_script() {
  case "$1" in
    echo) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-echo: the result is the input (stdin, or argv[1] in argv mode).
if [ "$#" -gt 0 ]; then printf '%s\n' "$1"; else exec cat; fi
SH
    noop) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-noop: discards the input, prints {"ok":true}.
[ "$#" -gt 0 ] || cat >/dev/null
echo '{"ok":true}'
SH
    fail) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-fail: reads the input, complains on stderr, exits 3.
if [ "$#" -gt 0 ]; then n=${#1}; else n=$(wc -c); fi
echo "plugin-fail: starting" >&2
echo "plugin-fail: read ${n} bytes of input" >&2
echo "plugin-fail: deliberate failure" >&2
exit 3
SH
    sleep) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-sleep: reports progress 0.1, sleeps, prints {"slept":true}.
# Seconds: input field "seconds" (e.g. {"seconds": 2}), else $PLUGIN_SLEEP_SECONDS,
# else 300. As PID 1 it would ignore SIGTERM: the trap ends it at once.
pid=
trap 'echo "plugin-sleep: terminated" >&2; [ -n "$pid" ] && kill "$pid" 2>/dev/null; exit 143' TERM INT HUP
if [ "$#" -gt 0 ]; then input=$1; else input=$(cat); fi
secs=$(printf '%s\n' "$input" | sed -n 's/.*"seconds"[[:space:]]*:[[:space:]]*\([0-9][0-9.]*\).*/\1/p' | head -n 1)
[ -n "$secs" ] || secs=${PLUGIN_SLEEP_SECONDS:-300}
echo '{"progress": 0.1}' >&2
sleep "$secs" &
pid=$!
wait "$pid"
echo '{"slept":true}'
SH
    progress) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-progress: three progress lines on stderr ~0.3 s apart;
# stdout has an earlier JSON document and log lines, the result comes last.
trap 'exit 143' TERM INT HUP
[ "$#" -gt 0 ] || cat >/dev/null
echo "plugin-progress: starting" >&2
echo '{"partial": true}'
for p in 0.25 0.5 0.75; do
  sleep 0.3
  echo "{\"progress\": ${p}}" >&2
  echo "log: reached ${p}"
done
echo "log: all steps done, writing the result"
echo '{"done": true}'
SH
    badoutput) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-badoutput: valid JSON that no sensible output schema accepts.
[ "$#" -gt 0 ] || cat >/dev/null
echo '{"unexpected": 1}'
SH
    notjson) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-notjson: exits 0 without any JSON on stdout.
[ "$#" -gt 0 ] || cat >/dev/null
echo 'hello, not json'
SH
    inspect) cat <<'SH' ;;
#!/bin/sh
# gantry-test/plugin-inspect: prints one JSON object describing its sandbox.
if [ "$#" -gt 0 ]; then input=$1; else input=$(cat); fi
# Newlines can only be whitespace between JSON tokens: keep the output one line.
input=$(printf '%s' "$input" | tr '\r\n' '  ')
case "$input" in *[![:space:]]*) ;; *) input=null ;; esac
if touch /probe 2>/dev/null; then root_w=true; rm -f /probe; else root_w=false; fi
if t=$(mktemp /tmp/probe.XXXXXX 2>/dev/null); then tmp_w=true; rm -f "$t"; else tmp_w=false; fi
net=false
for i in /sys/class/net/*; do
  [ -e "$i" ] || continue
  [ "${i##*/}" = lo ] || net=true
done
cap_eff=; nnp=
while read -r k v; do
  case "$k" in CapEff:) cap_eff=$v ;; NoNewPrivs:) nnp=$v ;; esac
done </proc/self/status
first() { for f in "$@"; do [ -r "$f" ] && { tr -d '"\\\n' <"$f"; return; }; done; }
mem=$(first /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes)
pids=$(first /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max)
cpu=$(first /sys/fs/cgroup/cpu.max)
if [ -z "$cpu" ] && [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
  cpu="$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
fi
printf '{"uid": %s, "gid": %s, "root_writable": %s, "tmp_writable": %s, "network": %s, "cap_eff": "%s", "no_new_privs": "%s", "input": %s, "args": %s, "memory_max": "%s", "pids_max": "%s", "cpu_max": "%s"}\n' \
  "$(id -u)" "$(id -g)" "$root_w" "$tmp_w" "$net" "$cap_eff" "$nnp" "$input" "$#" "$mem" "$pids" "$cpu"
SH
    *) return 1 ;;
  esac
}

# ---- the images ----------------------------------------------------------------

_ensure_plugin_images_locked() {
  local work l
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  _PLUGIN_IMAGES_BUILT=()

  # gantry/python and the example plugins on it.
  _plugin_py_resolve
  local py_hash
  py_hash="$({
    sha256sum </bin/busybox
    sha256sum <"$(_plugin_py_bin)"
    for l in "${_PLUGIN_PY_LIBS[@]}"; do printf '%s ' "$l"; sha256sum <"$l"; done
    (cd "$(_plugin_py_lib)" && printf '%s\0' "${_PLUGIN_PY_FILES[@]}" | xargs -0 sha256sum)
    declare -f _plugin_busybox_root _plugin_python_root _plugin_tar
    printf '%s\n' "${_PLUGIN_PY_CHANGES[@]}"
  } | sha256sum | cut -c1-32)"

  local py_tar="$work/python.tar"
  _plugin_python_tar() {
    [[ -s "$py_tar" ]] && return 0
    log "images: making the python ${GANTRY_PLUGIN_PYTHON_VERSION} rootfs (${#_PLUGIN_PY_FILES[@]} stdlib files, ${#_PLUGIN_PY_LIBS[@]} libraries)"
    mkdir -p "$work/python"
    _plugin_python_root "$work/python"
    _plugin_tar "$work/python" "$py_tar"
    rm -rf "$work/python"
  }

  if ! _plugin_current "${GANTRY_PYTHON_IMAGE}" "$py_hash"; then
    _plugin_python_tar
    _plugin_import "${GANTRY_PYTHON_IMAGE}" "$py_hash" "$py_tar" "${_PLUGIN_PY_CHANGES[@]}"
    local out
    out="$(_plugin_sandbox_run "${GANTRY_PYTHON_IMAGE}" python3 -c \
      'import json, math, statistics, sys, hashlib, ssl, sqlite3, ctypes, decimal, zlib; print(json.dumps(statistics.mean([1, 2, 3])))' 2>&1 </dev/null)" \
      || die "images: ${GANTRY_PYTHON_IMAGE} smoke test failed: $out"
    [[ "$out" == "2" ]] || die "images: ${GANTRY_PYTHON_IMAGE} smoke test printed '$out' (expected 2)"
    log "images:   ${GANTRY_PYTHON_IMAGE} runs python in the plugin sandbox"
  fi

  local name dir hash image tarball
  for name in "${GANTRY_PLUGIN_EXAMPLES[@]}"; do
    dir="${GANTRY_PLUGINS_DIR}/$name"
    image="gantry/$name:${GANTRY_PLUGIN_EXAMPLE_VERSION}"
    [[ -f "$dir/main.py" && -f "$dir/plugin.json" ]] || die "images: $dir/main.py or plugin.json is missing"
    hash="$({ echo "$py_hash"; sha256sum <"$dir/main.py"; sha256sum <"$dir/plugin.json"; \
      declare -f _plugin_tar_add; printf '%s\n' "${_PLUGIN_APP_CHANGES[@]}"; } | sha256sum | cut -c1-32)"
    _plugin_current "$image" "$hash" && continue
    _plugin_python_tar
    mkdir -p "$work/$name/app"
    install -m 0644 "$dir/main.py" "$dir/plugin.json" "$work/$name/app/"
    chmod 0755 "$work/$name" "$work/$name/app"
    tarball="$work/$name.tar"
    _plugin_tar_add "$py_tar" "$tarball" "$work/$name"
    _plugin_import "$image" "$hash" "$tarball" "${_PLUGIN_APP_CHANGES[@]}" \
      "LABEL gantry.plugin=$name" "LABEL gantry.plugin.version=${GANTRY_PLUGIN_EXAMPLE_VERSION}"
    rm -f "$tarball"
  done
  [[ -s "$py_tar" ]] && _plugin_smoke_examples
  rm -f "$py_tar"

  # Test plugins: the busybox rootfs plus /plugin/run.sh.
  local bb_tar="$work/busybox.tar" script
  for name in "${GANTRY_PLUGIN_TEST_NAMES[@]}"; do
    image="gantry-test/plugin-$name:latest"
    script="$(_plugin_test_script "$name")" || die "images: no script for test plugin $name"
    hash="$({ sha256sum </bin/busybox; declare -f _plugin_busybox_root _plugin_tar _plugin_tar_add; \
      printf '%s\n' "$script" "${_PLUGIN_TEST_CHANGES[@]}"; } | sha256sum | cut -c1-32)"
    _plugin_current "$image" "$hash" && continue
    if [[ ! -s "$bb_tar" ]]; then
      mkdir -p "$work/busybox"
      _plugin_busybox_root "$work/busybox"
      _plugin_tar "$work/busybox" "$bb_tar"
      rm -rf "$work/busybox"
    fi
    mkdir -p "$work/$name/plugin"
    printf '%s\n' "$script" >"$work/$name/plugin/run.sh"
    chmod 0755 "$work/$name" "$work/$name/plugin" "$work/$name/plugin/run.sh"
    tarball="$work/$name.tar"
    _plugin_tar_add "$bb_tar" "$tarball" "$work/$name"
    _plugin_import "$image" "$hash" "$tarball" "${_PLUGIN_TEST_CHANGES[@]}" "LABEL gantry.plugin=test-$name"
    rm -f "$tarball"
  done

  if (( ${#_PLUGIN_IMAGES_BUILT[@]} )); then
    log "images: plugin images built: ${_PLUGIN_IMAGES_BUILT[*]}"
  fi
}

# After a build of the example plugins: run each once in the sandbox.
_plugin_smoke_examples() {
  local out
  out="$(_plugin_sandbox_run "gantry/classifier:${GANTRY_PLUGIN_EXAMPLE_VERSION}" <<<'{"features": [1, 2, 3]}' 2>&1)" \
    || die "images: classifier smoke test failed: $out"
  [[ "$out" == *'"prediction": "class_A"'* ]] || die "images: classifier smoke test printed: $out"
  out="$(_plugin_sandbox_run "gantry/processor:${GANTRY_PLUGIN_EXAMPLE_VERSION}" 2>/dev/null \
    <<<'{"records": [{"value": 2}, {"value": 1}, {"value": 2}], "operations": ["deduplicate", "sort", "stats"]}')" \
    || die "images: processor smoke test failed: $out"
  [[ "$out" == *'"records": [{"value": 1}, {"value": 2}]'* ]] || die "images: processor smoke test printed: $out"
  log "images:   classifier and processor run in the plugin sandbox"
}

ensure_plugin_images() {
  ensure_docker
  _plugin_host_packages
  # One builder at a time (concurrent setup/test runs would import twice and
  # remove each other's fresh images).
  # A subshell (for the lock and the EXIT trap) with errexit on. It is not part
  # of a || or an if on purpose: bash would ignore set -e inside it there.
  (
    set -eo pipefail
    exec 7>"${GANTRY_LOCK_DIR}/gantry-plugin-images.lock"
    flock 7
    _ensure_plugin_images_locked
  )
  local rc=$?
  (( rc == 0 )) || die "images: building the plugin images failed"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_plugin_images "$@"
fi
