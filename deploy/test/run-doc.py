#!/usr/bin/env python3
"""Run docs/operations.md's commands, as root, on a sandbox that looks like a bare Debian 12 machine.

    python3 deploy/test/run-doc.py            # exit 0 passed, 1 failed, 77 skipped (not root, no namespaces)
    python3 deploy/test/run-doc.py --check-doc  # only: every ```bash block of the doc is known here

The ```bash blocks are EXTRACTED from docs/operations.md, so what runs is what the doc says: each
block is listed in BLOCKS below, either run here (in the doc's order, in one root shell, as a person
would type them) or pinned by its sha256 with the name of what runs it instead. A new block, a
changed pinned block, or a substitution whose text is no longer in the doc fails.

The sandbox: `unshare --mount --net --pid --fork --kill-child`; an overlayfs of / whose upper layer
is a tmpfs of that mount namespace (useradd, /opt/jiuzhu, /etc/jiuzhu, /etc/nginx, the new
PostgreSQL cluster land there only); its own loopback, so PostgreSQL on 5432 and nginx on 80/443
do not meet the host's; fresh /run, /tmp and /dev/shm. When the namespace's first process exits the
kernel kills everything it started and drops every mount: nothing is left running or mounted.

What the harness supplies (a bare machine would have it from elsewhere):
- the Debian packages are already installed on this machine, so §1's `apt-get install` finds them
  (no network in the sandbox: `apt-get update` only warns); what their postinst scripts do on a
  real install is done after it: `pg_createcluster 15 main --start` and `systemctl start nginx`
  (the host's PostgreSQL clusters are removed from the sandbox's view first);
- systemd: deploy/test/systemctl, a shim that runs the real unit files (see its docstring);
- Python 3.12 in /usr/local as `make altinstall` puts it (this machine's 3.12 mounted read-only);
- `<the Jiuzhu repository>`: /srv/jiuzhu.git, made from this worktree (HEAD, plus uncommitted changes
  to tracked files via `git stash create`), tagged v1.0; v1.1 (one more commit) is added before §4;
- pip: no network in the sandbox, so PIP_NO_INDEX and PIP_FIND_LINKS point at a wheelhouse that the
  host's pip fills first (`pip download` of the project's dependencies, /root/.cache/jiuzhu-doc-wheels);
- the TLS certificate "from your CA": a test CA (trusted by the sandbox's ca-certificates) signs one
  for jiuzhu.example.gov.cn, which /etc/hosts points at 127.0.0.1;
- createsuperuser runs with --noinput and DJANGO_SUPERUSER_USERNAME/_EMAIL/_PASSWORD.
Checks between the blocks (through nginx, with the test CA): see check().
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DOC = REPO / "docs" / "operations.md"
HOST = "jiuzhu.example.gov.cn"
ADMIN_USER, ADMIN_PASSWORD = "itadmin", "Doc-test-Passw0rd!"
SKIP = 77
WHEELS = Path("/root/.cache/jiuzhu-doc-wheels")

# (section, index of the ```bash block within it, phase name or None, pinned sha256, who runs it)
BLOCKS = [
    ("1. Install on a bare Debian 12 machine", 0, "install", None, None),
    ("1. Install on a bare Debian 12 machine", 1, "first-login", None, None),
    ("3. Backups and restore", 0, "backup", None, None),
    ("3. Backups and restore", 1, "restore", None, None),
    ("4. Upgrade and rollback", 0, "upgrade", None, None),
    ("4. Upgrade and rollback", 1, "rollback", None, None),
    ("5. A read replica for the heavy reads", 0, None,
     "943fa12f5a6a2eb79a1bd89a170d3b1011649fc9ac3df86c84451bf6da24f276",
     ".ci/run's ensure_replica (the same steps, on CI's cluster) and test_replica_streaming.py"),
    ("6. Without systemd: `scripts/serve`", 0, None,
     "1a724a7537044aca94e90f3e64730f1e06894d96d5de5d69d99b5982fcf34904",
     "jiuzhu/ops/tests/test_serve.py and test_multiprocess.py (scripts/serve with real values)"),
]

# Exact text of the doc → what runs instead (each must be found in its block).
SUBSTITUTE = {
    "install": [
        ("git clone <the Jiuzhu repository> /opt/jiuzhu", "git clone /srv/jiuzhu.git /opt/jiuzhu"),
    ],
    "first-login": [
        ("-- .venv/bin/jiuzhu createsuperuser\n", "-- .venv/bin/jiuzhu createsuperuser --noinput\n"),
    ],
}
# Harness steps inserted after a line of a block (the line must be found).
AFTER_LINE = {
    "install": [
        ("    fonts-tibetan-machine gettext poppler-utils python3-venv", "__harness postinst"),
        ("cp deploy/jiuzhu.env.example /etc/jiuzhu/jiuzhu.env       # then edit the host name and sizes",
         "__harness edit-env"),
        ("# TLS certificate from your CA into /etc/jiuzhu/tls/fullchain.pem and privkey.pem, then nginx:",
         "__harness certificate"),
    ],
}


def bash_blocks(text: str) -> list[tuple[str, int, str]]:
    """(section heading, index within the section, code) of every ```bash block."""
    out, section, counts = [], "", {}
    for m in re.finditer(r"^## ([^\n]+)$|^```bash\n(.*?)^```$", text, re.M | re.S):
        if m.group(1):
            section = m.group(1).strip()
            continue
        i = counts.get(section, 0)
        counts[section] = i + 1
        out.append((section, i, m.group(2)))
    return out


def sha(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def check_doc(text: str) -> list[str]:
    """Problems between the doc's blocks and BLOCKS / SUBSTITUTE / AFTER_LINE ([] when none)."""
    problems = []
    found = {(s, i): code for s, i, code in bash_blocks(text)}
    known = {(s, i) for s, i, *_ in BLOCKS}
    for key in found.keys() - known:
        problems.append(f"a ```bash block the harness does not know: §{key[0]} #{key[1] + 1}")
    for s, i, phase, pinned, who in BLOCKS:
        code = found.get((s, i))
        if code is None:
            problems.append(f"block §{s} #{i + 1} is no longer in the doc")
            continue
        if pinned and sha(code) != pinned:
            problems.append(f"block §{s} #{i + 1} changed (sha256 {sha(code)}); it is run by {who}: "
                            "make that agree, then update its sha256 in deploy/test/run-doc.py")
        for old, _ in SUBSTITUTE.get(phase or "", []):
            if old not in code:
                problems.append(f"§{s} #{i + 1}: the text to substitute is gone: {old!r}")
        for line, _ in AFTER_LINE.get(phase or "", []):
            if line not in code.splitlines():
                problems.append(f"§{s} #{i + 1}: the line to follow is gone: {line!r}")
    return problems


def script_of(text: str) -> str:
    """The one root-shell script: every run block, the harness steps and the checks between them."""
    blocks = {(s, i): code for s, i, code in bash_blocks(text)}
    parts = ["set -euo pipefail", "PS4='+ '",
             f"__harness() {{ python3 {HERE / 'run-doc.py'} --step \"$@\"; }}"]
    for s, i, phase, _pinned, _ in BLOCKS:
        if not phase:
            continue
        code = blocks[(s, i)]
        for old, new in SUBSTITUTE.get(phase, []):
            code = code.replace(old, new)
        lines = []
        for line in code.splitlines():
            lines.append(line)
            for after, step in AFTER_LINE.get(phase, []):
                if line == after:
                    lines.append(step)
        parts += [f"__harness begin {phase}", "set -x", *lines, "{ set +x; } 2>/dev/null",
                  f"__harness check {phase}"]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- outside the sandbox

def run_outer() -> int:
    text = DOC.read_text()
    problems = check_doc(text)
    if problems:
        print("docs/operations.md and deploy/test/run-doc.py disagree:\n  " + "\n  ".join(problems))
        return 1
    if os.geteuid() != 0:
        print("跳过 SKIPPED: the install commands run as root in a namespace sandbox; not root here")
        return SKIP
    probe = subprocess.run(
        ["unshare", "--mount", "--net", "--pid", "--fork", "sh", "-c",
         "mount --make-rprivate / && d=$(mktemp -d) && mount -t tmpfs t $d && mkdir $d/u $d/w $d/r"
         " && mount -t overlay o -o lowerdir=/,upperdir=$d/u,workdir=$d/w $d/r && ls $d/r/etc >/dev/null"
         "; rc=$?; umount -R $d 2>/dev/null; rmdir $d; exit $rc"], capture_output=True, text=True)
    if probe.returncode:
        print("跳过 SKIPPED: no mount/net/pid namespaces or overlayfs here: " + probe.stderr.strip()[-300:])
        return SKIP
    py = subprocess.run(["python3.12", "-c", "import sys; print(sys.base_prefix)"], capture_output=True, cwd=REPO,
                        text=True)
    if py.returncode:
        print("跳过 SKIPPED: no python3.12 on this machine to give the sandbox")
        return SKIP
    # pip in the sandbox has no network: the wheels of the project's dependencies, from the host's
    # pip (its HTTP cache makes this quick after the first time).
    w0 = time.monotonic()
    import tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    needs = [*project["project"]["dependencies"], *project["build-system"]["requires"], "wheel"]
    pip = ["python3.12", "-m", "pip", "download", "-q", "--disable-pip-version-check", "-d", str(WHEELS), *needs]
    dl = subprocess.run([*pip, "--no-index", "--find-links", str(WHEELS)], capture_output=True, text=True, cwd=REPO)
    if dl.returncode:  # something missing: fill it from the index
        dl = subprocess.run(pip, capture_output=True, text=True, cwd=REPO)
    if dl.returncode:
        print("FAILED: pip download of the wheelhouse: " + dl.stderr.strip()[-800:])
        return 1
    print(f"run-doc: wheelhouse {WHEELS} ({len(list(WHEELS.glob('*.whl')))} wheels) in "
          f"{time.monotonic() - w0:.0f} s", flush=True)
    stash = subprocess.run(["git", "-C", str(REPO), "stash", "create"], capture_output=True, text=True,
                           check=True).stdout.strip()
    snapshot = stash or subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                                       text=True, check=True).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="jiuzhu-doc-"))
    log = Path(tempfile.mkstemp(prefix="jiuzhu-doc-", suffix=".log")[1])
    t0 = time.monotonic()
    print(f"run-doc: the shell's whole output (set -x) goes to {log}", flush=True)
    try:
        (tmp / "script.sh").write_text(script_of(text))
        cmd = ["unshare", "--mount", "--net", "--pid", "--fork", "--kill-child",
               sys.executable, str(HERE / "run-doc.py"), "--inner", str(tmp), snapshot, py.stdout.strip(), str(log)]
        # Killing unshare kills the namespace's first process (--kill-child), hence all of it.
        proc = subprocess.Popen(cmd)
        signal.signal(signal.SIGTERM, lambda *_: proc.kill())
        try:
            rc = proc.wait(timeout=1200)
        except subprocess.TimeoutExpired:
            print("FAILED: the sandbox did not finish within 20 min (killed with its namespace)")
            rc = 1
        finally:
            proc.kill()
            proc.wait()
        if rc == 0:
            log.unlink()
        else:
            print(f"---- the last 60 lines of {log}")
            print("\n".join(log.read_text(errors="replace").splitlines()[-60:]))
    finally:
        left = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True).stdout
        shutil.rmtree(tmp, ignore_errors=True)
        if str(tmp) in left:
            print(f"FAILED: something is still mounted under {tmp}")
            rc = 1
    print(f"run-doc: {'PASSED' if rc == 0 else 'FAILED'} in {time.monotonic() - t0:.0f} s")
    return rc


# ---------------------------------------------------------------- PID 1 of the sandbox

def sh(cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", cmd], check=True, **kw)


def run_inner(tmp: Path, snapshot: str, python_prefix: str, log: str) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(inner_main(tmp, snapshot, python_prefix, log))
        except BaseException as e:  # noqa: BLE001 - report anything, then fail
            print(f"FAILED in the sandbox setup: {e!r}", flush=True)
            os._exit(1)
    while True:  # PID 1: reap every orphan (the daemons' exited children) until the main child ends
        try:
            done, status = os.wait()
        except ChildProcessError:
            return 1
        if done == pid:
            return os.waitstatus_to_exitcode(status)


def inner_main(tmp: Path, snapshot: str, python_prefix: str, log_path: str) -> int:
    t0 = time.monotonic()
    root = tmp / "root"
    layer = tmp / "layer"
    for d in (root, layer):
        d.mkdir()
    sh("mount --make-rprivate /")
    sh(f"mount -t tmpfs -o size=12g,mode=0755 jiuzhu-doc {layer} && mkdir {layer}/upper {layer}/work")
    sh(f"mount -t overlay jiuzhu-doc -o lowerdir=/,upperdir={layer}/upper,workdir={layer}/work {root}")
    sh(f"mount -t proc proc {root}/proc && mount --rbind /dev {root}/dev && mount --rbind /sys {root}/sys")
    for d, mode in (("run", "0755"), ("tmp", "1777"), ("dev/shm", "1777")):
        sh(f"mount -t tmpfs -o mode={mode} jiuzhu-doc {root}/{d}")
    # This checkout, at its own path: a clone under /tmp (as CI's may be) or on another file system would
    # otherwise be hidden by the fresh /tmp or missing from the overlay of /.
    (root / REPO.relative_to("/")).mkdir(parents=True, exist_ok=True)
    sh(f"mount --bind {REPO} {root}{REPO}")
    # Python 3.12 as `make altinstall` puts it into /usr/local: this machine's, mounted read-only.
    for part in ("lib/python3.12", "lib/libpython3.12.so.1.0", "bin/python3.12"):
        src, dst = Path(python_prefix, part), root / "usr/local" / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            dst.mkdir(exist_ok=True)
        else:
            dst.touch()
        sh(f"mount --bind {src} {dst} && mount -o remount,bind,ro {dst}")
    # No PostgreSQL cluster yet (the host's live one is hidden, not copied): empty folders over them.
    pg = subprocess.run(["id", "-u", "postgres"], capture_output=True, text=True).stdout.strip() or "0"
    for d, opts in (("etc/postgresql", "mode=0755"), ("var/lib/postgresql", f"mode=0755,uid={pg},gid={pg}"),
                    ("var/log/postgresql", f"mode=1775,gid={pg}")):
        if (root / d).is_dir():
            sh(f"mount -t tmpfs -o {opts} jiuzhu-doc {root}/{d}")
    script = (tmp / "script.sh").read_text()
    log = open(log_path, "ab")  # noqa: SIM115 - kept open across the chroot
    os.chroot(root)
    os.chdir("/")
    Path("/run/doc-test").mkdir()
    Path("/run/doc-test/script.sh").write_text(script)
    os.environ.clear()
    os.environ.update(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME="/root",
                      LANG="C.UTF-8", TERM="dumb")
    sh("ip link set lo up")
    bare_machine(snapshot)
    print(f"run-doc: sandbox ready in {time.monotonic() - t0:.0f} s", flush=True)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELS), PIP_DISABLE_PIP_VERSION_CHECK="1",
               DJANGO_SUPERUSER_USERNAME=ADMIN_USER, DJANGO_SUPERUSER_EMAIL="it@example.gov.cn",
               DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD, DEBIAN_FRONTEND="noninteractive")
    shell = subprocess.Popen(["bash", "/run/doc-test/script.sh"], env=env, stdin=subprocess.DEVNULL, cwd="/root",
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for line in shell.stdout:  # everything into the log; the phases and the checks also here
        log.write(line)
        log.flush()
        if line.startswith((b"======== run-doc", b"  \xe2\x9c\x93", b"Traceback", b"AssertionError")):
            sys.stdout.write(line.decode(errors="replace"))
            sys.stdout.flush()
    rc = shell.wait()
    report(rc)
    return rc


def bare_machine(snapshot: str) -> None:
    """Make the overlay look like a Debian 12 machine on which nothing of Jiuzhu was done."""
    sh("rm -rf /opt/jiuzhu /etc/jiuzhu "
       "/var/lib/jiuzhu /var/backups/jiuzhu /etc/systemd/system/jiuzhu-* /etc/systemd/system/*.wants/jiuzhu-* "
       "/etc/nginx/sites-available/jiuzhu /etc/nginx/sites-enabled/jiuzhu /srv/jiuzhu.git")
    sh("! id jiuzhu 2>/dev/null || userdel jiuzhu")
    sh("mkdir -p /run/postgresql /var/log/systemctl-shim && chown postgres:postgres /run/postgresql "
       "&& chmod 2775 /run/postgresql")
    shutil.copy(HERE / "systemctl", "/usr/local/bin/systemctl")
    os.chmod("/usr/local/bin/systemctl", 0o755)
    sh("ldconfig")
    sh(f"echo '127.0.0.1 {HOST}' >> /etc/hosts")
    # The organisation's CA, trusted by the machine; §1's certificate is signed by it.
    sh("mkdir -p /root/test-ca && cd /root/test-ca && "
       "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Jiuzhu doc test CA' "
       "-keyout ca.key -out ca.crt 2>/dev/null && "
       "cp ca.crt /usr/local/share/ca-certificates/jiuzhu-doc-test-ca.crt && update-ca-certificates >/dev/null 2>&1")
    # <the Jiuzhu repository>: this worktree's commit (uncommitted changes to tracked files included).
    sh(f"git -C {REPO} update-ref refs/doc-test/snapshot {snapshot} && git init -q --bare /srv/jiuzhu.git && "
       f"git -C /srv/jiuzhu.git fetch -q --no-tags {REPO} refs/doc-test/snapshot:refs/heads/main && "
       "git -C /srv/jiuzhu.git symbolic-ref HEAD refs/heads/main && git -C /srv/jiuzhu.git tag v1.0 main")


# ---------------------------------------------------------------- steps and checks (in the shell)

TIMES = Path("/run/doc-test/times.json")


def times() -> dict:
    return json.loads(TIMES.read_text()) if TIMES.exists() else {}


def step(args: list[str]) -> int:
    what = args[0]
    if what == "begin":
        t = times()
        t.setdefault("_order", []).append(args[1])
        t[args[1]] = {"start": time.time()}
        if args[1] in ("upgrade", "rollback"):
            t[args[1]]["pids"] = [main_pid(u) for u in ("jiuzhu-web.service", "jiuzhu-worker@1.service", "jiuzhu-worker@2.service")]
        TIMES.parent.mkdir(parents=True, exist_ok=True)
        TIMES.write_text(json.dumps(t))
        print(f"\n======== run-doc: {args[1]} ========", flush=True)
        if args[1] == "upgrade":
            make_release("v1.1")
        return 0
    if what == "check":
        t = times()
        t[args[1]]["ran"] = time.time()
        print(flush=True)  # after the output of the block's last command (curl's has no newline)
        checked = CHECKS[args[1]]()
        t[args[1]].update(end=time.time(), checked=checked)
        TIMES.write_text(json.dumps(t))
        for c in checked:
            print(f"  ✓ {c}")
        return 0
    if what == "postinst":
        # What postgresql-15's and nginx's postinst scripts do on a real install.
        sh("pg_createcluster 15 main --start >/dev/null")
        sh("systemctl start nginx")
        return 0
    if what == "edit-env":
        # "then edit the host name and sizes": the host name is the doc's; 2 × 2 for a shared CI machine.
        sh("sed -i -e 's/^WEB_PROCESSES=.*/WEB_PROCESSES=2/' -e 's/^WEB_THREADS=.*/WEB_THREADS=2/' "
           "/etc/jiuzhu/jiuzhu.env")
        return 0
    if what == "certificate":
        sh(f"cd /root/test-ca && openssl req -newkey rsa:2048 -nodes -subj '/CN={HOST}' -keyout server.key "
           f"-out server.csr 2>/dev/null && printf 'subjectAltName=DNS:{HOST}\\n' > san.ext && "
           "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext "
           "-out server.crt 2>/dev/null && cat server.crt ca.crt > /etc/jiuzhu/tls/fullchain.pem && "
           "install -m 0600 server.key /etc/jiuzhu/tls/privkey.pem")
        return 0
    raise SystemExit(f"unknown harness step {what}")


def make_release(tag: str) -> None:
    """A new release in the repository: one more commit on main, tagged."""
    work = Path(tempfile.mkdtemp())
    sh(f"git clone -q /srv/jiuzhu.git {work} && cd {work} && echo '{tag}: made by deploy/test/run-doc.py' > RELEASE "
       f"&& git add RELEASE && git -c user.name=doc-test -c user.email=doc@test commit -qm 'Release {tag}' "
       f"&& git tag {tag} && git push -q origin main {tag}")
    shutil.rmtree(work)


def curl(path: str, *extra: str, scheme: str = "https") -> tuple[int, dict, str, str]:
    """(status, headers, body, final URL) of a request to the site, certificate verified."""
    r = subprocess.run(["curl", "-sS", "-o", "/run/doc-test/body", "-D", "/run/doc-test/head",
                        "-w", "%{http_code} %{url_effective}", *extra, f"{scheme}://{HOST}{path}"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise AssertionError(f"curl {path}: {r.stderr.strip()}")
    head = {}
    for line in Path("/run/doc-test/head").read_text().splitlines():
        k, sep, v = line.partition(":")
        if sep:
            head[k.strip().lower()] = v.strip()
    status, url = r.stdout.split(" ", 1)
    return int(status), head, Path("/run/doc-test/body").read_text(errors="replace"), url


def totp(secret: str) -> str:
    """The authenticator app: RFC 6238 (SHA-1, 30 s, 6 digits), never the same time step twice."""
    last = Path("/run/doc-test/totp-step")
    step_no = int(time.time() // 30)
    if last.exists() and step_no <= int(last.read_text()):
        time.sleep(30 - time.time() % 30 + 0.5)
        step_no = int(time.time() // 30)
    last.write_text(str(step_no))
    key = base64.b32decode(secret.replace(" ", "").upper())
    h = hmac.new(key, struct.pack(">Q", step_no), "sha1").digest()
    o = h[-1] & 15
    return f"{(struct.unpack('>I', h[o:o + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def post_form(url: str, page: str, jar: str, **fields: str) -> tuple[int, dict, str, str]:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    path = url.split(HOST, 1)[1]
    data = []
    for k, v in dict(fields, csrfmiddlewaretoken=token).items():
        data += ["--data-urlencode", f"{k}={v}"]
    return curl(path, "-c", jar, "-b", jar, "-e", url, "-L", *data)


def login(user: str, password: str, second_factor: bool = False) -> tuple[bool, str]:
    """Log in through nginx as a browser would (CSRF cookie and token); with second_factor, also
    enrol (the first time) or answer the authenticator and open /admin/. (succeeded?, what was seen)"""
    jar = "/run/doc-test/cookies"
    Path(jar).unlink(missing_ok=True)
    _, _, page, url = curl("/login/?next=/admin/", "-c", jar, "-b", jar)
    status, _, page, url = post_form(url, page, jar, username=user, password=password, next="/admin/")
    if "/login/" in url and "/login/verify/" not in url:
        return False, f"the password was refused ({status})"
    if not second_factor:
        return True, f"password accepted, then {url.split(HOST, 1)[1]}"
    secret_file = Path(f"/run/doc-test/totp-{user}")
    if "/2fa/setup/" in url:
        secret = re.search(r'id="secret">([^<]+)<', page).group(1)
        secret_file.write_text(secret)
        status, _, page, url = post_form(url, page, jar, token=totp(secret), next="/admin/")
        assert status == 200 and "/2fa/setup/" in url, (status, url)  # the backup codes page
        seen = "enrolled an authenticator (TOTP), "
    else:
        assert "/login/verify/" in url, url
        status, _, page, url = post_form(url, page, jar, token=totp(secret_file.read_text()), next="/admin/")
        seen = "answered the authenticator, "
    status, _, page, url = curl("/admin/", "-c", jar, "-b", jar, "-L")
    title = re.search(r"<title>([^<]+)</title>", page)
    ok = status == 200 and url.endswith("/admin/") and "基础数据管理" in page
    return ok, seen + f"/admin/ {status}: {title.group(1).strip() if title else '?'}"


def wait_ready(timeout: float = 90) -> tuple[int, dict]:
    """readyz through nginx until it fails on nothing but `calendar` (a fresh install has no holidays)."""
    limit = time.monotonic() + timeout
    while True:
        try:
            status, _, body, _ = curl("/readyz")
            data = json.loads(body)
            if status == 200 or (status == 503 and data.get("failing") == ["calendar"]):
                return status, data
        except (AssertionError, json.JSONDecodeError) as e:
            status, data = 0, {"error": str(e)}
        if time.monotonic() > limit:
            raise AssertionError(f"/readyz not ready within {timeout:.0f} s: {status} {data}")
        time.sleep(1)


def metric(body: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", body, re.M)
    return float(m.group(1)) if m else -1


def active(*units: str) -> bool:
    return subprocess.run(["systemctl", "is-active", *units], capture_output=True).returncode == 0


def main_pid(unit: str) -> int:
    return int(Path(f"/run/systemctl-shim/{unit}/main.pid").read_text())


def check_install() -> list[str]:
    out = []
    assert subprocess.run(["id", "jiuzhu"], capture_output=True).returncode == 0
    units = ("jiuzhu-web.service", "jiuzhu-worker@1.service", "jiuzhu-worker@2.service")
    assert active(*units, "jiuzhu-backup.timer", "nginx.service"), "a unit is not active"
    out.append("jiuzhu-web, jiuzhu-worker@1, @2, jiuzhu-backup.timer and nginx active")
    for link in ("multi-user.target.wants/jiuzhu-web.service", "multi-user.target.wants/jiuzhu-worker@1.service",
                 "multi-user.target.wants/jiuzhu-worker@2.service", "timers.target.wants/jiuzhu-backup.timer"):
        assert Path("/etc/systemd/system", link).is_symlink(), link
    out.append("enabled: the .wants symlinks exist")
    for s in ("secret_key", "field_keys", "blind_index_key", "audit_key"):
        st = os.stat(f"/etc/jiuzhu/secrets/{s}")
        assert oct(st.st_mode & 0o777) == "0o440" and st.st_size > 20, s
    out.append("four secrets 0440 root:jiuzhu")
    assert oct(os.stat("/var/lib/jiuzhu/private").st_mode & 0o777) == "0o700"
    out.append("/var/lib/jiuzhu/private 0700")
    status, _, body, _ = curl("/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}, (status, body)
    out.append("GET https://jiuzhu.example.gov.cn/healthz through nginx (certificate verified): 200 ok")
    status, head, _, _ = curl("/healthz", scheme="http")
    assert status == 301 and head["location"] == f"https://{HOST}/healthz", (status, head)
    out.append("http:// answers 301 to https://")
    return out


def check_first_login() -> list[str]:
    out = []
    status, data = wait_ready()
    out.append(f"/readyz {status}, failing {data['failing']} (no holidays for next year yet: as the doc says)")
    ok, seen = login(ADMIN_USER, ADMIN_PASSWORD, second_factor=True)
    assert ok, seen
    out.append(f"the superuser logs in through nginx: {seen}")
    _, _, login_page, _ = curl("/login/")
    static = re.search(r'(/static/[^"\']+\.css)', login_page).group(1)
    status, head, _, _ = curl(static)
    from email.utils import parsedate_to_datetime
    ahead = parsedate_to_datetime(head.get("expires", "Thu, 01 Jan 1970 00:00:00 GMT")).timestamp() - time.time()
    assert status == 200 and 29 * 86400 < ahead <= 30 * 86400, (status, head)
    out.append(f"nginx itself serves collectstatic's {static} (Expires in 30 days: its `expires 30d`)")
    limit = time.monotonic() + 90
    while True:
        status, _, body, _ = curl("/metrics")
        assert status == 200, status
        if metric(body, "jiuzhu_workers_alive") == 2 and metric(body, 'jiuzhu_tasks{status="successful"}') >= 1:
            break
        assert time.monotonic() < limit, "the daily sweep was not run by a worker within 90 s:\n" + body
        time.sleep(1)
    out.append("/metrics from 127.0.0.1: 2 workers alive, the enqueued daily sweep SUCCESSFUL")
    # A file in the store (encrypted by the app), for the backup to carry.
    jiuzhu_shell("from django.core.files.base import ContentFile; from django.core.files.storage import "
                 f"default_storage as s; s.save({STORED!r}, ContentFile({STORED_TEXT!r}.encode()))")
    raw = Path("/var/lib/jiuzhu/private", STORED).read_bytes()
    assert STORED_TEXT.encode() not in raw
    out.append(f"a file stored through the app ({len(raw)} bytes on disk, encrypted)")
    return out


STORED = "doc-test/written-before-the-backup.txt"
STORED_TEXT = "救助 written through the app's storage before the backup"


def jiuzhu_shell(code: str) -> str:
    """Python in the app, as the jiuzhu user, with the shell's environment (§1's first login)."""
    return subprocess.run(["runuser", "-u", "jiuzhu", "--", ".venv/bin/jiuzhu", "shell", "-v", "0", "-c", code],
                          cwd="/opt/jiuzhu", check=True, capture_output=True, text=True).stdout.strip()


def backups() -> list[Path]:
    return sorted(Path("/var/backups/jiuzhu").iterdir())


def check_backup() -> list[str]:
    out = []
    found = backups()
    assert len(found) == 1, found
    manifest = json.loads((found[0] / "manifest.json").read_text())
    assert (found[0] / "database.dump").stat().st_size > 0
    tables = manifest["tables"]
    out.append(f"{found[0]}: database.dump, manifest.json ({len(tables)} tables, {sum(tables.values())} rows, "
               f"{len(manifest['files'])} files); owned by jiuzhu")
    assert found[0].stat().st_uid == int(subprocess.run(["id", "-u", "jiuzhu"], capture_output=True, text=True)
                                         .stdout)
    r = subprocess.run(["systemctl", "list-timers", "jiuzhu-backup.timer"], capture_output=True, text=True)
    assert "jiuzhu-backup.timer" in r.stdout and "02:30:00" in r.stdout, r.stdout
    out.append("list-timers: jiuzhu-backup.timer, next at 02:30")
    # Something written after the backup, which the restore must take away.
    subprocess.run(["runuser", "-u", "jiuzhu", "--", ".venv/bin/jiuzhu", "createsuperuser", "--noinput"],
                   cwd="/opt/jiuzhu", env=dict(os.environ, DJANGO_SUPERUSER_USERNAME="after_backup"),
                   check=True, capture_output=True)
    assert login("after_backup", ADMIN_PASSWORD)[0]
    out.append("a user made after the backup (after_backup) logs in")
    return out


def check_restore() -> list[str]:
    out = []
    assert active("jiuzhu-web.service", "jiuzhu-worker@1.service", "jiuzhu-worker@2.service")
    status, data = wait_ready()
    out.append(f"services back; /readyz {status}, failing {data['failing']}")
    assert oct(os.stat("/var/lib/jiuzhu/private").st_mode & 0o777) == "0o700"
    assert len(list(Path("/var/lib/jiuzhu").glob("private.*"))) == 1
    ok, seen = login(ADMIN_USER, ADMIN_PASSWORD, second_factor=True)
    assert ok, seen
    assert not login("after_backup", ADMIN_PASSWORD)[0]
    out.append(f"the superuser logs in ({seen}); after_backup (made after the backup) is refused")
    back = jiuzhu_shell(f"from django.core.files.storage import default_storage as s; "
                        f"print(s.open({STORED!r}).read().decode())")
    assert back == STORED_TEXT, back
    out.append("the stored file is back and decrypts to what was written")
    return out


def check_upgrade() -> list[str]:
    out = []
    assert len(backups()) == 2, backups()
    out.append("a second backup taken before the upgrade")
    tag = subprocess.run(["git", "-C", "/opt/jiuzhu", "describe", "--tags", "--exact-match"],
                         capture_output=True, text=True).stdout.strip()
    assert tag == "v1.1" and Path("/opt/jiuzhu/RELEASE").exists(), tag
    out.append("/opt/jiuzhu at v1.1 (fetched after the install)")
    before, now = times()["upgrade"]["pids"], [main_pid(u) for u in ("jiuzhu-web.service", "jiuzhu-worker@1.service", "jiuzhu-worker@2.service")]
    assert not set(before) & set(now), (before, now)
    out.append(f"web and both workers restarted (main PIDs {before} → {now})")
    status, data = wait_ready()
    ok, seen = login(ADMIN_USER, ADMIN_PASSWORD, second_factor=True)
    assert ok, seen
    out.append(f"restarted; /readyz {status}, failing {data['failing']}; the superuser logs in: {seen}")
    return out


def check_rollback() -> list[str]:
    tag = subprocess.run(["git", "-C", "/opt/jiuzhu", "describe", "--tags", "--exact-match"],
                         capture_output=True, text=True).stdout.strip()
    assert tag == "v1.0" and not Path("/opt/jiuzhu/RELEASE").exists(), tag
    before, now = times()["rollback"]["pids"], [main_pid(u) for u in ("jiuzhu-web.service", "jiuzhu-worker@1.service", "jiuzhu-worker@2.service")]
    assert not set(before) & set(now), (before, now)
    status, data = wait_ready()
    assert login(ADMIN_USER, ADMIN_PASSWORD)[0]
    return [f"/opt/jiuzhu back at v1.0; /readyz {status}, failing {data['failing']}; the superuser logs in"]


CHECKS = {"install": check_install, "first-login": check_first_login, "backup": check_backup,
          "restore": check_restore, "upgrade": check_upgrade, "rollback": check_rollback}


def report(rc: int) -> None:
    t = times()
    print("\n======== run-doc: phases ========")
    for name in t.get("_order", []):
        p = t[name]
        ran = p.get("ran", time.time()) - p["start"]
        chk = p["end"] - p["ran"] if "end" in p else None
        print(f"{name:<12} commands {ran:6.1f} s" + (f", checks {chk:5.1f} s" if chk is not None else ", FAILED here"))
    if rc:
        subprocess.run("ls -la /var/lib/jiuzhu /var/lib/jiuzhu/static | head -20", shell=True)
        for log in [*sorted(Path("/var/log/systemctl-shim").glob("*.log")), Path("/var/log/nginx/jiuzhu.error.log")]:
            if not log.exists():
                continue
            print(f"---- last lines of {log}")
            print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        sys.exit(run_inner(Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]))
    if sys.argv[1:2] == ["--step"]:
        sys.exit(step(sys.argv[2:]))
    if sys.argv[1:2] == ["--check-doc"]:
        problems = check_doc(DOC.read_text())
        print("\n".join(problems) or "docs/operations.md: every ```bash block is known to deploy/test/run-doc.py")
        sys.exit(1 if problems else 0)
    sys.exit(run_outer())
