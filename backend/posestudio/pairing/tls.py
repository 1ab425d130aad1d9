"""The certificate `posestudio serve --https` serves: a local certificate authority made
once in the data directory (its certificate is what a phone trusts), and a server
certificate it signs for localhost and this host's LAN addresses, made again when those
change. Written whole or not at all (a temporary file, then a rename)."""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
# Apple's limit for server certificates is 825 days; stay well under it.
SERVER_DAYS = 397


@dataclass(frozen=True)
class TlsFiles:
    cert: Path  # the server certificate, then the CA's (the chain uvicorn serves)
    key: Path | None  # None: the key is in `cert`
    ca: Path | None  # the CA certificate people trust (None: the operator's own files)
    fingerprint: str  # SHA-256 of the certificate to trust, as AA:BB:…
    hosts: tuple[str, ...]


def lan_addresses() -> list[str]:
    """This host's non-loopback IPv4 addresses (the one a default route uses first)."""
    found: list[str] = []
    try:
        # No packet is sent: connecting a UDP socket only picks the outgoing interface.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    unique = []
    for address in found:
        if not ipaddress.ip_address(address).is_loopback and address not in unique:
            unique.append(address)
    return unique


def fingerprint(cert: x509.Certificate) -> str:
    raw = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(raw[i : i + 2] for i in range(0, len(raw), 2))


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _load_or_create_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    # The key and its certificate in one file, so they are published together.
    bundle, public = folder / "ca-key.pem", folder / "ca.pem"
    if bundle.is_file():
        data = bundle.read_bytes()
        cert = x509.load_pem_x509_certificate(data)
        key = serialization.load_pem_private_key(data, password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > _now():
            pem = cert.public_bytes(serialization.Encoding.PEM)
            if not public.is_file() or public.read_bytes() != pem:
                _write(public, pem)
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pose Studio"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Pose Studio local CA ({socket.gethostname()})"
            ),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    _write(bundle, _key_pem(key) + pem, 0o600)
    _write(public, pem)
    return cert, key


def _san_names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names = {str(n) for n in san.get_values_for_type(x509.DNSName)}
    names |= {str(a) for a in san.get_values_for_type(x509.IPAddress)}
    return names


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def ensure_certificate(data_dir: Path, extra_hosts: list[str] | None = None) -> TlsFiles:
    """The local CA and a server certificate for localhost, 127.0.0.1, ::1, this host's
    LAN addresses and `extra_hosts`; made when missing, expiring or for other hosts."""
    folder = data_dir / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _load_or_create_ca(folder)
    hosts = ["localhost", "127.0.0.1", "::1", *lan_addresses(), *(extra_hosts or [])]
    hosts = list(dict.fromkeys(hosts))
    # The server's key, its certificate and the CA's in one file (uvicorn reads the key
    # from the certificate file when no key file is named).
    path = folder / "server.pem"
    found = TlsFiles(path, None, folder / "ca.pem", fingerprint(ca_cert), tuple(hosts))
    if path.is_file():
        current = x509.load_pem_x509_certificate(path.read_bytes())
        fresh = current.not_valid_after_utc > _now() + datetime.timedelta(days=30)
        if fresh and current.issuer == ca_cert.subject and set(hosts) <= _san_names(current):
            return found
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pose Studio")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([_general_name(h) for h in hosts]), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(
        serialization.Encoding.PEM
    )
    _write(path, _key_pem(key) + chain, 0o600)
    return found


def operator_files(cert: Path, key: Path | None) -> TlsFiles:
    """A certificate the operator supplies (a real CA's): served as it is."""
    leaf = x509.load_pem_x509_certificate(cert.read_bytes())
    return TlsFiles(cert, key, None, fingerprint(leaf), tuple(sorted(_san_names(leaf))))
