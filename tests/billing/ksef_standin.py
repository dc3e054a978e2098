"""A local stand-in for the KSeF 2.0 endpoints `ksef-client` calls to send one invoice
in an online session, with the real cryptography: the ministry's public-key certificates
(RSA, made here), the KSeF token encrypted with RSA-OAEP together with the challenge's
timestamp, the session's AES key encrypted with RSA-OAEP, the invoice AES-256-CBC
encrypted with its SHA-256 hashes checked, the FA(3) schema checked on receipt as KSeF
does, and a KSeF number with its CRC-8. Test tool only: a werkzeug server in a thread."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7
from cryptography.x509.oid import NameOID
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _certificate(key, name: str) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _crc8(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_number(nip: str, day: dt.date) -> str:
    data = f"{nip}-{day:%Y%m%d}-{secrets.token_hex(6).upper()}"
    return f"{data}-{_crc8(data.encode()):02X}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class KsefStandIn:
    def __init__(self, *, token: str, nip: str):
        self.token, self.nip = token, nip
        self.token_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.session_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.challenges: dict[str, int] = {}
        self.auth_ops: dict[str, dict] = {}      # reference → {token, ok, reason}
        self.access_tokens: set[str] = set()
        self.sessions: dict[str, dict] = {}      # reference → {key, iv, open, invoices}
        self.received: list[dict] = []           # every invoice accepted: xml, ksef_number
        self.requests: list[str] = []
        self.url_map = Map([
            Rule("/v2/security/public-key-certificates", methods=["GET"], endpoint="certificates"),
            Rule("/v2/auth/challenge", methods=["POST"], endpoint="challenge"),
            Rule("/v2/auth/ksef-token", methods=["POST"], endpoint="ksef_token"),
            Rule("/v2/auth/token/redeem", methods=["POST"], endpoint="redeem"),
            Rule("/v2/auth/<ref>", methods=["GET"], endpoint="auth_status"),
            Rule("/v2/sessions/online", methods=["POST"], endpoint="open_session"),
            Rule("/v2/sessions/online/<ref>/invoices", methods=["POST"], endpoint="send_invoice"),
            Rule("/v2/sessions/online/<ref>/close", methods=["POST"], endpoint="close_session"),
            Rule("/v2/sessions/<ref>/invoices/<iref>", methods=["GET"], endpoint="invoice_status"),
        ])
        self._server = None

    # --- the server
    def start(self, port: int = 0) -> str:
        self._server = make_server("127.0.0.1", port, self._wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.port = self._server.server_port
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append(f"{request.method} {request.path}")
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
            response = getattr(self, endpoint)(request, **args)
        except Exception as exc:  # noqa: BLE001 - a stand-in answers like a server does
            if hasattr(exc, "get_response"):
                response = exc.get_response()
            else:
                response = self._error(500, repr(exc))
        return response(environ, start_response)

    @staticmethod
    def _json(body, status=200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _error(self, status: int, message: str) -> Response:
        return self._json({"exception": {"exceptionDetailList": [
            {"exceptionCode": status * 10, "exceptionDescription": message}]}}, status)

    def _bearer(self, request) -> str | None:
        header = request.headers.get("Authorization", "")
        return header[7:] if header.startswith("Bearer ") else None

    # --- endpoints
    def certificates(self, request):
        now = _now()
        return self._json([
            {"certificate": _certificate(self.token_key, "KsefTokenEncryption"), "certificateId": "c1",
             "publicKeyId": "k1", "usage": ["KsefTokenEncryption"],
             "validFrom": _iso(now - dt.timedelta(days=1)), "validTo": _iso(now + dt.timedelta(days=365))},
            {"certificate": _certificate(self.session_key, "SymmetricKeyEncryption"), "certificateId": "c2",
             "publicKeyId": "k2", "usage": ["SymmetricKeyEncryption"],
             "validFrom": _iso(now - dt.timedelta(days=1)), "validTo": _iso(now + dt.timedelta(days=365))},
        ])

    def challenge(self, request):
        now = _now()
        challenge = f"{now:%Y%m%d}-CR-{secrets.token_hex(16).upper()}"
        stamp = int(now.timestamp() * 1000)
        self.challenges[challenge] = stamp
        return self._json({"challenge": challenge, "clientIp": request.remote_addr, "timestamp": _iso(now),
                           "timestampMs": stamp})

    def ksef_token(self, request):
        body = request.get_json()
        stamp = self.challenges.pop(body.get("challenge"), None)
        if stamp is None:
            return self._error(400, "Unknown challenge")
        context = body.get("contextIdentifier") or {}
        plain = self.token_key.decrypt(base64.b64decode(body["encryptedToken"]), OAEP).decode()
        token, _, timestamp = plain.rpartition("|")
        ok = token == self.token and timestamp == str(stamp) and context == {"type": "Nip", "value": self.nip}
        reference = f"{_now():%Y%m%d}-AU-{secrets.token_hex(5).upper()}"
        auth_token = secrets.token_urlsafe(24)
        self.auth_ops[reference] = {"token": auth_token, "ok": ok}
        return self._json({"referenceNumber": reference,
                           "authenticationToken": {"token": auth_token,
                                                   "validUntil": _iso(_now() + dt.timedelta(minutes=10))}}, 202)

    def auth_status(self, request, ref):
        op = self.auth_ops.get(ref)
        if op is None or self._bearer(request) != op["token"]:
            return self._error(401, "Unauthorized")
        status = ({"code": 200, "description": "Uwierzytelnianie zakończone sukcesem"} if op["ok"] else
                  {"code": 450, "description": "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu",
                   "details": ["Invalid token encoding or token does not exist."]})
        return self._json({"startDate": _iso(_now()), "authenticationMethod": "Token",
                           "authenticationMethodInfo": {"category": "Token", "code": "token.ksef",
                                                        "displayName": "Token KSeF"},
                           "status": status})

    def redeem(self, request):
        op = next((o for o in self.auth_ops.values() if o["token"] == self._bearer(request)), None)
        if op is None or not op["ok"] or op.get("redeemed"):
            return self._error(400, "Token not redeemable")
        op["redeemed"] = True
        access = secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        until = _iso(_now() + dt.timedelta(minutes=15))
        return self._json({"accessToken": {"token": access, "validUntil": until},
                           "refreshToken": {"token": secrets.token_urlsafe(24), "validUntil": until}})

    def _authorized(self, request) -> bool:
        return self._bearer(request) in self.access_tokens

    def open_session(self, request):
        if not self._authorized(request):
            return self._error(401, "Unauthorized")
        body = request.get_json()
        form = body["formCode"]
        if (form["systemCode"], form["schemaVersion"], form["value"]) != ("FA (3)", "1-0E", "FA"):
            return self._error(400, "Unsupported form code")
        encryption = body["encryption"]
        key = self.session_key.decrypt(base64.b64decode(encryption["encryptedSymmetricKey"]), OAEP)
        reference = f"{_now():%Y%m%d}-SO-{secrets.token_hex(5).upper()}"
        self.sessions[reference] = {"key": key, "iv": base64.b64decode(encryption["initializationVector"]),
                                    "open": True, "invoices": {}}
        return self._json({"referenceNumber": reference, "validUntil": _iso(_now() + dt.timedelta(hours=12))}, 201)

    def send_invoice(self, request, ref):
        session = self.sessions.get(ref)
        if not self._authorized(request) or session is None or not session["open"]:
            return self._error(401 if not self._authorized(request) else 400, "No open session")
        body = request.get_json()
        encrypted = base64.b64decode(body["encryptedInvoiceContent"])
        if (base64.b64encode(hashlib.sha256(encrypted).digest()).decode() != body["encryptedInvoiceHash"]
                or len(encrypted) != body["encryptedInvoiceSize"]):
            return self._error(400, "Encrypted content does not match its hash")
        decryptor = Cipher(algorithms.AES(session["key"]), modes.CBC(session["iv"])).decryptor()
        unpadder = PKCS7(128).unpadder()
        xml = unpadder.update(decryptor.update(encrypted) + decryptor.finalize()) + unpadder.finalize()
        if (base64.b64encode(hashlib.sha256(xml).digest()).decode() != body["invoiceHash"]
                or len(xml) != body["invoiceSize"]):
            return self._error(400, "Invoice does not match its hash")
        reference = f"{_now():%Y%m%d}-EE-{secrets.token_hex(5).upper()}"
        entry = {"xml": xml, "hash": body["invoiceHash"], "ordinal": len(session["invoices"]) + 1}
        from ksef_client.documents.fa3 import FA3XmlValidationError, validate_fa3_xml_xsd
        try:
            validate_fa3_xml_xsd(xml)
        except FA3XmlValidationError as exc:
            entry["status"] = {"code": 450, "description": "Błąd weryfikacji semantyki dokumentu faktury",
                               "details": [str(exc)]}
        else:
            entry["ksef_number"] = ksef_number(self.nip, _now().date())
            entry["status"] = {"code": 200, "description": "Sukces"}
            self.received.append({"xml": xml, "ksef_number": entry["ksef_number"], "hash": body["invoiceHash"]})
        session["invoices"][reference] = entry
        return self._json({"referenceNumber": reference}, 202)

    def invoice_status(self, request, ref, iref):
        session = self.sessions.get(ref)
        if not self._authorized(request) or session is None or iref not in session["invoices"]:
            return self._error(404, "Not found")
        entry = session["invoices"][iref]
        body = {"ordinalNumber": entry["ordinal"], "referenceNumber": iref, "invoiceHash": entry["hash"],
                "invoicingDate": _iso(_now()), "status": entry["status"]}
        if "ksef_number" in entry:
            body.update(ksefNumber=entry["ksef_number"], acquisitionDate=_iso(_now()))
        return self._json(body)

    def close_session(self, request, ref):
        session = self.sessions.get(ref)
        if not self._authorized(request) or session is None:
            return self._error(401, "Unauthorized")
        session["open"] = False
        return Response(status=204)
