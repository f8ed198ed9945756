# shellcheck shell=bash disable=SC2016 source=tests/lib.sh
# t-inject: injected tokens (policy inject with network = allow;
# src/sandbox/tls-inject.c, INJECT-1..6; the request framing is
# net/inject.c's, unit-tested in tests/unit/test_inject.c).  HTTPS test
# servers on the host's loopback only, with certificates of a test CA made
# here with openssl; real curl inside (host_system = ro) through the real
# proxy of a real sandbox.
. "$(dirname "$0")/../lib.sh"

P=$W/proj
mkproject "$P" || { t_fail "mkproject" "fixture not created"; exit 1; }
# a config of this file's own: other files running at the same time write
# the test user's ~/.config/nsbsh/nsbsh.conf
export XDG_CONFIG_HOME=$W/config
CONF=$XDG_CONFIG_HOME/nsbsh/nsbsh.conf
NSB=$(dirname "$NSBSH")/nsb
SECRET="SECRET-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# --- a test CA and the servers' certificates (outside the project: the
# sandbox sees only the CA's certificate, copied into the work tree) ------
K=$W/keys
mkdir -p "$K" && chmod 700 "$K"
ossl() { openssl "$@" >>"$K/openssl.log" 2>&1; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/ca.key" -out "$K/ca.crt" \
	-days 2 -subj "/CN=nsbsh test CA"
leaf() { # NAME SAN [SELF] - NAME.key, NAME.crt for SAN, by the test CA or itself
	if [ "${3:-}" = self ]; then
		ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/$1.key" \
			-out "$K/$1.crt" -days 2 -subj "/CN=nsbsh self-signed" -addext "subjectAltName=$2"
	else
		ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/$1.key" -out "$K/$1.csr" \
			-subj "/CN=$1"
		printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$2" >"$K/$1.ext"
		ossl x509 -req -in "$K/$1.csr" -CA "$K/ca.crt" -CAkey "$K/ca.key" -CAcreateserial -days 2 \
			-extfile "$K/$1.ext" -out "$K/$1.crt"
	fi
}
leaf good "DNS:localhost,IP:127.0.0.1"
leaf wrongname "DNS:other.example"
leaf self "DNS:localhost,IP:127.0.0.1" self
cp "$K/ca.crt" "$P/test-ca.crt"

# An HTTPS server (HTTP/1.1, keep-alive) that wants "Authorization: Bearer
# $SECRET" (401 otherwise) and never says the token; /echo answers the
# body's length and sha256.  Each request is a line of $W/req-NAME.
SERVERS=()
cat >"$W/srv.py" <<'EOF'
import hashlib, http.server, os, ssl, sys, time
name, cert, key, want, portfile, log = sys.argv[1:7]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, code, text):
        b = text.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def handle_one(self, body):
        auth = self.headers.get_all("Authorization") or []
        with open(log, "a") as f:
            f.write("%s %s auth=%d\n" % (self.command, self.path, len(auth)))
        if auth != ["Bearer " + want]:
            return self.answer(401, "unauthorized (%d Authorization headers)\n" % len(auth))
        if self.path == "/echo":
            return self.answer(200, "%d %s\n" % (len(body), hashlib.sha256(body).hexdigest()))
        self.answer(200, "hello %s: authorized\n" % name)
    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b""): pass
                    return out
                out += self.rfile.read(n); self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))
    def do_GET(self): self.handle_one(b"")
    def do_POST(self): self.handle_one(self.body())
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.timeout = 1
end = time.time() + 600
while time.time() < end: s.handle_request()
EOF
serve() { # NAME CERT - starts one; sets PORT
	rm -f "$W/port-$1"
	: >"$W/req-$1"
	/usr/bin/python3 "$W/srv.py" "$1" "$K/$2.crt" "$K/$2.key" "$SECRET" "$W/port-$1" "$W/req-$1" \
		2>>"$W/srv-$1.err" &
	SERVERS+=($!)
	for _ in $(seq 50); do [ -s "$W/port-$1" ] && break; sleep 0.1; done
	PORT=$(cat "$W/port-$1" 2>/dev/null)
}
cleanup() {
	for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	"$NSB" stop "$P" >/dev/null 2>&1
}
trap 'cleanup; t_exit_' EXIT

serve good good; GP=$PORT
serve wrongname wrongname; NP=$PORT
serve self self; SP=$PORT
# controls, on the host: the servers answer, want the token, have the certificates said
run -- curl -sS --max-time 10 --cacert "$K/ca.crt" -H "Authorization: Bearer $SECRET" "https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized" "control: the test server answers the token on the host"
run -- curl -sS --max-time 10 --cacert "$K/ca.crt" "https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:unauthorized (0 Authorization headers)" "control: the test server wants the token (401 without)"
run -- curl -sS --max-time 10 --cacert "$K/ca.crt" -k "https://localhost:$NP/"
expect_eq "$RC" 0 "control: the wrong-name server answers on the host"
run -- curl -sS --max-time 10 -k "https://localhost:$SP/"
expect_eq "$RC" 0 "control: the self-signed server answers on the host"

allow="\"localhost:$GP\", \"127.0.0.1:$GP\", \"localhost:$NP\", \"127.0.0.1:$NP\", \"localhost:$SP\", \"127.0.0.1:$SP\""
userconf "network = allow" "host_system = ro" "linger = 600" "allow_hosts = { $allow }" \
	"passthrough = { \"TEST_API_TOKEN\" }" \
	"inject = { \"localhost Authorization=Bearer env:TEST_API_TOKEN\" }" \
	"inject_ca_file = \"$K/ca.crt\""
export TEST_API_TOKEN=$SECRET
# no_proxy names 127.0.0.1 and localhost (the sandbox's own loopback): these
# requests are for the host's, through the proxy.
C='env -u no_proxy -u NO_PROXY curl -sS --max-time 20'

run_nsbsh --in "$P" -c "$C https://localhost:$GP/"
diag "first request: rc=$RC out=$OUT err=$ERR"
expect_no_match "$ERR" "not in allow_hosts" "inject: a host in allow_hosts (with its port) gets no note"
expect_eq "$RC:$OUT" "0:hello good: authorized" \
	"INJECT-1 listed-hosts-only: a request inside to a listed host gets 200: the proxy set the token"
expect_eq "$(tail -n1 "$W/req-good")" "GET / auth=1" "INJECT-2 secret-never-inside: the server got one Authorization header"

run --in "$P" -- "$NSB" status --view
expect_contains "$OUT" "  inject localhost Authorization=Bearer env:TEST_API_TOKEN" "inject: nsb status --view lists the entry"
expect_no_match "$OUT" "$SECRET" "INJECT-2 secret-never-inside: nsb status --view never shows the secret"

# --- INJECT-1 listed-hosts-only -----------------------------------------------
run_nsbsh --in "$P" -c "$C -v -o /dev/null https://localhost:$GP/ 2>&1 | grep -i 'issuer:'"
expect_contains "$OUT" "nsbsh sandbox CA (inject)" "INJECT-1 listed-hosts-only: a listed host's certificate inside is the sandbox CA's"
run_nsbsh --in "$P" -c "$C --cacert test-ca.crt -v https://127.0.0.1:$GP/ 2>&1 | grep -i 'issuer:\|unauthorized\|authorized'"
expect_contains "$OUT" "issuer: CN=nsbsh test CA" \
	"INJECT-1 listed-hosts-only: a host not in inject (127.0.0.1) sees the sandbox's own TLS: the server's real certificate"
expect_contains "$OUT" "unauthorized (0 Authorization headers)" \
	"INJECT-1 listed-hosts-only: a host not in inject gets no header"
run_nsbsh --in "$P" -c "$C https://127.0.0.1:$GP/"
expect_ne "$RC" 0 "INJECT-1 listed-hosts-only: a host not in inject is not verified by the sandbox's CA (curl without the test CA refuses it)"

run_nsbsh --in "$P" -c "$C --socks5-hostname 127.0.0.1:3128 https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized" "INJECT-1 listed-hosts-only: a listed host reached over SOCKS5 gets the token too"
run_nsbsh --in "$P" -c "$C --socks5-hostname 127.0.0.1:3128 --cacert test-ca.crt https://127.0.0.1:$GP/"
expect_eq "$RC:$OUT" "0:unauthorized (0 Authorization headers)" "INJECT-1 listed-hosts-only: a host not listed over SOCKS5 is relayed untouched"

# --- INJECT-2 secret-never-inside -------------------------------------------------
run_nsbsh --in "$P" -c 'echo "$TEST_API_TOKEN"; env | grep -c -F "$0"' "$SECRET"
expect_eq "$OUT" "nsbsh-injected
0" "INJECT-2 secret-never-inside: the variable is the placeholder inside, though passthrough lists it; env has no secret"
run_nsbsh --in "$P" -c '/usr/bin/grep -rlsF --devices=skip -e "$0" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=nix --exclude-dir=usr 2>/dev/null | head -n 5
	cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | grep -caF "$0" ; true' "$SECRET"
diag "grep inside: $OUT"
expect_eq "$OUT" "0" "INJECT-2 secret-never-inside: grep -r for the secret over what the sandbox sees (/ but /proc, /sys, /dev, /nix, /usr) and every process's environ finds nothing"
echo "MARKER-$SECRET" | rev >"$P/marker"
run_nsbsh --in "$P" -c '/usr/bin/grep -rlsF --devices=skip -e "$0" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=nix --exclude-dir=usr 2>/dev/null | head -n 5' "$(rev <<<"MARKER-$SECRET")"
expect_eq "$OUT" "$P/marker" "INJECT-2 secret-never-inside: control: the same grep finds a string planted in a file the sandbox sees"
run_nsbsh --in "$P" -c "$C -H 'Authorization: Bearer stolen' -H 'authorization: x' https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized" "INJECT-2 secret-never-inside: a value the client sent is replaced"
expect_eq "$(tail -n1 "$W/req-good")" "GET / auth=1" "INJECT-2 secret-never-inside: the server got only the injected one"

# --- INJECT-3 upstream-verified ---------------------------------------------------
: >"$W/req-self"
run_nsbsh --in "$P" -c "$C -o /dev/null -w '%{http_code}' https://localhost:$SP/"
expect_eq "$OUT" "502" "INJECT-3 upstream-verified: a server whose certificate is not of inject_ca_file is refused (502)"
expect_eq "$(cat "$W/req-self")" "" "INJECT-3 upstream-verified: that server got no request (no token)"
: >"$W/req-wrongname"
run_nsbsh --in "$P" -c "$C -o /dev/null -w '%{http_code}' https://localhost:$NP/"
expect_eq "$OUT" "502" "INJECT-3 upstream-verified: a certificate of the right CA for another name is refused (502)"
expect_eq "$(cat "$W/req-wrongname")" "" "INJECT-3 upstream-verified: that server got no request"
run_nsbsh --in "$P" -c "$C -o /dev/null -w '%{http_code}' https://localhost:$GP/"
expect_eq "$OUT" "200" "INJECT-3 upstream-verified: control: the right certificate passes"

# --- INJECT-4 ca-key-outside --------------------------------------------------------
run_nsbsh --in "$P" -c 'echo "$SSL_CERT_FILE $NIX_SSL_CERT_FILE $NODE_EXTRA_CA_CERTS $REQUESTS_CA_BUNDLE $CURL_CA_BUNDLE $GIT_SSL_CAINFO"'
B=/run/nsbsh/inject/ca-certificates.crt
expect_eq "$OUT" "$B $B $B $B $B $B" "INJECT-4 ca-key-outside: every trust store variable names the sandbox's bundle"
run_nsbsh --in "$P" -c "grep -c 'BEGIN CERTIFICATE' $B; tail -n 30 $B | openssl x509 -noout -subject -ext nameConstraints; /usr/bin/grep -rlsE --devices=skip 'BEGIN (EC |)PRIVATE KEY' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=nix --exclude-dir=usr | head -n 3; echo x >>$B"
diag "bundle inside: $OUT / $ERR"
expect_match "$OUT" "^[0-9]{2,}" "INJECT-4 ca-key-outside: the bundle has the host's certificates"
expect_contains "$OUT" "subject=CN = nsbsh sandbox CA (inject)" "INJECT-4 ca-key-outside: the bundle ends with the sandbox's CA certificate"
expect_contains "$OUT" "Permitted:" "INJECT-4 ca-key-outside: the CA is name-constrained"
expect_contains "$OUT" "DNS:localhost" "INJECT-4 ca-key-outside: to the inject hosts"
expect_no_match "$OUT" "PRIVATE KEY|^/" "INJECT-4 ca-key-outside: no private key anywhere the sandbox sees"
expect_contains "$ERR" "Read-only file system" "INJECT-4 ca-key-outside: the bundle is read-only inside"
run_nsbsh --in "$P" -c "tail -n 30 /etc/ssl/certs/ca-certificates.crt | openssl x509 -noout -subject; env -u SSL_CERT_FILE -u CURL_CA_BUNDLE -u no_proxy -u NO_PROXY curl -sS --max-time 20 https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:subject=CN = nsbsh sandbox CA (inject)
hello good: authorized" "INJECT-4 ca-key-outside: the host's bundle path inside is the sandbox's bundle too: curl with no variable trusts the CA"
run -- bash -c 'd=$(ls -d "$XDG_RUNTIME_DIR"/nsbsh/*.inject | head -n1); stat -c %a "$d"; ls -A "$d"'
expect_eq "$OUT" "700
ca-certificates.crt" "INJECT-4 ca-key-outside: outside, the sandbox's inject directory is 0700 and holds only the bundle"

# --- bodies, keep-alive, HTTP/1.1 ----------------------------------------------------
head -c 300000 /dev/urandom >"$P/blob"
want="300000 $(sha256sum "$P/blob" | cut -d' ' -f1)"
run_nsbsh --in "$P" -c "$C --data-binary @blob https://localhost:$GP/echo"
expect_eq "$RC:$OUT" "0:$want" "inject: a Content-Length body passes whole"
run_nsbsh --in "$P" -c "$C -H 'Transfer-Encoding: chunked' --data-binary @blob https://localhost:$GP/echo"
expect_eq "$RC:$OUT" "0:$want" "inject: a chunked body passes whole"
run_nsbsh --in "$P" -c "$C -H 'Expect: 100-continue' --data-binary @blob https://localhost:$GP/echo"
expect_eq "$RC:$OUT" "0:$want" "inject: a body after Expect: 100-continue (the server's 100 passed back) passes whole"
run_nsbsh --in "$P" -c "$C --http1.0 -o /dev/null -w '%{http_code}' https://localhost:$GP/"
expect_eq "$OUT" "400" "inject: an HTTP/1.0 request to a listed host is refused (400: HTTP/1.1 only)"
: >"$W/req-good"
run_nsbsh --in "$P" -c "$C https://localhost:$GP/a https://localhost:$GP/b https://localhost:$GP/c"
expect_eq "$RC:$OUT" "0:hello good: authorized
hello good: authorized
hello good: authorized" "inject: three requests on one connection (keep-alive) each get the token"
expect_eq "$(cat "$W/req-good")" "GET /a auth=1
GET /b auth=1
GET /c auth=1" "inject: the server saw the three, each with one header"
run_nsbsh --in "$P" -c "$C --http2 -w ' %{http_version}' https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized
 1.1" "inject: a client that asks for HTTP/2 is answered in HTTP/1.1 (ALPN http/1.1 only)"

# --- INJECT-6 bounded -----------------------------------------------------------------
run_nsbsh --in "$P" -c "$C -o /dev/null -w '%{http_code}' -H \"X-Big: \$(printf '%040000d' 0)\" https://localhost:$GP/"
expect_eq "$OUT" "400" "INJECT-6 bounded: a request head past 32 KiB is answered 400"
run_nsbsh --in "$P" -c "$C https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized" "INJECT-6 bounded: control: the proxy serves on after it"

# --- INJECT-5 logged -----------------------------------------------------------------
run -- "$NSB" log "$P"
diag "nsb log: $(tail -n 5 <<<"$OUT")"
expect_match "$OUT" "Authorization +inject +localhost$" "INJECT-5 logged: each injection is a line of nsb log (header, host)"
n=$(grep -cE "Authorization +inject +localhost$" <<<"$OUT")
expect_lt 9 "$n" "INJECT-5 logged: one line a request ($n)"
expect_no_match "$OUT" "$SECRET" "INJECT-5 logged: never the value"
expect_match "$OUT" "net inject +localhost:$SP refused: the server's certificate did not verify" \
	"INJECT-5 logged: a server refused for its certificate is a line too"
"$NSB" stop "$P" >/dev/null 2>&1
run -- bash -c 'ls -d "$XDG_RUNTIME_DIR"/nsbsh/*.inject 2>/dev/null | wc -l'
expect_eq "$OUT" "0" "INJECT-4 ca-key-outside: the sandbox's inject directory is removed when it ends"

# --- file:, and only with network = allow -----------------------------------------------
printf '%s\n' "$SECRET" >"$W/token"
chmod 600 "$W/token"
userconf "network = allow" "host_system = ro" "linger = 0" "allow_hosts = { $allow }" \
	"inject = { \"localhost Authorization=Bearer file:$W/token\" }" "inject_ca_file = \"$K/ca.crt\""
run_nsbsh --in "$P" -c "$C https://localhost:$GP/"
expect_eq "$RC:$OUT" "0:hello good: authorized" "INJECT-2 secret-never-inside: file: is read outside (its last newline dropped)"
run_nsbsh --in "$P" -c "cat $W/token 2>&1 | grep -c SECRET; true"
expect_eq "$OUT" "0" "INJECT-2 secret-never-inside: the file: is not shown inside"
mv "$W/token" "$W/token.real" && ln -s token.real "$W/token"
run_nsbsh --in "$P" -c 'echo ran'
diag "link: rc=$RC out=$OUT err=$ERR"
expect_eq "$RC:$OUT" "0:ran" "inject: a secret that cannot be read does not lock the user out (the shell runs without the sandbox's project)"
expect_contains "$ERR" "inject: cannot read '$W/token': a link (not followed)" "inject: a file: that is a link is not followed, said in one line"
rm -f "$W/token" "$W/token.real"
userconf "network = allow" "host_system = ro" "linger = 0" "allow_hosts = { \"127.0.0.1:$GP\" }" \
	"inject = { \"localhost Authorization=Bearer env:TEST_API_TOKEN\", \"localhost X-Other=env:TEST_API_TOKEN\" }"
run_nsbsh --in "$P" -c 'echo ran'
expect_contains "$ERR" "inject: localhost is listed twice: only its first entry is used" \
	"inject: a host listed twice is said at the start"
expect_contains "$ERR" "inject: localhost is not in allow_hosts: its requests are refused" \
	"inject: a host that allow_hosts does not list is said at the start"
userconf "network = off" "host_system = ro" "linger = 0" "inject = { \"localhost Authorization=Bearer env:TEST_API_TOKEN\" }"
run_nsbsh --in "$P" -c 'echo "ran ${TEST_API_TOKEN:-unset} ${SSL_CERT_FILE:-unset}"'
expect_eq "$OUT" "ran unset unset" "inject: without network = allow nothing is injected and nothing changes inside"
expect_contains "$ERR" "inject: only with network = allow" "inject: without network = allow a one-line note says so"
