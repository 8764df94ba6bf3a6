#!/bin/sh
# Makes the host tests' credentials in $1 with openssl: a test root CA
# (P-256), an ECDSA P-256 and an RSA-2048 server certificate for
# server.test signed by it, and a self-signed server certificate (not a
# CA). Test data only: fresh keys on every build are fine, nothing ships.
set -eu
out=$1
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ssl() { openssl "$@" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; }
printf 'subjectAltName=DNS:server.test\nbasicConstraints=CA:FALSE\n' >"$tmp/leaf.ext"
ssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca_key.pem"
ssl req -x509 -new -key "$tmp/ca_key.pem" -subj "/CN=Host Test Root" -days 3650 \
	-sha256 -out "$out/ca.pem"
leaf() { # leaf NAME KEYFILE
	ssl req -new -key "$2" -subj "/CN=server.test" -out "$tmp/$1.csr"
	ssl x509 -req -in "$tmp/$1.csr" -CA "$out/ca.pem" -CAkey "$tmp/ca_key.pem" \
		-set_serial "$3" -days 3650 -sha256 -extfile "$tmp/leaf.ext" -out "$out/$1_chain.pem"
}
ssl ecparam -name prime256v1 -genkey -noout -out "$out/ec_key.pem"
leaf ec "$out/ec_key.pem" 2
ssl genrsa -out "$out/rsa_key.pem" 2048
leaf rsa "$out/rsa_key.pem" 3
ssl ecparam -name prime256v1 -genkey -noout -out "$out/self_key.pem"
ssl req -x509 -new -key "$out/self_key.pem" -subj "/CN=server.test" -days 3650 -sha256 \
	-addext "subjectAltName=DNS:server.test" -addext "basicConstraints=CA:FALSE" \
	-out "$out/self.pem"
