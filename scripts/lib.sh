# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test and .ci/run.
# 供 scripts/run、scripts/test 与 .ci/run 共用的函数。Source this file; do not run it.

JIUZHU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -t 1 ]; then
    _C_STEP=$'\033[1;34m' _C_OK=$'\033[1;32m' _C_WARN=$'\033[1;33m' _C_ERR=$'\033[1;31m' _C_OFF=$'\033[0m'
else
    _C_STEP="" _C_OK="" _C_WARN="" _C_ERR="" _C_OFF=""
fi

# Every message: Chinese first, then English, separated by " / ".
step() { printf '%s==> %s%s\n' "$_C_STEP" "$*" "$_C_OFF"; }
info() { printf '    %s\n' "$*"; }
ok()   { printf '%s    ✓ %s%s\n' "$_C_OK" "$*" "$_C_OFF"; }
warn() { printf '%s    ! %s%s\n' "$_C_WARN" "$*" "$_C_OFF" >&2; }
die()  { printf '%s错误 / ERROR: %s%s\n' "$_C_ERR" "$*" "$_C_OFF" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo when it exists.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "需要 root 权限运行: $* / root is needed to run: $* (no sudo found)"
    fi
}

# Install the Debian packages given as arguments, but only those not yet installed.
# Compile the translation catalogues (jiuzhu/locale/*/LC_MESSAGES/django.po → .mo; the .mo files are
# build products, not committed). Walks only the jiuzhu package, never .venv.
compile_translations() {
    step "编译界面翻译 / Compiling translations (msgfmt)"
    (cd "$JIUZHU_ROOT/jiuzhu" && "$JIUZHU_ROOT/.venv/bin/jiuzhu" compilemessages -v 0) \
        || die "编译翻译失败（见上）/ compiling the translations failed (see above)"
}

ensure_apt_packages() {
    local p missing=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        warn "不是 Debian 系统，跳过系统软件包检查；请自行安装: $* / not a Debian system; install these yourself: $*"
        return 0
    fi
    for p in "$@"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        ok "系统软件包已安装 / Debian packages already installed: $*"
        return 0
    fi
    step "安装系统软件包 / Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    ok "系统软件包安装完成 / Debian packages installed: ${missing[*]}"
}

# True when the interpreter $1 runs and is Python 3.12 or newer.
_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

# Print the real path of a Python >= 3.12, or return 1. Run from the repo root, where pyenv's
# `.python-version` makes the `python3` (and `python3.12`) shims resolve to 3.12.
find_python() {
    local c
    for c in python3.12 python3.13 python3; do
        if command -v "$c" >/dev/null 2>&1 && _python_ok "$c"; then
            "$c" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    # pyenv or hand-built Pythons that are not on PATH (for example a shell without `pyenv init`).
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
             /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        if [ -x "$c" ] && _python_ok "$c"; then
            "$c" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

_python_install_hint() {
    cat >&2 <<'EOF'
找不到 Python 3.12 或更高版本。/ No Python >= 3.12 was found (tried python3.12, python3.13, python3).
请安装其中一种后重试 / Install one of these, then run this script again:
  • pyenv:        pyenv install 3.12   (the repo's .python-version then selects it)
  • Debian 13+:   apt-get install -y python3 python3-venv      (Debian 12's python3 is 3.11: too old)
  • Ubuntu:       apt-get install -y python3.12 python3.12-venv
EOF
}

# Create .venv when missing (or when it holds a Python that is too old or broken), then
# `pip install -e .[EXTRAS]` only when pyproject.toml changed since the last install.
# The stamp .venv/.jiuzhu-install-stamp holds "<sha256 of pyproject.toml> <extras>".
ensure_venv() {
    local extras="${1:-}" spec="." py hash want have
    [ -n "$extras" ] && spec=".[$extras]"
    cd "$JIUZHU_ROOT" || return 1

    if [ -e .venv ] && ! _python_ok .venv/bin/python; then
        warn "现有 .venv 不可用或 Python 版本过低，将重建 / existing .venv is broken or too old: rebuilding it"
        rm -rf .venv
    fi
    if [ ! -x .venv/bin/python ]; then
        py="$(find_python)" || { _python_install_hint; exit 1; }
        step "创建虚拟环境 / Creating virtual environment .venv with $py ($("$py" -V 2>&1))"
        "$py" -m venv .venv || die "创建 .venv 失败 / could not create .venv (is the venv module installed?)"
    fi

    hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    want="$hash ${extras:-base}"
    have="$(cat .venv/.jiuzhu-install-stamp 2>/dev/null || true)"
    # A base install is satisfied by any install of the same pyproject.toml; one with extras only
    # by the same extras.
    if [ -x .venv/bin/jiuzhu ] && { [ "$have" = "$want" ] || { [ -z "$extras" ] && [ "${have%% *}" = "$hash" ]; }; }; then
        ok "依赖已是最新 / dependencies up to date (.venv, $(.venv/bin/python -V 2>&1), pyproject.toml unchanged)"
        return 0
    fi
    step "安装依赖 / Installing dependencies: pip install -e '$spec' (首次可能需要几分钟 / first time may take a few minutes)"
    rm -f .venv/.jiuzhu-install-stamp
    .venv/bin/python -m pip install --disable-pip-version-check -q -e "$spec"
    printf '%s\n' "$want" > .venv/.jiuzhu-install-stamp
    ok "依赖安装完成 / dependencies installed"
}

# Seconds since the epoch, with decimals, for timings.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
