"""The demo's e-mails reach the console: `flask demo` migrates (alembic.ini's logging set the root
logger to WARN) and then serves in the same process; an invitation sent after that must still be
printed, link included, or a newcomer cannot log in as the user they invited."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What `flask --app wsgi demo` does before serving (the migrate step), then an invitation as the
# admin pages send it; nothing in the script configures logging.
SCRIPT = textwrap.dedent("""
    from flask_migrate import upgrade

    from wsgi import app

    with app.app_context():
        upgrade()
        from portal.extensions import db
        from portal.services import users

        users.create_user(None, {"email": "newcomer@example.com", "name": "New Comer", "role": "admin"})
        db.session.commit()
        print("done", flush=True)
""")


def _run(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "CELERY_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", SECRET_KEY="demo-mail-test",
               PORTAL_BASE_URL="http://127.0.0.1:5000")
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=240)


def test_an_invitation_after_the_demo_migration_is_printed_with_its_link(tmp_path):
    result = _run(tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "done" in result.stdout
    output = result.stdout + result.stderr
    assert "E-mail to newcomer@example.com: You are invited" in output, output[-3000:]
    assert "http://127.0.0.1:5000/invitation/" in output


def test_the_mail_log_survives_a_logging_configuration_that_silences_the_root(tmp_path):
    # A host that configures the root logger at WARN (as alembic.ini does) still shows the e-mails.
    script = "import logging; logging.basicConfig(level=logging.WARNING)\n" + SCRIPT
    result = _run(tmp_path, script)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "E-mail to newcomer@example.com: You are invited" in result.stderr, result.stderr[-3000:]
