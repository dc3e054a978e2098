"""Development server: `python run.py` (run.sh prepares everything first).

Links printed in QR codes and e-mails are absolute (BASE_URL). Unless CMR_BASE_URL is
set, they point at the host and port this server listens on, so `PORT=5101 ./run.sh`
prints copies whose QR code opens this server."""
import os

host = os.environ.get("HOST", "127.0.0.1")
port = int(os.environ.get("PORT", "5000"))
if not os.environ.get("CMR_BASE_URL"):
    # 0.0.0.0 listens everywhere but is no address to print; the loopback one is.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    os.environ["CMR_BASE_URL"] = f"http://{shown}:{port}"

from cmr_app import create_app  # noqa: E402  (after BASE_URL is known)

app = create_app()

if __name__ == "__main__":
    print(f" * CMR Online on http://{host}:{port}", flush=True)
    print(f" * Links in QR codes and e-mails: {app.config['BASE_URL']}", flush=True)
    app.run(host=host, port=port, debug=False, threaded=True)
