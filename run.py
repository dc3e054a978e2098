"""Development server: `python run.py` (run.sh prepares everything first)."""
import os

from cmr_app import create_app

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f" * CMR Online on http://{host}:{port}", flush=True)
    app.run(host=host, port=port, debug=False, threaded=True)
