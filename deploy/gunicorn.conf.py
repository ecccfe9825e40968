"""
gunicorn's settings for one app server (docs/deploy.md, "Several app servers").

Read by ``gunicorn newsroom.wsgi --config deploy/gunicorn.conf.py`` from the
systemd unit, the Procfile and the multi-server tests, so all three run the
same settings. Only the address and the number of workers change from one
machine to the next; both come from the environment.
"""

import os

# Where the balancer reaches this server: a private address, never the public
# one (the balancer is the only way in). Systemd's socket unit, when used,
# hands gunicorn the socket instead and this is ignored.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: a request holds one worker, which suits a site whose slow part
# is the database and whose pages are mostly served from the page cache. Two
# per core is gunicorn's own starting point; measure before raising it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"

# A worker stuck this long is killed and replaced. The balancer's server
# timeout (deploy/haproxy.cfg) is longer, so the balancer never gives up on a
# request that gunicorn is still allowed to finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deployment, systemctl stop) requests in flight get this long
# to finish; a comment being posted is not cut off by a restart.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))

# A fresh worker now and then bounds the memory a long-lived one can gather;
# the jitter keeps the workers from all restarting together.
max_requests = 2000
max_requests_jitter = 200

# Each worker opens its own database and Redis connections after the fork;
# preloading would share sockets opened before it.
preload_app = False

# The balancer sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER),
# gunicorn only needs to trust it from the balancer's address for its own logs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# To the journal (systemd) or the platform's log (Procfile): one line per
# request, errors with their traceback.
# GUNICORN_ACCESS_LOG set empty: no access log (the balancer keeps one too).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "newsroom"
